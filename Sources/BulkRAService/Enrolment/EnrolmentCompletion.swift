import BulkRAIssue
import BulkRAModel
import BulkRARegistry
import BulkRAReport
import BulkRAValidate
import Foundation
import Logging

/// Completes a method-3 line with the user's CSR (ENR-01..ENR-05): `bulkra enroll` and the desk's
/// enrolment page share it. Token problems are thrown; CSR problems come back as diagnostics.
public struct EnrolmentCompletion: ServiceStep {
    let environment: ServiceEnvironment

    /// ENR-01: completion in `environment`.
    public init(_ environment: ServiceEnvironment) {
        self.environment = environment
    }

    /// ENR-01: the certificate issued, or why the CSR was refused.
    public enum Outcome: Sendable {
        case issued(IssuedCertificate)
        case rejected([Diagnostic])
    }

    /// The enrolment behind `token`, if it can still be used (ENR-05: unknown, used and expired tokens say which).
    public func open(token: String, now: Date) throws -> EnrolmentRecord {
        guard let enrolment = try registry.enrolment(tokenSHA256: ContentDigest.sha256(Array(token.utf8))) else {
            throw OperationalError(.notFound, LocalizedText(ja: "登録トークンが見つかりません", en: "Unknown enrolment token"))
        }
        if enrolment.usedAt != nil {
            throw OperationalError(.invalidRequest, LocalizedText(ja: "この登録トークンは使用済みです（シリアル番号 \(enrolment.serial?.decimal ?? "-")）",
                                                                  en: "This enrolment token was already used (serial \(enrolment.serial?.decimal ?? "-"))"))
        }
        if enrolment.expires <= now {
            throw OperationalError(.invalidRequest, LocalizedText(ja: "この登録トークンは有効期限切れです（\(JapanTime.format(enrolment.expires))）",
                                                                  en: "This enrolment token expired at \(JapanTime.format(enrolment.expires)) JST"))
        }
        return enrolment
    }

    /// Checks the CSR against the stored line as the registry is now, issues and records under the registry's write lock
    /// (REG-17); the mails go through the outbox (REG-18).
    public func complete(token: String, signingRequest: String, now: Date) throws -> Outcome {
        let enrolment = try open(token: token, now: now)
        let digest = ContentDigest.sha256(Array(token.utf8))
        let context = UploadContext(institutionID: enrolment.institutionID, kind: .client, operation: enrolment.operation,
                                    officerEmail: enrolment.officerEmail)
        let settings = try MailSettings.load(data: data)
        let authority = try environment.authorities.authority(.client)
        let sealing = try OutboxPayload.key(data: data)
        let (outcome, claimed) = try registry.serializable(.institution(enrolment.institutionID)) { transaction -> (Outcome, [PendingDelivery]) in
            let outcome = try EnrolmentValidator(context: context, directory: transaction, now: now, logger: logger)
                .validate(record: enrolment.record, signingRequest: signingRequest)
            switch outcome {
            case .rejected(let diagnostics):
                return (.rejected(diagnostics), [])
            case .accepted(let request, let parsed):
                let serials = SerialNumberGenerator(randomBytes: environment.randomBytes)
                let serial = try serials.unused(1, takenSerials: transaction.takenSerials)[0]
                let issuer = CertificateIssuer(authority: authority, serials: serials, logger: logger)
                let issued = try issuer.issue(request, now: now, publicKey: try parsed.publicKey(), serial: serial)
                CrashPoint.afterSigning.reach(data: data)
                let name = try transaction.institution(id: enrolment.institutionID)?.name ?? enrolment.institutionID
                let tag = environment.batchTag(String(digest.prefix(12)))
                let composer = NotificationComposer(from: settings.from, institutionName: name, officer: nil, deskURL: settings.deskURL,
                                                    now: now, batchTag: tag)
                let mails = composer.mails(issued: IssuedBatch(certificates: [issued]), revocations: [])
                let batchID = try transaction.completeEnrolment(tokenSHA256: digest,
                                                                certificate: UploadApplier.record(issued, institution: enrolment.institutionID, state: .issued))
                let claimed = try transaction.enqueue([OutboxItem(kind: .mails, payload: try sealing.packed(Outbox.bundle(mails, now: now, tag: tag)))],
                                                      batchID: batchID, claimant: OutboxDelivery.claimant())
                return (.issued(issued), claimed)
            }
        }
        CrashPoint.afterCommit.reach(data: data)
        let delivered = try OutboxDelivery(data: data, registry: registry, logger: logger, sealing: sealing).run(claimed: claimed, now: now)
        for warning in delivered.warnings { logger.warning("outbox.relay.failed", metadata: ["error": "\(warning.en)"]) }
        return outcome
    }
}
