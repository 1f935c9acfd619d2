import BulkRAModel

/// What an issue or renew line asks for, one case per certificate family (VAL-R01); issuance switches over it (ISS-04, ISS-05).
///
/// PERF-31: the cases are indirect — an application is copied and dropped whole many times between validation and recording
/// (line results, requests, jobs, issued certificates), and a boxed payload makes each of those one reference count instead of
/// one per string, array and key inside it.
public indirect enum CertificateApplication: Sendable {
    /// A TLS server certificate from a CSR (SRV-01..SRV-14).
    case server(ServerApplication)
    /// A client-authentication or S/MIME certificate (CLT-01..CLT-08, SMM-01, SMM-02).
    case client(ClientApplication)
    /// A code-signing certificate from a CSR (COD-01..COD-03).
    case codeSigning(CodeSigningApplication)

    /// The values every family's line has (VAL-R01), read in one switch.
    public struct Common: Sendable {
        /// The 1-based line number in the upload (VAL-03).
        public let line: Int
        /// The subject DN (DN-05).
        public let subject: SubjectDistinguishedName
        /// The registered domain of the line, if it has one (SRV-11, CLT-08, COD-03).
        public let domain: DomainName?
        /// The profile, one of the family's (SRV-01, CLT-02, COD-02).
        public let profile: CertificateProfile
        /// The user-administrator, who receives the issue notice (MAIL-06).
        public let administrator: Contact
    }
}

extension CertificateApplication {
    /// VAL-R01: what every family's line has, in one switch.
    public var common: Common {
        switch self {
        case .server(let server):
            return Common(line: server.line, subject: server.subject, domain: server.domain, profile: server.profile,
                          administrator: server.administrator)
        case .client(let client):
            return Common(line: client.line, subject: client.subject, domain: client.domain, profile: client.profile,
                          administrator: client.administrator)
        case .codeSigning(let codeSigning):
            return Common(line: codeSigning.line, subject: codeSigning.subject, domain: codeSigning.domain, profile: codeSigning.profile,
                          administrator: codeSigning.administrator)
        }
    }

    /// The certificate family (VAL-R01).
    public var family: CertificateFamily {
        switch self {
        case .server: return .server
        case .client: return .client
        case .codeSigning: return .codeSigning
        }
    }

    /// The CSR of a server or code-signing line; client keys are made by the service or enrolled later (ISS-12, ISS-15).
    public var signingRequest: SigningRequest? {
        switch self {
        case .server(let server): return server.signingRequest
        case .client: return nil
        case .codeSigning(let codeSigning): return codeSigning.signingRequest
        }
    }
}
