import BulkRAModel
import BulkRAValidate
import Crypto
import Foundation
import Logging
import SwiftASN1
import X509

/// The third pipeline stage: accepted requests to signed certificates (Specs/issuance.md).
///
/// Pure: the clock (`now`), the serial source and the signing key are passed in.
public struct CertificateIssuer: Sendable {
    /// The CA that signs.
    public let authority: IssuingAuthority
    let serials: SerialNumberGenerator
    let validity: ValidityPolicy
    let logger: Logger
    let chainPEM: String
    let commonExtensions: [Certificate.Extension]?

    /// Creates an issuer for one issuing CA.
    public init(authority: IssuingAuthority, serials: SerialNumberGenerator, validity: ValidityPolicy = ValidityPolicy(),
                logger: Logger = Logger(label: "bulkra.issue")) {
        self.authority = authority
        self.serials = serials
        self.validity = validity
        self.logger = logger
        var pem = ""
        for certificate in [authority.certificate] + authority.chain {
            var serializer = DER.Serializer()
            if (try? serializer.serialize(certificate)) != nil { pem += IssuedCertificate.pem(serializer.serializedBytes) }
        }
        chainPEM = pem
        commonExtensions = try? Self.commonExtensions(of: authority)
    }

    /// Issues the certificate for an accepted issue or renew line. Implements ISS-02..ISS-07.
    ///
    /// `publicKey` is the key the service made (client methods 1 and 2); otherwise the CSR's key is used.
    public func issue(_ request: CertificateRequest, now: Date, publicKey: Certificate.PublicKey? = nil,
                      serial: SerialNumber? = nil) throws -> IssuedCertificate {
        guard let profile = request.profile else {
            throw OperationalError(.invalidRequest, LocalizedText(ja: "プロファイルのない申請は発行できません", en: "A request without a profile cannot be issued"))
        }
        let key: Certificate.PublicKey
        if let publicKey {
            key = publicKey
        } else if let csr = request.signingRequest {
            key = try csr.publicKey()
        } else {
            throw OperationalError(.invalidRequest, LocalizedText(ja: "公開鍵がありません", en: "No public key for the request"))
        }
        let serial = serial ?? serials.next()
        let period = validity.validity(for: profile, from: now)
        let certificate = try Certificate(
            version: .v3,
            serialNumber: Certificate.SerialNumber(bytes: ArraySlice(serial.magnitude)),
            publicKey: key,
            notValidBefore: period.notBefore,
            notValidAfter: period.notAfter,
            issuer: authority.certificate.subject,
            subject: try Self.subject(for: request, profile: profile),
            signatureAlgorithm: authority.signatureAlgorithm,
            extensions: try extensions(for: request, profile: profile, key: key),
            issuerPrivateKey: authority.privateKey)
        var serializer = DER.Serializer()
        try serializer.serialize(certificate)
        let der = serializer.serializedBytes
        logger.trace("issue.certificate", metadata: ["row.line": "\(request.line)", "certificate.profile": "\(profile.rawValue)"])
        return IssuedCertificate(request: request, serial: serial, profile: profile, certificate: certificate, der: der,
                                 chain: [authority.certificate] + authority.chain, keyDigest: try KeyDigest.of(certificate: der), chainPEM: chainPEM)
    }

    /// Issues a registration officer's RA certificate: profile 1, 25 months, subject
    /// `C=JP, L=Academe-ops, O=<institution>, CN=<romaji>`, EKU clientAuth and the officer's e-mail as
    /// an rfc822Name SAN (how the web desk maps a login to an officer). Implements ISS-16.
    public func issueOfficer(romaji: String, email: String, organization: String, now: Date, publicKey: Certificate.PublicKey,
                             serial: SerialNumber) throws -> (certificate: Certificate, der: [UInt8]) {
        let period = validity.validity(for: .registrationOfficer, from: now)
        let subject = try DistinguishedName {
            CountryName("JP")
            LocalityName("Academe-ops")
            OrganizationName(organization)
            CommonName(romaji)
        }
        var extensions = try self.extensions(for: nil, profile: .registrationOfficer, key: publicKey)
        try extensions.append(Certificate.Extension(SubjectAlternativeNames([.rfc822Name(email)]), critical: false))
        let certificate = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(bytes: ArraySlice(serial.magnitude)), publicKey: publicKey,
            notValidBefore: period.notBefore, notValidAfter: period.notAfter, issuer: authority.certificate.subject,
            subject: subject, signatureAlgorithm: authority.signatureAlgorithm, extensions: extensions,
            issuerPrivateKey: authority.privateKey)
        var serializer = DER.Serializer()
        try serializer.serialize(certificate)
        logger.debug("issue.officer", metadata: ["certificate.profile": "1"])
        return (certificate, serializer.serializedBytes)
    }

    /// ISS-04: the subject in the order the CA/Browser Forum requires (C, ST, L, O, OU, CN); S/MIME
    /// mailbox-validated certificates carry the CN (the e-mail) only.
    static func subject(for request: CertificateRequest, profile: CertificateProfile) throws -> DistinguishedName {
        let dn = request.subject
        if profile.isSMIME {
            return try DistinguishedName { CommonName(dn.commonName ?? "") }
        }
        var rdns: [RelativeDistinguishedName] = []
        func add(_ type: ASN1ObjectIdentifier, _ value: String?, printable: Bool = false) throws {
            guard let value else { return }
            let attribute = printable
                ? try RelativeDistinguishedName.Attribute(type: type, printableString: value)
                : RelativeDistinguishedName.Attribute(type: type, utf8String: value)
            rdns.append(RelativeDistinguishedName(attribute))
        }
        try add(.RDNAttributeType.countryName, dn.value(.country), printable: true)
        try add(.RDNAttributeType.stateOrProvinceName, dn.value(.stateOrProvince))
        try add(.RDNAttributeType.localityName, dn.value(.locality))
        try add(.RDNAttributeType.organizationName, dn.value(.organization))
        if profile.family != .server {
            for unit in dn.values(.organizationalUnit) { try add(.RDNAttributeType.organizationalUnitName, unit) }
        }
        try add(.RDNAttributeType.commonName, profile.family == .server ? dn.commonName?.lowercased() : dn.commonName)
        return DistinguishedName(rdns)
    }

    /// ISS-05: basicConstraints, authority key identifier, AIA and CRL distribution point — the same on
    /// every certificate of one CA, so built once per issuer.
    static func commonExtensions(of authority: IssuingAuthority) throws -> [Certificate.Extension] {
        let authorityKeyID = try authority.certificate.extensions.subjectKeyIdentifier?.keyIdentifier
            ?? ArraySlice(Insecure.SHA1.hash(data: Array(authority.certificate.publicKey.subjectPublicKeyInfoBytes)))
        var access: [AuthorityInformationAccess.AccessDescription] = []
        if let ocsp = authority.urls.ocsp {
            access.append(.init(method: .ocspServer, location: .uniformResourceIdentifier(ocsp)))
        }
        access.append(.init(method: .issuingCA, location: .uniformResourceIdentifier(authority.urls.caIssuers)))
        return [
            try Certificate.Extension(BasicConstraints.notCertificateAuthority, critical: true),
            try Certificate.Extension(AuthorityKeyIdentifier(keyIdentifier: authorityKeyID), critical: false),
            try Certificate.Extension(AuthorityInformationAccess(access), critical: false),
            try ExtensionEncoding.crlDistributionPoints(authority.urls.crlDistributionPoint),
        ]
    }

    /// ISS-05: the extensions of each profile.
    func extensions(for request: CertificateRequest?, profile: CertificateProfile, key: Certificate.PublicKey) throws -> Certificate.Extensions {
        let isRSA = RSAKeyCheck.isRSA(key)
        var extensions = Certificate.Extensions()
        for common in try commonExtensions ?? Self.commonExtensions(of: authority) { try extensions.append(common) }
        switch profile.family {
        case .server:
            try extensions.append(Certificate.Extension(KeyUsage(digitalSignature: true, keyEncipherment: isRSA), critical: true))
            try extensions.append(Certificate.Extension(try ExtendedKeyUsage([.serverAuth]), critical: false))
            try extensions.append(Certificate.Extension(
                SubjectAlternativeNames((request?.dnsNames ?? []).map { GeneralName.dnsName($0.name) }), critical: false))
            try extensions.append(ExtensionEncoding.certificatePolicies([[2, 23, 140, 1, 2, 2]]))
        case .client where profile.isSMIME:
            try extensions.append(Certificate.Extension(KeyUsage(digitalSignature: true, keyEncipherment: isRSA), critical: true))
            try extensions.append(Certificate.Extension(try ExtendedKeyUsage([.emailProtection]), critical: false))
            let mailbox = request?.userEmail?.address ?? request?.subject.commonName ?? ""
            try extensions.append(Certificate.Extension(SubjectAlternativeNames([.rfc822Name(mailbox)]), critical: false))
            try extensions.append(ExtensionEncoding.certificatePolicies([[2, 23, 140, 1, 5, 1, 3]]))
        case .client, .registrationOfficer:
            try extensions.append(Certificate.Extension(KeyUsage(digitalSignature: true), critical: true))
            try extensions.append(Certificate.Extension(try ExtendedKeyUsage([.clientAuth]), critical: false))
            try extensions.append(Certificate.Extension(SubjectKeyIdentifier(hash: key), critical: false))
        case .codeSigning:
            try extensions.append(Certificate.Extension(KeyUsage(digitalSignature: true), critical: true))
            try extensions.append(Certificate.Extension(try ExtendedKeyUsage([.codeSigning]), critical: false))
            try extensions.append(ExtensionEncoding.certificatePolicies([[2, 23, 140, 1, 4, 1]]))
        }
        return extensions
    }
}

/// Whether a public key is RSA, without trying every curve (the issuing hot path).
enum RSAKeyCheck {
    /// The key bits of an RSA key are a DER SEQUENCE (0x30); EC points start with 0x04 (or 0x02/0x03).
    static func isRSA(_ key: Certificate.PublicKey) -> Bool {
        key.subjectPublicKeyInfoBytes.first == 0x30
    }
}
