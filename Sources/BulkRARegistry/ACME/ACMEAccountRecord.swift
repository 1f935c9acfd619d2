import BulkRAModel
import BulkRAValidate
import Foundation

/// An ACME account as the registry keeps it: what the officer registered and where the account is in its life
/// (Specs/acme-tsv.md ACME-T08).
public struct ACMEAccountRecord: Sendable, Hashable {
    /// ACME-T08: where an account is in its life.
    public enum State: String, Sendable, Hashable, Codable {
        /// Registered by an upload; no client has bound a key yet.
        case registered
        /// A client bound its key with the EAB credentials; orders are taken (RFC 8555 `valid`).
        case valid
        /// Stopped by an officer's suspend line; the client gets `unauthorized`.
        case suspended
        /// Deactivated by its client (RFC 8555 §7.3.6); final.
        case deactivated

        /// Whether the account still takes updates and, once bound, orders.
        public var isLive: Bool { self == .registered || self == .valid }
    }

    /// The account ID, the last segment of its URL.
    public let id: ACMEAccountID
    /// The owning institution.
    public let institutionID: String
    /// The subject DN of its certificates (CN, O, L, ST, C).
    public let subject: SubjectDistinguishedName
    /// The registered domain of the CN.
    public let domain: DomainName
    /// The names orders may hold, the CN first (at most 8).
    public let names: [DomainName]
    /// Profile 3 (RSA-2048) or 11 (ECDSA P-384).
    public let profile: CertificateProfile
    /// Server software and version.
    public let serverSoftware: String
    /// The user-administrator's name (may be empty).
    public let administratorName: String
    /// The user-administrator's affiliation (may be empty).
    public let administratorAffiliation: String
    /// The user-administrator's e-mail, who receives the EAB credentials and the certificates' notices.
    public let administratorEmail: String
    /// The state.
    public let state: State
    /// ACME-13: the client's key once bound (its JWK, canonical JSON), nil while registered.
    public let key: String?
    /// ACME-13: the contact URLs the client gave.
    public let contact: [String]
    /// ACME-13: whether the owning institution still uses the service, as the registry read it with the account.
    public let institutionActive: Bool

    /// Creates a record.
    public init(id: ACMEAccountID, institutionID: String, subject: SubjectDistinguishedName, domain: DomainName, names: [DomainName],
                profile: CertificateProfile, serverSoftware: String, administratorName: String, administratorAffiliation: String,
                administratorEmail: String, state: State, key: String? = nil, contact: [String] = [], institutionActive: Bool = true) {
        self.key = key
        self.contact = contact
        self.institutionActive = institutionActive
        self.id = id
        self.institutionID = institutionID
        self.subject = subject
        self.domain = domain
        self.names = names
        self.profile = profile
        self.serverSoftware = serverSoftware
        self.administratorName = administratorName
        self.administratorAffiliation = administratorAffiliation
        self.administratorEmail = administratorEmail
        self.state = state
    }

    /// ACME-T04, ACME-T05: the record of what a create or update line registers.
    public init(id: ACMEAccountID, institutionID: String, registration: ACMERegistration, state: State = .registered) {
        self.init(id: id, institutionID: institutionID, subject: registration.subject.canonical, domain: registration.domain,
                  names: registration.names, profile: registration.profile, serverSoftware: registration.serverSoftware.text,
                  administratorName: registration.administrator.name?.text ?? "",
                  administratorAffiliation: registration.administrator.affiliation?.text ?? "",
                  administratorEmail: registration.administrator.email.address, state: state)
    }

    /// The CN, the account's fixed FQDN.
    public var commonName: DomainName { names[0] }
}
