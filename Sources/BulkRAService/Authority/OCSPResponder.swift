import BulkRAIssue
import BulkRAModel
import BulkRARegistry
import Crypto
import Foundation
import Logging
import SwiftASN1
import X509

/// OCSP-01..OCSP-06: answers OCSP requests for the issuing CAs of one data folder from the registry's statuses, signed
/// by each CA's delegated responder, with signed answers kept for reuse while the status they state is unchanged
/// (Specs/ocsp.md).
public actor OCSPResponder {
    /// OCSP-05: one reply as the repository sends it.
    public struct Reply: Sendable {
        /// OCSP-05: the OCSPResponse DER.
        public let der: [UInt8]
        /// OCSP-06: for a successful single answer without a nonce, its thisUpdate and nextUpdate (HTTP caching);
        /// nil otherwise.
        public let validity: (thisUpdate: Date, nextUpdate: Date)?

        /// OCSP-05: a reply.
        public init(der: [UInt8], validity: (thisUpdate: Date, nextUpdate: Date)?) {
            self.der = der
            self.validity = validity
        }

        /// OCSP-05: the unsigned reply of an unsuccessful status.
        public init(unsuccessful status: OCSPResponse.Status) {
            self.init(der: OCSPResponse(unsuccessful: status).der, validity: nil)
        }
    }

    /// OCSP-03: an answer states the status for this long (its nextUpdate).
    public static let answerLifetime: TimeInterval = 86_400
    /// OCSP-06: a kept answer is signed again once it is this old.
    public static let refreshAge: TimeInterval = 3600
    /// OCSP-06: most answers kept.
    public static let cacheLimit = 100_000

    struct Kept {
        let status: OCSPResponse.CertificateStatus
        let der: [UInt8]
        let thisUpdate: Date
    }

    let dataFolder: String
    let statuses: any RevocationStatusSource
    let audit: (any AuditLog)?
    let logger: Logger
    var issuers: [OCSPIssuer]
    var responders: [AuthorityRole: DelegatedResponder] = [:]
    var kept: [[UInt8]: Kept] = [:]

    /// OCSP-01: a responder for the CAs of `dataFolder`; their responder certificates are loaded, or issued when missing
    /// or near their end.
    public init(dataFolder: String, statuses: any RevocationStatusSource, audit: (any AuditLog)?, logger: Logger, now: Date) async throws {
        self.dataFolder = dataFolder
        self.statuses = statuses
        self.audit = audit
        self.logger = logger
        let store = AuthorityStore(dataFolder: dataFolder)
        issuers = try AuthorityRole.allCases.map { try OCSPIssuer(role: $0, certificate: store.certificate($0)) }
        _ = try await maintain(now: now)
    }

    /// OCSP-01, OCSP-06: renews every responder certificate that is missing or within its renewal margin, and drops kept
    /// answers past their refresh age; returns the roles whose responder was (re)issued.
    public func maintain(now: Date) async throws -> [AuthorityRole] {
        var issued: [AuthorityRole] = []
        for role in AuthorityRole.allCases where !(responders[role]?.isCurrent(at: now) ?? false) {
            if let stored = Self.stored(role, dataFolder: dataFolder), stored.isCurrent(at: now) {
                responders[role] = stored
                continue
            }
            let responder = try Self.issue(role, dataFolder: dataFolder, now: now)
            responders[role] = responder
            issued.append(role)
            let serial = try SerialNumber(bigEndianMagnitude: Array(responder.certificate.serialNumber.bytes))
            logger.notice("ocsp.responder.issued", metadata: ["ocsp.role": "\(role.rawValue)", "certificate.serial": "\(serial.decimal)"])
            try await audit?.audit(AuditEvent(event: "ocsp-responder-issued", serial: serial,
                                              detail: "\(role.rawValue) until \(UTCTimestamp.string(responder.certificate.notValidAfter))", at: now))
        }
        kept = kept.filter { now.timeIntervalSince($0.value.thisUpdate) < Self.refreshAge }
        return issued
    }

    /// OCSP-02..OCSP-05: the reply to a DER request at `now`: malformedRequest for what is not one, unauthorized when it
    /// names a CA this responder does not answer for, internalError when the registry cannot be read; otherwise one
    /// answer per certificate asked about.
    public func respond(to request: [UInt8], now: Date) async -> Reply {
        let parsed: OCSPRequest
        do {
            parsed = try OCSPRequest(der: request)
        } catch {
            return Reply(unsuccessful: .malformedRequest)
        }
        let roles = parsed.items.map { item in issuers.first { $0.issued(item) }?.role }
        guard let role = roles.first ?? nil, roles.allSatisfy({ $0 == role }), let responder = responders[role] else {
            return Reply(unsuccessful: .unauthorized)
        }
        let thisUpdate = Date(timeIntervalSince1970: now.timeIntervalSince1970.rounded(.down))
        do {
            var answers: [OCSPResponse.Answer] = []
            for item in parsed.items {
                answers.append(OCSPResponse.Answer(certificateID: item.certificateID, status: try await status(of: item, role: role),
                                                   thisUpdate: thisUpdate, nextUpdate: thisUpdate + Self.answerLifetime))
            }
            let single = answers.count == 1 && parsed.nonce == nil
            if single, let reuse = kept[answers[0].certificateID], reuse.status == answers[0].status,
               now.timeIntervalSince(reuse.thisUpdate) < Self.refreshAge {
                return Reply(der: reuse.der, validity: (reuse.thisUpdate, reuse.thisUpdate + Self.answerLifetime))
            }
            let der = try OCSPResponse(answers: answers, responder: responder, producedAt: thisUpdate, nonce: parsed.nonce).der
            guard single else { return Reply(der: der, validity: nil) }
            if kept.count >= Self.cacheLimit { kept.removeAll(keepingCapacity: true) }
            kept[answers[0].certificateID] = Kept(status: answers[0].status, der: der, thisUpdate: thisUpdate)
            return Reply(der: der, validity: (thisUpdate, thisUpdate + Self.answerLifetime))
        } catch {
            logger.error("ocsp.failed", metadata: ["ocsp.role": "\(role.rawValue)", "error": "\(error)"])
            return Reply(unsuccessful: .internalError)
        }
    }

    /// OCSP-03: good when the registry holds the serial as issued by this CA and not revoked, revoked with its time and
    /// reason when it is, unknown otherwise (never good for a serial the CA did not issue).
    func status(of item: OCSPRequest.Item, role: AuthorityRole) async throws -> OCSPResponse.CertificateStatus {
        guard let serial = item.serial, let stored = try await statuses.revocationStatus(serial: serial), stored.issuerRole == role else {
            return .unknown
        }
        if let revokedAt = stored.revokedAt { return .revoked(revokedAt, stored.reason) }
        return .good
    }

    /// OCSP-01: `DATA/ocsp/<role>.pem` (key and certificate in one file, mode 0600), when its key is its certificate's.
    static func stored(_ role: AuthorityRole, dataFolder: String) -> DelegatedResponder? {
        guard let text = try? String(contentsOfFile: path(role, dataFolder: dataFolder), encoding: .utf8),
              let documents = try? PEMDocument.parseMultiple(pemString: text),
              let keyDocument = documents.first(where: { $0.discriminator == "PRIVATE KEY" || $0.discriminator == "EC PRIVATE KEY" }),
              let certificateDocument = documents.first(where: { $0.discriminator == "CERTIFICATE" }),
              let key = try? P256.Signing.PrivateKey(pemRepresentation: keyDocument.pemString),
              let certificate = try? Certificate(pemDocument: certificateDocument) else { return nil }
        return try? DelegatedResponder(role: role, certificate: certificate, privateKey: key)
    }

    /// OCSP-01: issues a new responder certificate from the CA and keeps it with its key in `DATA/ocsp/<role>.pem`
    /// (written whole and renamed into place, so instances sharing the folder never read half a file).
    static func issue(_ role: AuthorityRole, dataFolder: String, now: Date) throws -> DelegatedResponder {
        let authority = try AuthorityStore(dataFolder: dataFolder).authority(role)
        let key = P256.Signing.PrivateKey()
        let serial = SerialNumberGenerator(randomBytes: SystemRandom.bytes).next()
        let responder = try DelegatedResponder.issue(by: authority, key: key, serial: serial, now: now)
        let folder = dataFolder + "/ocsp"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let text = key.pemRepresentation + "\n" + (try responder.certificate.serializeAsPEM().pemString) + "\n"
        try OutputFolder.writeAtomically(text, to: path(role, dataFolder: dataFolder), mode: 0o600)
        return responder
    }

    static func path(_ role: AuthorityRole, dataFolder: String) -> String { dataFolder + "/ocsp/\(role.rawValue).pem" }
}
