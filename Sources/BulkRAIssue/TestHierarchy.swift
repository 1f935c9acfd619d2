import BulkRAModel
import Crypto
import Foundation
import SwiftASN1
import X509

/// A test CA hierarchy — a root and one issuing CA per role — clearly named as test material (ISS-01).
///
/// The keys, the clock and the serials are passed in; the CLI makes fresh keys in the data folder.
public struct TestHierarchy: Sendable {
    /// The self-signed root.
    public let root: Certificate
    /// The issuing CAs by role, each with its chain up to the root.
    public let authorities: [AuthorityRole: IssuingAuthority]

    /// Builds the hierarchy: a 20-year root and 10-year issuing CAs (path length 0).
    public init(rootKey: Certificate.PrivateKey, issuingKeys: [AuthorityRole: Certificate.PrivateKey], now: Date,
                serials: SerialNumberGenerator, urls: (AuthorityRole) -> AuthorityURLs) throws {
        let start = Date(timeIntervalSince1970: now.timeIntervalSince1970.rounded(.down))
        let rootName = try DistinguishedName {
            CountryName("JP")
            OrganizationName("BulkRA TEST ONLY")
            CommonName("BulkRA TEST Root CA - not for production")
        }
        let rootExtensions = try Certificate.Extensions {
            Critical(BasicConstraints.isCertificateAuthority(maxPathLength: nil))
            Critical(KeyUsage(keyCertSign: true, cRLSign: true))
            SubjectKeyIdentifier(hash: rootKey.publicKey)
        }
        let root = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(bytes: ArraySlice(serials.next().magnitude)),
            publicKey: rootKey.publicKey, notValidBefore: start, notValidAfter: start + 20 * 365 * 86_400 - 1,
            issuer: rootName, subject: rootName, signatureAlgorithm: Self.algorithm(for: rootKey),
            extensions: rootExtensions, issuerPrivateKey: rootKey)
        var authorities: [AuthorityRole: IssuingAuthority] = [:]
        for role in AuthorityRole.allCases {
            guard let key = issuingKeys[role] else { continue }
            let certificate = try Self.issuingCertificate(role, key: key.publicKey, root: root, rootKey: rootKey, now: now, serials: serials)
            authorities[role] = IssuingAuthority(role: role, certificate: certificate, privateKey: key, chain: [root], urls: urls(role))
        }
        self.root = root
        self.authorities = authorities
    }

    /// ISS-01, RA-05: a TEST issuing CA certificate for `role` under the TEST root: 10 years, path length 0; `generation` 2
    /// and on (a rollover) is named in the CN, so that old and new CAs of a role never share a name.
    public static func issuingCertificate(_ role: AuthorityRole, key: Certificate.PublicKey, root: Certificate, rootKey: Certificate.PrivateKey,
                                          now: Date, serials: SerialNumberGenerator, generation: Int = 1) throws -> Certificate {
        let start = Date(timeIntervalSince1970: now.timeIntervalSince1970.rounded(.down))
        let name = try DistinguishedName {
            CountryName("JP")
            OrganizationName("BulkRA TEST ONLY")
            CommonName("BulkRA TEST \(Self.title(role)) CA\(generation > 1 ? " G\(generation)" : "") - not for production")
        }
        let usage: ExtendedKeyUsage.Usage = switch role {
        case .server: .serverAuth
        case .client, .registrationOfficer: .clientAuth
        case .codeSigning: .codeSigning
        }
        let extensions = try Certificate.Extensions {
            Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
            Critical(KeyUsage(digitalSignature: true, keyCertSign: true, cRLSign: true))
            SubjectKeyIdentifier(hash: key)
            AuthorityKeyIdentifier(keyIdentifier: try root.extensions.subjectKeyIdentifier?.keyIdentifier)
            try ExtendedKeyUsage(role == .client ? [usage, .emailProtection] : [usage])
        }
        return try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(bytes: ArraySlice(serials.next().magnitude)),
            publicKey: key, notValidBefore: start, notValidAfter: start + 10 * 365 * 86_400 - 1,
            issuer: root.subject, subject: name, signatureAlgorithm: Self.algorithm(for: rootKey),
            extensions: extensions, issuerPrivateKey: rootKey)
    }

    static func title(_ role: AuthorityRole) -> String {
        switch role {
        case .server: return "Server"
        case .client: return "Client and S/MIME"
        case .codeSigning: return "Code Signing"
        case .registrationOfficer: return "Registration Officer"
        }
    }

    static func algorithm(for key: Certificate.PrivateKey) -> Certificate.SignatureAlgorithm {
        switch key.publicKey.keyAlgorithmDescription {
        case "P384": return .ecdsaWithSHA384
        case "P256": return .ecdsaWithSHA256
        default: return .sha256WithRSAEncryption
        }
    }
}
