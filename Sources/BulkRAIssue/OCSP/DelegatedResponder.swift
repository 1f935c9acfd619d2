import BulkRAModel
import Crypto
import Foundation
import SwiftASN1
import X509

/// OCSP-01: an issuing CA's delegated OCSP responder: a P-256 key and a short-lived certificate the CA issued it, with
/// id-kp-OCSPSigning and id-pkix-ocsp-nocheck (RFC 6960 §4.2.2.2, §4.2.2.2.1).
public struct DelegatedResponder: Sendable {
    /// OCSP-01: the CA it answers for.
    public let role: AuthorityRole
    /// OCSP-01: its certificate.
    public let certificate: Certificate
    /// OCSP-01: its certificate's DER (carried in every response).
    public let certificateDER: [UInt8]
    /// OCSP-01: its signing key.
    public let privateKey: Certificate.PrivateKey
    /// OCSP-03: SHA-1 of its public key's bits: the responder ID byKey.
    public let keyHash: [UInt8]

    /// OCSP-01: how long a responder certificate is valid.
    public static let lifetime: TimeInterval = 30 * 86_400
    /// OCSP-01: a responder certificate with less than this left is replaced.
    public static let renewalMargin: TimeInterval = 10 * 86_400

    /// OCSP-01: a responder from a kept certificate and key; throws unless the key is the certificate's.
    public init(role: AuthorityRole, certificate: Certificate, privateKey: P256.Signing.PrivateKey) throws {
        guard Certificate.PublicKey(privateKey.publicKey) == certificate.publicKey else {
            throw OperationalError(.key, LocalizedText(ja: "OCSPレスポンダの鍵が証明書と一致しません（\(role.rawValue)）",
                                                       en: "The OCSP responder key does not match its certificate (\(role.rawValue))"))
        }
        self.role = role
        self.certificate = certificate
        var serializer = DER.Serializer()
        try serializer.serialize(certificate)
        self.certificateDER = serializer.serializedBytes
        self.privateKey = Certificate.PrivateKey(privateKey)
        self.keyHash = OCSPHashAlgorithm.sha1.digest(try OCSPIssuer.publicKeyBits(certificate.publicKey))
    }

    /// OCSP-01: whether it still serves at `now` (valid, and more than ``renewalMargin`` before its end).
    public func isCurrent(at now: Date) -> Bool {
        certificate.notValidBefore <= now && now.addingTimeInterval(Self.renewalMargin) < certificate.notValidAfter
    }

    /// OCSP-01: issues a responder certificate for `key` from `authority`, valid from five minutes before `now` for
    /// ``lifetime``.
    public static func issue(by authority: IssuingAuthority, key: P256.Signing.PrivateKey, serial: SerialNumber, now: Date) throws -> DelegatedResponder {
        let nocheck = Certificate.Extension(oid: [1, 3, 6, 1, 5, 5, 7, 48, 1, 5], critical: false, value: [0x05, 0x00])
        let publicKey = Certificate.PublicKey(key.publicKey)
        let certificate = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(bytes: serial.magnitude), publicKey: publicKey,
            notValidBefore: now.addingTimeInterval(-300), notValidAfter: now.addingTimeInterval(lifetime),
            issuer: authority.certificate.subject,
            subject: try DistinguishedName {
                OrganizationName("BulkRA")
                CommonName("BulkRA OCSP responder (\(authority.role.rawValue))")
            },
            signatureAlgorithm: authority.signatureAlgorithm,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true))
                try ExtendedKeyUsage([.ocspSigning])
                SubjectKeyIdentifier(keyIdentifier: ArraySlice(OCSPHashAlgorithm.sha1.digest(try OCSPIssuer.publicKeyBits(publicKey))))
                AuthorityKeyIdentifier(keyIdentifier: try authority.certificate.extensions.subjectKeyIdentifier?.keyIdentifier)
                nocheck
            },
            issuerPrivateKey: authority.privateKey)
        return try DelegatedResponder(role: authority.role, certificate: certificate, privateKey: key)
    }
}
