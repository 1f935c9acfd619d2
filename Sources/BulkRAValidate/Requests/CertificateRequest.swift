import BulkRAModel

/// An accepted issue, renew or revoke line of a certificate family: the input of issuance (Specs/validation.md, VAL-R01).
///
/// Holding one means every rule of its family and operation passed. Each case carries only the
/// values its operation has, validated; what a family adds is in the application's own case.
public enum CertificateRequest: Sendable {
    /// An issue line (SRV-01, COD-01, VAL-I02): a new certificate for an identity the registry does not hold.
    case issue(CertificateApplication)
    /// A renew line (VAL-I03): a new certificate replacing `replacing`, which becomes state 6 once issued (REV-06).
    case renew(CertificateApplication, replacing: SerialNumber)
    /// A revoke line (REV-01..REV-05).
    case revoke(RevocationRequest)
}

extension CertificateRequest {
    /// VAL-R01: the issue line of `application`, or its renew line when it replaces a certificate.
    public init(_ application: CertificateApplication, replacing replaced: SerialNumber?) {
        self = replaced.map { .renew(application, replacing: $0) } ?? .issue(application)
    }

    /// The 1-based line number in the upload (VAL-03).
    public var line: Int {
        switch self {
        case .issue(let application), .renew(let application, _): return application.common.line
        case .revoke(let revocation): return revocation.line
        }
    }

    /// The certificate family the line belongs to (VAL-R01).
    public var family: CertificateFamily {
        switch self {
        case .issue(let application), .renew(let application, _): return application.family
        case .revoke(let revocation): return revocation.family
        }
    }

    /// Issue, renew or revoke (VAL-R01).
    public var operation: UploadOperation {
        switch self {
        case .issue: return .issue
        case .renew: return .renew
        case .revoke: return .revoke
        }
    }

    /// The subject DN as written in column 1, server CN folded to lower case (SRV-05, VAL-I01).
    public var subject: SubjectDistinguishedName {
        switch self {
        case .issue(let application), .renew(let application, _): return application.common.subject
        case .revoke(let revocation): return revocation.subject
        }
    }

    /// The registered domain the line belongs to, if any (SRV-11, CLT-08, COD-03, REV-05).
    public var domain: DomainName? {
        switch self {
        case .issue(let application), .renew(let application, _): return application.common.domain
        case .revoke(let revocation): return revocation.domain
        }
    }

    /// The application of an issue or renew line; `nil` for a revocation (ISS-06).
    public var application: CertificateApplication? {
        switch self {
        case .issue(let application), .renew(let application, _): return application
        case .revoke: return nil
        }
    }

    /// The certificate a renew line replaces (VAL-I03); `nil` for issue and revoke lines.
    public var replacedSerial: SerialNumber? {
        if case .renew(_, let serial) = self { return serial }
        return nil
    }

    /// The identity used for new-versus-renew (VAL-I01): server CN, otherwise the canonical DN.
    public var identity: String { CertificateRequest.identity(of: subject, family: family) }

    /// VAL-I01: server CN folded to lower case, otherwise the canonical DN.
    public static func identity(of subject: SubjectDistinguishedName, family: CertificateFamily) -> String {
        family == .server ? (subject.commonName ?? "").lowercasedAvoidingCopy : subject.canonical.description
    }
}
