import BulkRAIssue
import BulkRAModel
import BulkRARegistry
import BulkRAReport
import BulkRAValidate
import X509

/// PERF-15: server and code-signing certificates of an issue upload signed before the registry's write lock, with what
/// they were signed from. Under the lock the upload is checked again against the transaction; the certificates are
/// used only when that check came out the same — the same institution and officer facts, the same diagnostics on every
/// line, so the same requests — and none of their serials was taken meanwhile. Otherwise they are dropped unseen and
/// the lines are signed under the lock as before: nothing signed leaves the process before the commit either way.
/// Their links and mails are made before the lock too, from the same institution facts. A CA rolled over in between (the
/// certificates no longer verify under the key that issues now) drops them as well.
struct SignedBeforeLock: Sendable {
    /// What the checks read of the institution and the uploading officer.
    let institution: InstitutionProfile?
    let officer: KnownOfficer?
    /// Each line's number and diagnostics, in upload order.
    let lines: [LineOutcome]
    /// The certificates, in upload order.
    let issued: IssuedBatch
    /// Their one-time certificate links (RET-01), sealed.
    let certificateLinks: DeliveryLinks
    /// Their mails (MAIL-02), rendered and sealed as the outbox stores them; nil when there are none.
    let mails: SealedMails?

    /// One line of the check the certificates were signed after.
    struct LineOutcome: Sendable, Equatable {
        let line: Int
        let diagnostics: [Diagnostic]
    }

    /// PERF-15: the outcome of the check `batch` line by line.
    static func outcomes(_ batch: ValidatedBatch) -> [LineOutcome] {
        batch.lines.map { LineOutcome(line: $0.line, diagnostics: $0.diagnostics) }
    }

    /// PERF-15: whether the check under the lock (`batch`, with the institution and officer it read) came out as the
    /// one these certificates were signed after.
    func holds(for batch: ValidatedBatch, institution: InstitutionProfile?, officer: KnownOfficer?) -> Bool {
        self.institution == institution && self.officer == officer && batch.fileDiagnostics.isEmpty
            && lines == Self.outcomes(batch)
    }

    /// PERF-15: whether the certificates were signed by the key that issues their family now (`authorities` as their files
    /// are now, PERF-91; one issuer signs a whole batch, so the first certificate tells).
    func isSigned(byCurrentAuthorityOf authorities: LoadedAuthorities) throws -> Bool {
        guard let first = issued.certificates.first else { return true }
        let authority = try authorities.authority(AuthorityRole(first.application.family)).certificate
        let certificate = try Certificate(derEncoded: first.der)
        return authority.publicKey.isValidSignature(certificate.signature, for: certificate)
    }
}
