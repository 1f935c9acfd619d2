import BulkRAACME
import BulkRAIssue
import BulkRAModel
import BulkRARegistry
import BulkRAReport
import BulkRAValidate
import Foundation
import NIOPosix
import SwiftASN1
import X509

/// ACME-10, ACME-16, ACME-17: finalize, certificate download, revocation and renewal information.
extension ACMEServer {
    /// ACME-16: finalize. The order must be the account's and ready; the CSR must ask for exactly the order's names with the
    /// key type of the account's profile (`badCSR` otherwise, the order stays ready). In one transaction under the
    /// institution's lock the order, account and institution are read, the certificate is signed (89 days, capped by
    /// ValidityPolicy; the account's registered DN), recorded as an ordinary server certificate of the account, and its
    /// notice queued; only then does the answer leave.
    func finalize(_ signed: SignedRequest, orderID: String, account: ACMEAccountRecord, now: Date) async throws -> ACMEExchange.Response {
        let payload = try ACMEJSON.decode(FinalizePayload.self, from: signed.payload, what: "the finalize payload")
        guard let der = Base64URL.decode(payload.csr), !der.isEmpty else { throw ACMEProblem(.malformed, "csr must be base64url DER") }
        // The CSR's signature is checked before the write lock is taken; what it asks for is checked inside.
        let request: SigningRequest
        do { request = try SigningRequest(der: der) } catch { throw Self.badCSR(error) }
        let data = environment.dataFolder
        let serials = SerialNumberGenerator(randomBytes: environment.randomBytes)
        let issuer = CertificateIssuer(authority: try environment.authorities.authority(.server), serials: serials,
                                       validity: ValidityPolicy(serverDays: Self.validityDays), logger: logger)
        let settings = try MailSettings.load(data: data), sealing = try OutboxPayload.key(data: data)
        let accountURL = accountURL(account.id.text), tag = environment.batchTag("acme")
        let (claimed, finished) = try await store.serializableAsync(.institution(account.institutionID)) { transaction -> ([PendingDelivery], ACMEOrderRecord) in
            guard let locked = try transaction.acmeOrder(id: orderID), locked.accountID == account.id.text else {
                throw ACMEProblem(.malformed, "no order of this account has this URL")
            }
            guard locked.status == .ready, locked.expires > transaction.now else {
                throw ACMEProblem(.orderNotReady, "the order is \(locked.expires <= transaction.now ? "expired" : locked.status.rawValue), not ready")
            }
            guard let current = try transaction.acmeAccount(id: account.id.text), current.state.isLive else {
                throw ACMEProblem(.unauthorized, "the account was suspended or deactivated")
            }
            guard let institution = try transaction.institution(id: account.institutionID), institution.isActive else {
                throw ACMEProblem(.unauthorized, "the account's institution no longer uses the service")
            }
            // The CSR is checked against the registration as this transaction reads it (an officer's update may have
            // changed the profile since the order was placed).
            let application = try Self.application(order: locked, account: current, csr: request)
            let serial = try serials.unused(1, takenSerials: transaction.takenSerials)[0]
            let issued = try issuer.issue(.issue(.server(application)), now: transaction.now, serial: serial)
            try transaction.recordACMECertificate(UploadApplier.record(issued, institution: account.institutionID, state: .issued,
                                                                       acmeAccountID: account.id.text), orderID: orderID)
            let composer = NotificationComposer(from: settings.from, institutionName: institution.name, officer: nil, deskURL: settings.deskURL,
                                                now: transaction.now, batchTag: tag)
            let mails = [composer.acmeIssued(issued, accountURL: accountURL)]
            let claimed = try transaction.enqueue([OutboxItem(kind: .mails, payload: try sealing.packed(Outbox.bundle(mails, now: transaction.now, tag: tag)))],
                                                  batchID: nil, claimant: OutboxDelivery.claimant())
            return (claimed, locked.finished(with: issued.serial))
        }
        await deliver(claimed, sealing: sealing, now: now)
        logger.info("acme.order.finalized", metadata: ["acme.order": "\(orderID)", "certificate.serial": "\(finished.certificateSerial?.decimal ?? "-")"])
        return json(200, object(finished, now: now), location: orderURL(orderID))
    }

    /// ACME-16: the order's server application from the CSR, or `badCSR` saying why not.
    static func application(order: ACMEOrderRecord, account: ACMEAccountRecord, csr request: SigningRequest) throws(ACMEProblem) -> ServerApplication {
        do {
            return try ServerApplication(acmeOrder: order.names, csr: request, subject: account.subject, domain: account.domain,
                                         profile: account.profile, serverSoftware: account.serverSoftware,
                                         administratorName: account.administratorName,
                                         administratorAffiliation: account.administratorAffiliation,
                                         administratorEmail: account.administratorEmail)
        } catch {
            throw badCSR(error)
        }
    }

    /// ACME-16: a `badCSR` problem saying what is wrong with the CSR.
    static func badCSR(_ error: ValueError) -> ACMEProblem {
        let detail = error.detail?.en.trimmingCharacters(in: CharacterSet(charactersIn: "()")) ?? ""
        return ACMEProblem(.badCSR, detail.isEmpty ? error.code.standardMessage(field: FieldName("CSR", "CSR")).en : detail)
    }

    /// ACME-16: ACME certificates are valid 89 days, never more than ValidityPolicy allows on the day.
    static let validityDays = 89

    /// REG-18: what the commit queued, delivered by this process now (another process takes over if it dies first).
    /// The delivery reads and writes the registry and files synchronously: it runs on NIO's blocking pool, never on the
    /// cooperative threads (blocked there, they starve the async reads that would free the connections it waits for).
    func deliver(_ claimed: [PendingDelivery], sealing: OutboxPayload, now: Date) async {
        guard !claimed.isEmpty else { return }
        let data = environment.dataFolder, store = store, logger = logger
        do {
            _ = try await NIOThreadPool.singleton.runIfActive {
                try OutboxDelivery(data: data, registry: store, logger: logger, sealing: sealing).run(claimed: claimed, now: now)
            }
        } catch {
            // Committed and queued: the maintenance run delivers it; the client's answer does not depend on the mail.
            logger.warning("acme.delivery.deferred", metadata: ["error": "\(error)"])
        }
    }

    /// ACME-16: the certificate with its issuing CA (`application/pem-certificate-chain`), for the account that ordered it.
    func certificate(_ serialText: String, account: ACMEAccountRecord) async throws -> ACMEExchange.Response {
        guard let serial = try? SerialNumber(serialText), let record = try await store.certificate(serial: serial),
              record.acmeAccountID == account.id.text else {
            throw ACMEProblem(.malformed, "no certificate of this account has this URL")
        }
        let pem = IssuedCertificate.pem(record.der) + (try environment.authorities.chainPEM(.server))
        return ACMEExchange.Response(status: 200, headers: [("Content-Type", "application/pem-certificate-chain")], body: Array(pem.utf8))
    }

    /// ACME-17: revokeCert, signed by the account that ordered the certificate (or one of its institution registered for
    /// all its names) or by the certificate's own key; reasons 0, 1, 3, 4, 5. The revocation is recorded, mailed and put
    /// on the CRL as every revocation is.
    func revoke(_ signed: SignedRequest, signer: ACMEAccountRecord?, now: Date) async throws -> ACMEExchange.Response {
        let payload = try ACMEJSON.decode(RevocationPayload.self, from: signed.payload, what: "the revocation payload")
        guard let der = Base64URL.decode(payload.certificate), let parsed = try? Certificate(derEncoded: der),
              let serial = try? SerialNumber(bigEndianMagnitude: Array(parsed.serialNumber.bytes)),
              let record = try await store.certificate(serial: serial), record.der == der else {
            throw ACMEProblem(.malformed, "the certificate was not issued by this server")
        }
        guard let reason = RevocationReason(rawValue: payload.reason ?? 0) else {
            throw ACMEProblem(.badRevocationReason, "reasons 0, 1, 3, 4 and 5 are taken")
        }
        switch signed.signer {
        case .account:
            let account = try authenticated(signed, signer)
            let registered = record.institutionID == account.institutionID && Set(record.dnsNames).isSubset(of: Set(account.names))
            guard record.acmeAccountID == account.id.text || registered else {
                throw ACMEProblem(.unauthorized, "this account may not revoke this certificate")
            }
        case .key:
            let key = try signed.verifiedKey()
            guard JSONWebKey(certificateKey: parsed.publicKey) == key else {
                throw ACMEProblem(.unauthorized, "the request is signed neither by an account nor by the certificate's key")
            }
        }
        guard record.state != .revoked else { throw ACMEProblem(.alreadyRevoked, "the certificate is already revoked") }
        let data = environment.dataFolder
        let settings = try MailSettings.load(data: data), sealing = try OutboxPayload.key(data: data), tag = environment.batchTag("acme-revoke")
        let claimed = try await store.serializableAsync(.institution(record.institutionID)) { transaction -> [PendingDelivery] in
            guard let current = try transaction.storedCertificates(serials: [serial]).first, current.state != .revoked else {
                throw ACMEProblem(.alreadyRevoked, "the certificate is already revoked")
            }
            try transaction.revokeACMECertificate(serial: serial, reason: reason, comment: "ACME revokeCert")
            let institutionName = try transaction.institution(id: record.institutionID)?.name ?? record.institutionID
            let composer = NotificationComposer(from: settings.from, institutionName: institutionName, officer: nil, deskURL: settings.deskURL,
                                                now: transaction.now, batchTag: tag)
            let mails = composer.mails(issued: .empty, revocations: [NotificationComposer.Revocation(current, reason: reason, at: transaction.now)])
            return try transaction.enqueue([OutboxItem(kind: .mails, payload: try sealing.packed(Outbox.bundle(mails, now: transaction.now, tag: tag))),
                                            OutboxItem(kind: .crls)], batchID: nil, claimant: OutboxDelivery.claimant())
        }
        await deliver(claimed, sealing: sealing, now: now)
        logger.info("acme.certificate.revoked", metadata: ["certificate.serial": "\(serial.decimal)", "revocation.reason": "\(reason.rawValue)"])
        return ACMEExchange.Response(status: 200, headers: [], body: [])
    }

    /// ACME-10: renewal information for a certificate of this server's server CA (`Retry-After` six hours).
    func renewalInfo(_ identifier: String, now: Date) async throws -> ACMEExchange.Response {
        guard let (keyIdentifier, serialContent) = RenewalInfo.parse(identifier: identifier) else {
            throw ACMEProblem(.malformed, "the renewal-information identifier is not AKI.serial in base64url")
        }
        let authority = try environment.authorities.authority(.server).certificate
        guard let ours = try? authority.extensions.subjectKeyIdentifier?.keyIdentifier, Array(ours) == keyIdentifier,
              let serial = try? SerialNumber(bigEndianMagnitude: Array(serialContent.drop { $0 == 0 })),
              let record = try await store.certificate(serial: serial), record.issuerRole == .server,
              let notBefore = record.notBefore, let notAfter = record.notAfter else {
            return ACMEExchange.Response(status: 404, headers: [("Content-Type", "application/problem+json")],
                                         body: ACMEJSON.encode(ACMEProblem(.malformed, "no certificate of this server has this identifier")))
        }
        let info = RenewalInfo(notBefore: notBefore, notAfter: notAfter, revoked: record.state == .revoked, now: now)
        return ACMEExchange.Response(status: 200, headers: [("Content-Type", "application/json"), ("Retry-After", "21600")],
                                     body: ACMEJSON.encode(info))
    }
}
