import BulkRADecode
import BulkRAModel
@testable import BulkRARegistry
import BulkRAValidate
import Foundation
import Testing

extension RegistryContractTests {
    /// Records whose typed fields take many values: each family's profiles, every reason, every download method, each CA
    /// role, imported ones without role or profile, several dNSNames.
    static func typedRecords() throws -> [CertificateRecord] {
        let ex = "O=Example University,L=Chiyoda-ku,ST=Tokyo,C=JP"
        let start = Date(timeIntervalSince1970: 1_790_000_000)
        var records: [CertificateRecord] = []
        for (index, profile) in CertificateProfile.allCases.enumerated() {
            let family = profile.family
            let client = family == .client
            let cn = client ? "User \(index)" : family == .server ? "host\(index).example.ac.jp" : "Tool \(index)"
            let reason = index % 2 == 0 ? RevocationReason.allCases[index / 2 % RevocationReason.allCases.count] : nil
            records.append(CertificateRecord(
                serial: try SerialNumber(String(5_000 + index)), institutionID: "example-u", family: family,
                profile: index == 0 ? nil : profile, subject: try SubjectDistinguishedName("CN=\(cn),\(ex)"),
                domain: try DomainName("example.ac.jp"), keyDigest: String(format: "%064x", index), state: reason == nil ? .issued : .revoked,
                notBefore: start, notAfter: start + 86_400, administratorName: "管理 太郎", administratorAffiliation: "情報基盤センター",
                administratorEmail: "admin@example.ac.jp", userName: client ? "利用 花子" : "", userEmail: client ? "u\(index)@example.ac.jp" : "",
                der: [0x30, UInt8(index)], revokedAt: reason == nil ? nil : start + 3_600, revocationReason: reason,
                revocationComment: reason == .unspecified ? "紛失" : "", replacedSerial: index == 3 ? try SerialNumber("5002") : nil,
                issuerRole: index == 1 ? nil : AuthorityRole(family), serverSoftware: family == .server ? "nginx 1.24" : "",
                downloadMethod: client ? DownloadMethod.allCases[index % DownloadMethod.allCases.count] : nil,
                dnsNames: family == .server ? [try DomainName(cn), try DomainName("alias\(index).example.ac.jp")] : []))
        }
        return records
    }

    /// A fresh registry of `backend` holding the example institution and ``typedRecords()``.
    static func registryWithTypedRecords(_ backend: Backend, _ name: String) throws -> (any Registry, [CertificateRecord]) {
        let registry = try Self.registry(backend, name)
        try Self.addExampleInstitution(to: registry)
        let records = try Self.typedRecords()
        try registry.record(records)
        return (registry, records)
    }

    @Test("REG-06 PERF-25 a record's profile, revocation reason, download method, CA role and dNSNames read back as written — at the columns' declared places or by name; an unknown stored code is reported, not guessed",
          arguments: Backend.allCases)
    func typedRecords(_ backend: Backend) throws {
        let (registry, records) = try Self.registryWithTypedRecords(backend, "typed-records")
        let back = try registry.storedCertificates(serials: records.map(\.serial))
        #expect(Dictionary(uniqueKeysWithValues: back.map { ($0.serial, $0) }) == Dictionary(uniqueKeysWithValues: records.map { ($0.serial, $0) }))
        #expect(try registry.certificateDERs(after: 0, limit: 100).allSatisfy(\.readable))
        #expect(try registry.revokedCertificates(issuerRole: .server).map(\.reason) == records.filter { $0.issuerRole == .server && $0.revocationReason != nil }.map { $0.revocationReason! })

        // PERF-25: read at their declared positions, or by name when a query puts the columns elsewhere — the same records.
        let database = try #require(registry as? any RegistryDatabase)
        let written = Dictionary(uniqueKeysWithValues: records.map { ($0.serial, $0) })
        let reversed = RegistryStatements.CertificateColumn.names.reversed().map { "c." + $0 }.joined(separator: ", ")
        for select in [RegistryStatements.certificateColumns, "1 AS position, " + RegistryStatements.certificateColumns, reversed] {
            let read = try database.reading { session in
                try session.rows("SELECT \(select) FROM certificate c", []).compactMap(RegistryStatements.certificateRecord)
            }
            #expect(Dictionary(uniqueKeysWithValues: read.map { ($0.serial, $0) }) == written, "\(select.prefix(40))")
        }

        // A row changed behind the registry's back: a profile no type knows.
        let broken = records[2].serial
        try database.writing(.registry, durable: true) { session in
            try session.execute("UPDATE certificate SET profile = 99 WHERE serial = ?", [.text(broken.decimal)])
        }
        #expect(try registry.certificateDERs(after: 0, limit: 100).filter { !$0.readable }.map(\.serial) == [broken.decimal])
        #expect(try registry.storedCertificates(serials: [broken]).isEmpty)
    }

    @Test("REG-15 PERF-43 a batch's result certificates are its records' serial, family, DER, CA role, replaced serial and administrator, in recording order",
          arguments: Backend.allCases)
    func resultCertificates(_ backend: Backend) throws {
        let (registry, records) = try Self.registryWithTypedRecords(backend, "result-certificates")
        let database = try #require(registry as? any RegistryDatabase)
        // All records but one in one batch: those without role, with a replaced serial, of every family.
        let batchID = try registry.commit(RegistryBatch(record: .init(
            institutionID: "example-u", kind: .server, operation: .issue, officerEmail: nil, fileSHA256: "typed-records", fileName: "x.tsv",
            resultJSON: "{}", resultTSV: "", accepted: 1, rejected: 0, outcome: "accepted, applied", applied: true)))
        try database.writing(.registry, durable: true) { session in
            try session.execute("UPDATE certificate SET batch_id = ? WHERE serial <> ?", [.integer(batchID), .text(records[4].serial.decimal)])
        }
        let batch = try registry.certificates(batchID: batchID)
        #expect(batch.count == records.count - 1 && batch.contains { $0.issuerRole == nil } && batch.contains { $0.replacedSerial != nil })
        #expect(try registry.resultCertificates(batchID: batchID) == batch.map {
            ResultCertificate(serial: $0.serial, family: $0.family, der: $0.der, issuerRole: $0.issuerRole, replacedSerial: $0.replacedSerial,
                              administratorEmail: $0.administratorEmail)
        })
        #expect(try registry.resultCertificates(batchID: batchID + 1).isEmpty)

        // A role no type knows: the row is left out of both reads.
        try database.writing(.registry, durable: true) { session in
            try session.execute("UPDATE certificate SET issuer_role = 'elsewhere' WHERE serial = ?", [.text(batch[0].serial.decimal)])
        }
        #expect(try registry.certificates(batchID: batchID).map(\.serial) == batch.dropFirst().map(\.serial))
        #expect(try registry.resultCertificates(batchID: batchID).map(\.serial) == batch.dropFirst().map(\.serial))
    }

    @Test("REG-20 every kind of value reads back as bound: NULL, the integer limits, empty, Japanese and other non-ASCII text, empty and binary bytes (PERF-17 reads SQLite's columns directly)",
          arguments: Backend.allCases)
    func valuesReadBack(_ backend: Backend) throws {
        let database = try #require(try Self.registry(backend, "values-read-back") as? any RegistryDatabase)
        let texts = ["", "登録担当者 ① 髙", "CN=host.example.ac.jp,O=Example", "éà 𠮷 \u{7F}"]
        let rows: [[SQLValue]] = [
            [.integer(1), .null, .null, .null],
            [.integer(2), .integer(.min), .text(texts[0]), .bytes([])],
            [.integer(3), .integer(.max), .text(texts[1]), .bytes([0x00, 0xFF, 0x30, 0x82])],
            [.integer(4), .integer(-1), .text(texts[2]), .bytes(Array(repeating: 0xA5, count: 3_000))],
        ] + texts.dropFirst(3).enumerated().map { [.integer(Int64(5 + $0.offset)), .integer(0), .text($0.element), .null] }
        let blob = backend == .sqlite ? "BLOB" : "BYTEA"
        try database.writing(.registry, durable: false) { session in
            try session.execute("CREATE TABLE value_probe (id BIGINT PRIMARY KEY, n BIGINT, t TEXT, b \(blob))", [])
            for row in rows { try session.execute("INSERT INTO value_probe (id, n, t, b) VALUES (?, ?, ?, ?)", row) }
        }
        let back = try database.reading { session in try session.rows("SELECT id, n, t, b FROM value_probe ORDER BY id", []) }
        #expect(back.count == rows.count)
        for (read, written) in zip(back, rows) { #expect([read["id"], read["n"], read["t"], read["b"]] == written) }
        var streamed: [[SQLValue]] = []
        try database.reading { session in
            try session.forEachRow("SELECT id, n, t, b FROM value_probe WHERE id >= ? ORDER BY id", [.integer(2)]) { row in
                streamed.append([row["id"], row["n"], row["t"], row["b"]])
            }
        }
        #expect(streamed.count == rows.count - 1)
        for (read, written) in zip(streamed, rows.dropFirst()) { #expect(read == written) }
    }

    /// The fixture's institution `example-u` with its domain, so certificates may be recorded for it.
    static func addExampleInstitution(to registry: any Registry) throws {
        let upload = try UploadDecoder(kind: .institution).decode(Array(Fixture.institutionsTSV.utf8), fileName: "i.tsv")
        let batch = try UploadValidator(context: UploadContext(institutionID: nil, kind: .institution, operation: .apply),
                                        directory: registry, now: Date()).validate(upload)
        try registry.apply(batch.lines.compactMap { if case .institution(let change) = $0.request { change } else { nil } })
    }
}
