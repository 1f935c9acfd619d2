import BulkRADecode
import BulkRAModel
import Foundation

/// The line rules of ACME uploads that need no registry lookup beyond the institution profile (Specs/acme-tsv.md,
/// ACME-T01..ACME-T06): the server rules for the DN, profile, contact, FQDN and names, plus the account ID of column 3.
struct ACMELineChecker: Sendable {
    /// The server checks in the ACME layout.
    let server: CertificateLineChecker
    static let accountColumn = 3

    init(operation: UploadOperation, institution: InstitutionProfile, officer: KnownOfficer?, now: Date) {
        server = CertificateLineChecker(family: .server, operation: operation, institution: institution, officer: officer,
                                        layout: .of(.acme, operation: operation), now: now, isACME: true)
    }

    /// A line after the local checks.
    struct Draft: Sendable {
        var base: CertificateLineChecker.Draft
        /// Column 3 of renew and suspend lines.
        var account: ACMEAccountID?

        var check: LineCheck {
            get { base.check }
            set { base.check = newValue }
        }

        /// ACME-T03: the accepted request of a clean line; `nil` when the line has a fault.
        mutating func accept() -> AcceptedRequest? {
            guard check.isClean else { return nil }
            if let request = build() { return request }
            if check.isClean { check.report(.requiredValueMissing, column: 0) }
            return nil
        }

        private mutating func build() -> AcceptedRequest? {
            typealias C = CertificateLineChecker
            let b = base
            switch b.operation {
            case .revoke:
                return base.accept().map(AcceptedRequest.certificate)
            case .suspend:
                guard let subject = b.subject, let account, let reason = b.revocationReason else { return nil }
                return .acme(.suspend(ACMESuspension(line: b.check.line, subject: subject, account: account, reason: reason,
                                                     comment: b.revocationComment, administratorEmail: b.administratorEmail)))
            case .issue, .renew:
                guard let subject = b.subject, let domain = b.domain, let profile = b.profile, let email = b.administratorEmail,
                      let software = b.serverSoftware, let commonName = subject.commonName.flatMap({ try? DomainName($0) }),
                      b.operation == .issue || account != nil else { return nil }
                // ACME-T04: the CN leads the names an order may hold.
                let names = [commonName] + b.dnsNames.filter { $0 != commonName }
                let registration = ACMERegistration(
                    line: b.check.line, subject: subject, domain: domain, profile: profile, names: names, serverSoftware: software,
                    administrator: Contact(name: b.administratorName, affiliation: b.administratorAffiliation, email: email))
                if let account { return .acme(.update(registration, account: account)) }
                return .acme(.register(registration))
            case .update, .apply:
                return nil
            }
        }
    }

    func draft(malformed diagnostic: Diagnostic) -> Draft {
        Draft(base: server.draft(malformed: diagnostic))
    }

    func draft(_ row: ACMERow) -> Draft {
        var draft = Draft(base: server.draft(row))
        if server.operation == .renew || server.operation == .suspend {
            draft.account = draft.check.parse(Self.accountColumn, row.accountID) { raw throws(ValueError) in try ACMEAccountID(raw) }
        }
        return draft
    }
}
