import BulkRAModel
import BulkRARegistry
import BulkRAValidate
import Foundation
import Testing

extension RegistryContractTests {
    static func acmeAccount(_ id: String, _ commonName: String, names: [String] = [], state: ACMEAccountRecord.State = .registered) throws -> ACMEAccountRecord {
        ACMEAccountRecord(id: try ACMEAccountID(id), institutionID: "example-u",
                          subject: try SubjectDistinguishedName("CN=\(commonName),O=Example University,L=Chiyoda-ku,ST=Tokyo,C=JP"),
                          domain: try DomainName("example.ac.jp"), names: try ([commonName] + names).map { try DomainName($0) },
                          profile: .serverRSA, serverSoftware: "nginx 1.26", administratorName: "", administratorAffiliation: "",
                          administratorEmail: "admin@example.ac.jp", state: state)
    }

    static func acmeBatch(_ operation: UploadOperation, accounts: [ACMEAccountRecord] = [], suspensions: [RegistryBatch.ACMESuspension] = [],
                          bindings: [ExternalAccountBindingRecord] = [], issued: [CertificateRecord] = []) -> RegistryBatch {
        RegistryBatch(record: .init(institutionID: "example-u", kind: .acme, operation: operation, officerEmail: nil,
                                    fileSHA256: UUID().uuidString, fileName: "acme.tsv", resultJSON: "{}", resultTSV: "", accepted: 1,
                                    rejected: 0, outcome: "accepted, applied", applied: true),
                      issued: issued, acmeAccounts: accounts, acmeSuspensions: suspensions, bindings: bindings)
    }

    static func openBindings(_ registry: any Registry) throws -> [String] {
        let database = try #require(registry as? any RegistryDatabase)
        return try database.writing(.registry, durable: false) {
            try $0.texts("SELECT key_id FROM acme_eab WHERE used_at IS NULL AND closed_at IS NULL ORDER BY key_id", [])
        }
    }

    @Test("ACME-T08 accounts and EAB credentials: one live account per FQDN (the unique index refuses a second, nothing half-applied), an update replaces the names and closes unused credentials, a suspension frees the FQDN, and certificates name their account",
          arguments: Backend.allCases)
    func acmeAccounts(backend: Backend) async throws {
        let registry = try Self.registry(backend, "acme-accounts")
        try Self.addExampleInstitution(to: registry)
        let database = try #require(registry as? any RegistryDatabase)
        let first = try Self.acmeAccount("AccountAAAAAAAAAAAAAAA", "acme.example.ac.jp")
        let binding = { (kid: String, account: String) in
            ExternalAccountBindingRecord(keyID: kid, accountID: account, sealedKey: [1, 2, 3], expires: Self.now + 86_400)
        }
        _ = try registry.serializable(.institution("example-u")) {
            try $0.commit(Self.acmeBatch(.issue, accounts: [first], bindings: [binding("kid-1", first.id.text)]))
        }
        var known = try registry.acmeAccounts(ids: [first.id], commonNames: ["acme.example.ac.jp"])
        #expect(known.count == 2 && known.allSatisfy { $0.isLive && $0.institutionID == "example-u" && $0.domain?.name == "example.ac.jp" })
        #expect(try await database.acmeAccount(id: first.id.text) == first)
        #expect(try Self.openBindings(registry) == ["kid-1"])

        // ACME-13: a request's admission reads the account its kid names, with its institution's state, in the nonce's write.
        try await database.storeNonce("nonce-1", expires: Self.now + 60)
        let admitted = try await database.admitACMERequest(nonce: "nonce-1", now: Self.now, issuing: ("nonce-2", Self.now + 60), accountID: first.id.text)
        #expect(admitted.nonceAccepted && admitted.account == first && admitted.account?.institutionActive == true)
        let replayed = try await database.admitACMERequest(nonce: "nonce-1", now: Self.now, issuing: nil, accountID: "AccountZZZZZZZZZZZZZZZ")
        #expect(!replayed.nonceAccepted && replayed.account == nil)
        #expect(try await database.admitACMERequest(nonce: "nonce-2", now: Self.now, issuing: nil, accountID: nil).nonceAccepted,
                "the answer's nonce is kept by the same write")

        // The unique index is the last guard: a second live account for the FQDN fails the whole batch.
        let batches = { try database.writing(.registry, durable: false) { try $0.row("SELECT COUNT(*) AS n FROM batch", [])?.int("n") ?? -1 } }
        let before = try batches()
        #expect(throws: (any Error).self) {
            try registry.serializable(.institution("example-u")) {
                try $0.commit(Self.acmeBatch(.issue, accounts: [try Self.acmeAccount("AccountBBBBBBBBBBBBBBB", "acme.example.ac.jp")],
                                             bindings: [binding("kid-x", "AccountBBBBBBBBBBBBBBB")]))
            }
        }
        #expect(try batches() == before && (try Self.openBindings(registry)) == ["kid-1"])

        // An update: new names, new credentials, the unused old ones closed.
        let updated = try Self.acmeAccount(first.id.text, "acme.example.ac.jp", names: ["acme2.example.ac.jp"])
        _ = try registry.serializable(.institution("example-u")) {
            try $0.commit(Self.acmeBatch(.renew, accounts: [updated], bindings: [binding("kid-2", first.id.text)]))
        }
        #expect(try await database.acmeAccount(id: first.id.text)?.names.map(\.name) == ["acme.example.ac.jp", "acme2.example.ac.jp"])
        #expect(try Self.openBindings(registry) == ["kid-2"])

        // A suspension: the account stops, its credentials close, and the FQDN may be registered again.
        _ = try registry.serializable(.institution("example-u")) {
            try $0.commit(Self.acmeBatch(.suspend, suspensions: [.init(accountID: first.id.text, reason: .cessationOfOperation, comment: "")]))
        }
        #expect(try await database.acmeAccount(id: first.id.text)?.state == .suspended)
        #expect(try Self.openBindings(registry).isEmpty)
        known = try registry.acmeAccounts(ids: [first.id], commonNames: ["acme.example.ac.jp"])
        #expect(known.count == 1 && known[0].isLive == false)
        let second = try Self.acmeAccount("AccountCCCCCCCCCCCCCCC", "acme.example.ac.jp")
        var certificate = try Self.waiting("7101")
        certificate = CertificateRecord(serial: certificate.serial, institutionID: "example-u", family: .server, profile: .serverRSA,
                                        subject: second.subject, domain: second.domain, keyDigest: certificate.keyDigest, state: .issued,
                                        notBefore: Self.now, notAfter: Self.now + 89 * 86_400, der: [0x30, 0x00], issuerRole: .server,
                                        dnsNames: second.names, acmeAccountID: second.id.text)
        _ = try registry.serializable(.institution("example-u")) {
            try $0.commit(Self.acmeBatch(.issue, accounts: [second], bindings: [binding("kid-3", second.id.text)], issued: [certificate]))
        }
        #expect(try registry.acmeAccounts(ids: [], commonNames: ["acme.example.ac.jp"]).map(\.id) == [second.id])
        #expect(try registry.certificates(serials: [certificate.serial]).map(\.isACME) == [true])
        #expect(try registry.certificates(serials: [try SerialNumber("7101")]).first?.isACME == true)
        #expect(try registry.storedCertificates(serials: [certificate.serial]).first?.acmeAccountID == second.id.text)
    }
}
