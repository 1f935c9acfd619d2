import BulkRADesk
import BulkRAIssue
import BulkRAModel
import BulkRARegistry
import BulkRAService
import BulkRAValidate
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Testing
import X509

/// The OCSP responder: delegated responders, requests, answers, nonce, HTTP and caching (Specs/ocsp.md).
@Suite("OCSP responder (Specs/ocsp.md)")
struct OCSPTests {
    static let logger = Logger(label: "bulkra.tests.ocsp")

    /// Statuses a test sets, in place of the registry.
    actor Statuses: RevocationStatusSource {
        var stored: [SerialNumber: RevocationStatus] = [:]
        func set(_ serial: String, _ status: RevocationStatus?) throws { stored[try SerialNumber(serial)] = status }
        func revocationStatus(serial: SerialNumber) async throws -> RevocationStatus? { stored[serial] }
    }

    /// A scratch folder for openssl's files.
    static func scratch(_ name: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("bulkra-ocsp-\(getpid())-\(name)").path
        try? FileManager.default.removeItem(atPath: path)
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// An OCSP request made by openssl: `(issuer, serial)` pairs in order, without a nonce unless asked.
    static func request(_ data: String, _ asked: [(issuer: String, serial: String)], nonce: Bool = false, in folder: String) throws -> [UInt8] {
        let file = folder + "/request-\(UUID().uuidString).der"
        var arguments = ["ocsp", "-reqout", file]
        for (issuer, serial) in asked { arguments += ["-issuer", "\(data)/ca/\(issuer).pem", "-serial", serial] }
        if !nonce { arguments.append("-no_nonce") }
        let made = try runTool("/usr/bin/openssl", arguments)
        #expect(made.status == 0, "\(made.output)")
        return Array(try Data(contentsOf: URL(fileURLWithPath: file)))
    }

    /// What openssl makes of an answer about `serial`, verified under the TEST root (openssl builds a request of its own
    /// for `-serial`, whose nonce the answer cannot carry: it warns, which is no failure here).
    static func read(_ response: [UInt8], _ data: String, serial: String, issuer: String = "server", in folder: String) throws
        -> (status: Int32, output: String) {
        let file = folder + "/response-\(UUID().uuidString).der"
        try Data(response).write(to: URL(fileURLWithPath: file))
        return try runTool("/usr/bin/openssl", ["ocsp", "-respin", file, "-issuer", "\(data)/ca/\(issuer).pem", "-CAfile",
                                                "\(data)/ca/root.pem", "-serial", serial])
    }

    /// openssl's check of an answer against the request it answers (signature and nonce).
    static func verify(_ response: [UInt8], answering request: [UInt8], _ data: String, in folder: String) throws -> (status: Int32, output: String) {
        let file = folder + "/response-\(UUID().uuidString).der"
        let requestFile = folder + "/request-\(UUID().uuidString).der"
        try Data(response).write(to: URL(fileURLWithPath: file))
        try Data(request).write(to: URL(fileURLWithPath: requestFile))
        return try runTool("/usr/bin/openssl", ["ocsp", "-respin", file, "-reqin", requestFile, "-CAfile", "\(data)/ca/root.pem",
                                                "-VAfile", "\(data)/ca/root.pem", "-verify_other", "\(data)/ca/server.pem"])
    }

    static func revoked(_ role: AuthorityRole, at date: Date, _ reason: RevocationReason) -> RevocationStatus {
        RevocationStatus(issuerRole: role, revokedAt: date, reason: reason)
    }

    @Test("OCSP-03 good, revoked with its time and reason, unknown for a serial never issued or issued by another CA; each answer verifies under the TEST root through the delegated responder and lints clean")
    func statuses() async throws {
        let (data, _) = try ServiceTests.dataFolder("ocsp-status")
        let folder = try Self.scratch("status")
        defer { try? FileManager.default.removeItem(atPath: data); try? FileManager.default.removeItem(atPath: folder) }
        let now = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down))
        let statuses = Statuses()
        try await statuses.set("1001", RevocationStatus(issuerRole: .server, revokedAt: nil, reason: .unspecified))
        try await statuses.set("1002", Self.revoked(.server, at: UTCTimestamp.date("2026-11-30T01:02:03Z")!, .keyCompromise))
        try await statuses.set("1003", RevocationStatus(issuerRole: .client, revokedAt: nil, reason: .unspecified))
        try await statuses.set("1005", Self.revoked(.server, at: now - 60, .unspecified))
        let responder = try await OCSPResponder(dataFolder: data, statuses: statuses, audit: nil, logger: Self.logger, now: now)
        var answers: [String: [UInt8]] = [:]
        for serial in ["1001", "1002", "1003", "1004", "1005"] {
            let reply = await responder.respond(to: try Self.request(data, [("server", serial)], in: folder), now: now)
            answers[serial] = reply.der
            #expect(reply.validity?.thisUpdate == now && reply.validity?.nextUpdate == now + 86_400)
        }
        let good = try Self.read(answers["1001"]!, data, serial: "1001", in: folder)
        #expect(good.status == 0 && good.output.contains("Response verify OK") && good.output.contains("1001: good"), "\(good.output)")
        let revoked = try Self.read(answers["1002"]!, data, serial: "1002", in: folder)
        #expect(revoked.output.contains("1002: revoked") && revoked.output.contains("Reason: keyCompromise")
                && revoked.output.contains("Revocation Time: Nov 30 01:02:03 2026 GMT"), "\(revoked.output)")
        #expect(try Self.read(answers["1003"]!, data, serial: "1003", in: folder).output.contains("1003: unknown"))
        #expect(try Self.read(answers["1004"]!, data, serial: "1004", in: folder).output.contains("1004: unknown"))
        let unspecified = try Self.read(answers["1005"]!, data, serial: "1005", in: folder)
        #expect(unspecified.output.contains("1005: revoked") && !unspecified.output.contains("Reason:"), "\(unspecified.output)")
        for serial in ["1001", "1002", "1004"] {
            let file = folder + "/lint-\(serial).der"
            try Data(answers[serial]!).write(to: URL(fileURLWithPath: file))
            let lint = try runTool(IssuanceFixture.pkilint + "/lint_ocsp_response", ["lint", "-s", "NOTICE", file])
            #expect(lint.status == 0 && lint.output.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, "\(serial): \(lint.output)")
        }
        // Each CA answers through its own responder: an RA certificate's status comes signed by the RA CA's.
        try await statuses.set("2001", RevocationStatus(issuerRole: .registrationOfficer, revokedAt: nil, reason: .unspecified))
        let ra = await responder.respond(to: try Self.request(data, [("ra", "2001")], in: folder), now: now)
        #expect(try Self.read(ra.der, data, serial: "2001", issuer: "ra", in: folder).output.contains("2001: good"))
    }

    @Test("OCSP-06 a kept answer is given again while its status holds and it is under an hour old; a revocation is answered on the next request; after the hour the answer is signed anew")
    func keptAnswers() async throws {
        let (data, _) = try ServiceTests.dataFolder("ocsp-kept")
        let folder = try Self.scratch("kept")
        defer { try? FileManager.default.removeItem(atPath: data); try? FileManager.default.removeItem(atPath: folder) }
        // Three hours ago, so that every answer below is already valid for openssl.
        let now = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down) - 3 * 3600)
        let statuses = Statuses()
        try await statuses.set("3001", RevocationStatus(issuerRole: .server, revokedAt: nil, reason: .unspecified))
        let responder = try await OCSPResponder(dataFolder: data, statuses: statuses, audit: nil, logger: Self.logger, now: now)
        let request = try Self.request(data, [("server", "3001")], in: folder)
        let first = await responder.respond(to: request, now: now)
        let again = await responder.respond(to: request, now: now + 1800)
        #expect(first.der == again.der && again.validity?.thisUpdate == now)
        try await statuses.set("3001", Self.revoked(.server, at: now + 1900, .cessationOfOperation))
        let afterRevocation = await responder.respond(to: request, now: now + 1900)
        #expect(afterRevocation.der != first.der && afterRevocation.validity?.thisUpdate == now + 1900)
        #expect(try Self.read(afterRevocation.der, data, serial: "3001", in: folder).output.contains("3001: revoked"))
        let kept = await responder.respond(to: request, now: now + 1900 + 3599)
        #expect(kept.der == afterRevocation.der)
        let resigned = await responder.respond(to: request, now: now + 1900 + 3600)
        #expect(resigned.der != afterRevocation.der && resigned.validity?.thisUpdate == now + 1900 + 3600)
    }

    @Test("OCSP-04 OCSP-02 a nonce is echoed and its answer signed for that request alone; garbage, too many certificates and unknown critical extensions are malformedRequest; another CA or a mix of CAs is unauthorized")
    func nonceAndRefusals() async throws {
        let (data, _) = try ServiceTests.dataFolder("ocsp-refusals")
        let folder = try Self.scratch("refusals")
        defer { try? FileManager.default.removeItem(atPath: data); try? FileManager.default.removeItem(atPath: folder) }
        let now = Date()
        let statuses = Statuses()
        try await statuses.set("4001", RevocationStatus(issuerRole: .server, revokedAt: nil, reason: .unspecified))
        let responder = try await OCSPResponder(dataFolder: data, statuses: statuses, audit: nil, logger: Self.logger, now: now)
        let withNonce = try Self.request(data, [("server", "4001")], nonce: true, in: folder)
        let answer = await responder.respond(to: withNonce, now: now)
        let verified = try Self.verify(answer.der, answering: withNonce, data, in: folder)
        #expect(verified.status == 0 && verified.output.contains("Response verify OK") && !verified.output.lowercased().contains("nonce"),
                "\(verified.output)")
        let file = folder + "/nonce-answer.der"
        try Data(answer.der).write(to: URL(fileURLWithPath: file))
        let text = try runTool("/usr/bin/openssl", ["ocsp", "-respin", file, "-resp_text", "-noverify"]).output
        #expect(text.contains("Cert Status: good") && text.contains("OCSP Nonce"), "\(text)")
        // Without a nonce in the request, openssl notes that the answer has none either (the answer is the kept kind).
        let plainAnswer = await responder.respond(to: try Self.request(data, [("server", "4001")], in: folder), now: now)
        #expect(try Self.verify(plainAnswer.der, answering: try Self.request(data, [("server", "4001")], nonce: true, in: folder), data,
                                in: folder).output.lowercased().contains("nonce"))
        #expect(answer.validity == nil)
        let otherNonce = await responder.respond(to: try Self.request(data, [("server", "4001")], nonce: true, in: folder), now: now)
        #expect(otherNonce.der != answer.der)
        // Two certificates of one CA in one request are answered together.
        let pair = await responder.respond(to: try Self.request(data, [("server", "4001"), ("server", "4002")], in: folder), now: now)
        #expect(try Self.read(pair.der, data, serial: "4002", in: folder).output.contains("4002: unknown"))

        let malformed: [UInt8] = [0x30, 0x03, 0x0A, 0x01, 0x01]
        let unauthorized: [UInt8] = [0x30, 0x03, 0x0A, 0x01, 0x06]
        #expect(await responder.respond(to: [0x01, 0x02, 0x03], now: now).der == malformed)
        #expect(await responder.respond(to: [], now: now).der == malformed)
        let seventeen = (1...17).map { ("server", "\(5000 + $0)") }
        #expect(await responder.respond(to: try Self.request(data, seventeen, in: folder), now: now).der == malformed)
        #expect(await responder.respond(to: try Self.request(data, [("root", "4001")], in: folder), now: now).der == unauthorized)
        #expect(await responder.respond(to: try Self.request(data, [("server", "4001"), ("client", "4001")], in: folder), now: now).der
                == unauthorized)
        // The same request with an unknown critical request extension (id-ce-keyUsage here, which OCSP does not define).
        let plain = try Self.request(data, [("server", "4001")], in: folder)
        let critical = Self.withCriticalExtension(plain)
        #expect(await responder.respond(to: critical, now: now).der == malformed)
        #expect(try OCSPRequest(der: plain).items.count == 1)
    }

    /// DER: tag, length, content.
    static func tlv(_ tag: UInt8, _ content: [UInt8]) -> [UInt8] {
        var length: [UInt8] = []
        if content.count < 0x80 {
            length = [UInt8(content.count)]
        } else if content.count < 0x100 {
            length = [0x81, UInt8(content.count)]
        } else {
            length = [0x82, UInt8(content.count >> 8), UInt8(content.count & 0xFF)]
        }
        return [tag] + length + content
    }

    /// `request` (openssl's, one TBSRequest holding only its request list) with a critical extension added to the TBSRequest.
    static func withCriticalExtension(_ request: [UInt8]) -> [UInt8] {
        // OCSPRequest { TBSRequest { requestList } }: peel the two SEQUENCE headers to reach the request list.
        func content(_ der: [UInt8]) -> [UInt8] {
            let first = der[1]
            let skip = first < 0x80 ? 2 : 2 + Int(first & 0x7F)
            return Array(der[skip...])
        }
        let requestList = content(content(request))
        let extensionEntry = tlv(0x30, [0x06, 0x03, 0x55, 0x1D, 0x0F, 0x01, 0x01, 0xFF] + tlv(0x04, [0x03, 0x02, 0x05, 0xA0]))
        let extensions = tlv(0xA2, tlv(0x30, extensionEntry))
        return tlv(0x30, tlv(0x30, requestList + extensions))
    }

    @Test("OCSP-01 each CA's delegated responder certificate is issued once, kept with its key mode 0600, carries OCSPSigning and ocsp-nocheck, and is renewed and audited within 10 days of its end")
    func responderCertificates() async throws {
        let (data, registry) = try ServiceTests.dataFolder("ocsp-responders")
        defer { try? FileManager.default.removeItem(atPath: data) }
        let now = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down))
        _ = try await OCSPResponder(dataFolder: data, statuses: registry, audit: registry, logger: Self.logger, now: now)
        var serials: [AuthorityRole: Certificate.SerialNumber] = [:]
        for role in AuthorityRole.allCases {
            let path = "\(data)/ocsp/\(role.rawValue).pem"
            let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
            #expect(mode == 0o600)
            let text = try String(contentsOfFile: path, encoding: .utf8)
            let certificate = try Certificate(pemEncoded: String(text[text.range(of: "-----BEGIN CERTIFICATE-----")!.lowerBound...]))
            serials[role] = certificate.serialNumber
            let issuer = try Certificate(pemEncoded: String(contentsOfFile: "\(data)/ca/\(role.rawValue).pem", encoding: .utf8))
            #expect(certificate.issuer == issuer.subject && certificate.notValidAfter == now + DelegatedResponder.lifetime)
            #expect(try certificate.extensions.extendedKeyUsage == ExtendedKeyUsage([.ocspSigning]))
            #expect(certificate.extensions[oid: [1, 3, 6, 1, 5, 5, 7, 48, 1, 5]] != nil)
            #expect(try certificate.extensions.basicConstraints == .notCertificateAuthority)
        }
        #expect(try await registry.auditEvents(named: "ocsp-responder-issued").count == 4)
        // Kept while more than 10 days remain …
        _ = try await OCSPResponder(dataFolder: data, statuses: registry, audit: registry, logger: Self.logger, now: now + 19 * 86_400)
        let kept = try String(contentsOfFile: "\(data)/ocsp/server.pem", encoding: .utf8)
        #expect(try Certificate(pemEncoded: String(kept[kept.range(of: "-----BEGIN CERTIFICATE-----")!.lowerBound...])).serialNumber
                == serials[.server])
        // … and renewed by the maintenance run once fewer remain.
        let responder = try await OCSPResponder(dataFolder: data, statuses: registry, audit: registry, logger: Self.logger, now: now + 19 * 86_400)
        let renewed = try await responder.maintain(now: now + 21 * 86_400)
        #expect(Set(renewed) == Set(AuthorityRole.allCases))
        let text = try String(contentsOfFile: "\(data)/ocsp/server.pem", encoding: .utf8)
        #expect(try Certificate(pemEncoded: String(text[text.range(of: "-----BEGIN CERTIFICATE-----")!.lowerBound...])).serialNumber
                != serials[.server])
        #expect(try await registry.auditEvents(named: "ocsp-responder-issued").count == 8)
        #expect(try await responder.maintain(now: now + 21 * 86_400).isEmpty)
    }

    @Test("OCSP-05 POST and GET over plain HTTP: application/ocsp-response; a GET answer is cacheable for what is left of its hour, a POST answer is not; oversized and undecodable requests are refused")
    func overHTTP() async throws {
        let (data, _) = try ServiceTests.dataFolder("ocsp-http")
        let folder = try Self.scratch("http")
        defer { try? FileManager.default.removeItem(atPath: data); try? FileManager.default.removeItem(atPath: folder) }
        let now = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down))
        let statuses = Statuses()
        try await statuses.set("6001", RevocationStatus(issuerRole: .server, revokedAt: nil, reason: .unspecified))
        let responder = try await OCSPResponder(dataFolder: data, statuses: statuses, audit: nil, logger: Self.logger, now: now)
        let repository = RepositoryServer(dataFolder: data, host: "127.0.0.1", port: 0, responder: responder, logger: Self.logger,
                                          clock: { now + 600 })
        let request = try Self.request(data, [("server", "6001")], in: folder)
        // Signed ten minutes before the requests below: they get the kept answer, cacheable for the 50 minutes left.
        _ = await responder.respond(to: request, now: now)
        let encoded = Data(request).base64EncodedString().addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        let app = Application(router: repository.router())
        try await app.test(.router) { client in
            try await client.execute(uri: "/ocsp", method: .post, headers: [.contentType: "application/ocsp-request"],
                                     body: ByteBuffer(bytes: request)) { response in
                #expect(response.status == .ok && response.headers[.contentType] == "application/ocsp-response")
                #expect(response.headers[.cacheControl] == "no-cache")
                let read = try Self.read(Array(Data(buffer: response.body)), data, serial: "6001", in: folder)
                #expect(read.output.contains("6001: good"))
            }
            try await client.execute(uri: "/ocsp/" + encoded, method: .get) { response in
                #expect(response.status == .ok && response.headers[.contentType] == "application/ocsp-response")
                #expect(response.headers[.cacheControl] == "public, max-age=3000, no-transform, must-revalidate")
                #expect(response.headers[.lastModified] != nil && response.headers[.expires] != nil && response.headers[.eTag] != nil)
                let read = try Self.read(Array(Data(buffer: response.body)), data, serial: "6001", in: folder)
                #expect(read.output.contains("6001: good"))
            }
            let urlSafe = Data(request).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
                .replacingOccurrences(of: "=", with: "")
            try await client.execute(uri: "/ocsp/" + urlSafe, method: .get) { response in
                #expect(Array(Data(buffer: response.body)).count > 100)
            }
            try await client.execute(uri: "/ocsp/not*base64", method: .get) { response in
                #expect(response.status == .ok && Array(Data(buffer: response.body)) == [0x30, 0x03, 0x0A, 0x01, 0x01])
            }
            try await client.execute(uri: "/ocsp", method: .post, body: ByteBuffer(bytes: [UInt8](repeating: 0x30, count: 20_000))) { response in
                #expect(response.status == .contentTooLarge)
            }
        }
    }
}
