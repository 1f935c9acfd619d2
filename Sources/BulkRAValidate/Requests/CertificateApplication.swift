import BulkRAModel

/// What an issue or renew line asks for, one case per certificate family (VAL-R01); issuance switches over it (ISS-04, ISS-05).
public enum CertificateApplication: Sendable {
    /// A TLS server certificate from a CSR (SRV-01..SRV-14).
    case server(ServerApplication)
    /// A client-authentication or S/MIME certificate (CLT-01..CLT-08, SMM-01, SMM-02).
    case client(ClientApplication)
    /// A code-signing certificate from a CSR (COD-01..COD-03).
    case codeSigning(CodeSigningApplication)
}

extension CertificateApplication {
    /// The 1-based line number in the upload (VAL-03).
    public var line: Int {
        switch self {
        case .server(let server): return server.line
        case .client(let client): return client.line
        case .codeSigning(let codeSigning): return codeSigning.line
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

    /// The subject DN (DN-05).
    public var subject: SubjectDistinguishedName {
        switch self {
        case .server(let server): return server.subject
        case .client(let client): return client.subject
        case .codeSigning(let codeSigning): return codeSigning.subject
        }
    }

    /// The profile, one of the family's (SRV-01, CLT-02, COD-02).
    public var profile: CertificateProfile {
        switch self {
        case .server(let server): return server.profile
        case .client(let client): return client.profile
        case .codeSigning(let codeSigning): return codeSigning.profile
        }
    }

    /// The registered domain of the line, if it has one (SRV-11, CLT-08, COD-03).
    public var domain: DomainName? {
        switch self {
        case .server(let server): return server.domain
        case .client(let client): return client.domain
        case .codeSigning(let codeSigning): return codeSigning.domain
        }
    }

    /// The user-administrator, who receives the issue notice (MAIL-06).
    public var administrator: Contact {
        switch self {
        case .server(let server): return server.administrator
        case .client(let client): return client.administrator
        case .codeSigning(let codeSigning): return codeSigning.administrator
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
