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
    /// PERF-74: the parts, shared by every copy. A batch copies its issuer for every line on both cores; a copy of the parts
    /// themselves retained and released each of them (≈ 2,200 instructions a copy in callgrind), one reference costs one.
    private final class Parts: Sendable {
        let authority: IssuingAuthority
        let serials: SerialNumberGenerator
        let validity: ValidityPolicy
        let logger: Logger
        let chainPEM: String
        let chainDER: [[UInt8]]
        let chain: [Certificate]
        let template: Result<CertificateTemplate, any Error>

        init(authority: IssuingAuthority, serials: SerialNumberGenerator, validity: ValidityPolicy, logger: Logger) {
            self.authority = authority
            self.serials = serials
            self.validity = validity
            self.logger = logger
            chain = [authority.certificate] + authority.chain
            var der: [[UInt8]] = []
            for certificate in chain {
                var serializer = DER.Serializer()
                if (try? serializer.serialize(certificate)) != nil { der.append(serializer.serializedBytes) }
            }
            chainDER = der
            chainPEM = der.map(IssuedCertificate.pem).joined()
            template = Result { try CertificateTemplate(authority: authority) }
        }
    }

    private let parts: Parts

    /// The CA that signs.
    public var authority: IssuingAuthority { parts.authority }
    var serials: SerialNumberGenerator { parts.serials }
    var validity: ValidityPolicy { parts.validity }
    var logger: Logger { parts.logger }
    var chainPEM: String { parts.chainPEM }
    var chainDER: [[UInt8]] { parts.chainDER }
    /// The issuing CA and the chain above it, one array every certificate of the issuer shares (PERF-36).
    var chain: [Certificate] { parts.chain }
    var template: Result<CertificateTemplate, any Error> { parts.template }

    /// Creates an issuer for one issuing CA.
    public init(authority: IssuingAuthority, serials: SerialNumberGenerator, validity: ValidityPolicy = ValidityPolicy(),
                logger: Logger = Logger(label: "bulkra.issue")) {
        parts = Parts(authority: authority, serials: serials, validity: validity, logger: logger)
    }

    /// Issues the certificate for an accepted issue or renew line. Implements ISS-02..ISS-07, ISS-19.
    ///
    /// `publicKey` is the key the service made (client methods 1 and 2); otherwise the CSR's key is used.
    public func issue(_ request: CertificateRequest, now: Date, publicKey: Certificate.PublicKey? = nil,
                      serial: SerialNumber? = nil) throws -> IssuedCertificate {
        guard let application = request.application else {
            throw OperationalError(.invalidRequest, LocalizedText(ja: "失効申請からは発行できません", en: "A revocation line cannot be issued"))
        }
        let common = application.common
        let profile = common.profile
        let key: SubjectKey
        if let publicKey {
            key = try SubjectKey(publicKey)
        } else if let csr = application.signingRequest {
            key = try SubjectKey(csr)
        } else {
            throw OperationalError(.invalidRequest, LocalizedText(ja: "公開鍵がありません", en: "No public key for the request"))
        }
        let serial = serial ?? serials.next()
        let period = validity.validity(for: profile, from: now)
        let der = try sign(serial: serial, period: period, subject: Self.subject(common.subject, profile: profile),
                           key: key, extensions: Self.extensions(for: application, key: key))
        logger.trace("issue.certificate", metadata: ["row.line": "\(request.line)", "certificate.profile": "\(profile.rawValue)"])
        return IssuedCertificate(application: application, replacedSerial: request.replacedSerial, serial: serial, profile: profile, der: der, notValidBefore: period.notBefore,
                                 notValidAfter: period.notAfter, chain: chain,
                                 keyDigest: KeyDigest.of(publicKeyBits: key.bits), chainPEM: chainPEM, chainDER: chainDER)
    }

    /// Issues a registration officer's RA certificate: profile 1, 25 months, subject
    /// `C=JP, L=Academe-ops, O=<institution>, CN=<romaji>`, EKU clientAuth and the officer's e-mail as
    /// an rfc822Name SAN (how the web desk maps a login to an officer). Implements ISS-16.
    public func issueOfficer(romaji: String, email: String, organization: String, now: Date, publicKey: Certificate.PublicKey,
                             serial: SerialNumber) throws -> (certificate: Certificate, der: [UInt8]) {
        let period = validity.validity(for: .registrationOfficer, from: now)
        let key = try SubjectKey(publicKey)
        let subject = CertificateTemplate.name([
            (CertificateTemplate.countryName, true, "JP"), (CertificateTemplate.localityName, false, "Academe-ops"),
            (CertificateTemplate.organizationName, false, organization), (CertificateTemplate.commonName, false, romaji),
        ])
        let extensions = Self.extensions(for: nil, key: key) + ExtensionEncoding.mailbox(email)
        let der = try sign(serial: serial, period: period, subject: subject, key: key, extensions: extensions)
        logger.debug("issue.officer", metadata: ["certificate.profile": "1"])
        return (try Certificate(derEncoded: der), der)
    }

    /// Assembles and signs one certificate (ISS-19).
    func sign(serial: SerialNumber, period: (notBefore: Date, notAfter: Date), subject: [UInt8], key: SubjectKey,
              extensions: [UInt8]) throws -> [UInt8] {
        // PERF-74: read from the shared parts in place — `authority` and `template` as properties return whole copies.
        let template = try parts.template.get()
        let toBeSigned = template.toBeSigned(serial: serial.magnitude, notBefore: period.notBefore, notAfter: period.notAfter, subject: subject,
                                             subjectPublicKeyInfo: key.subjectPublicKeyInfo, extensions: extensions)
        let signature = try parts.authority.privateKey.sign(bytes: toBeSigned, signatureAlgorithm: template.signatureAlgorithm)
        return template.certificate(toBeSigned: toBeSigned, signature: signature.rawRepresentation)
    }

    /// ISS-04: the subject in the order the CA/Browser Forum requires (C, ST, L, O, OU, CN); S/MIME
    /// mailbox-validated certificates carry the CN (the e-mail) only. C is a PrintableString, the rest UTF8String.
    static func subject(_ dn: SubjectDistinguishedName, profile: CertificateProfile) -> [UInt8] {
        typealias T = CertificateTemplate
        if profile.isSMIME {
            return T.name([(T.commonName, false, dn.commonName ?? "")])
        }
        var attributes: [(oid: [UInt8], printable: Bool, value: String)] = []
        attributes.reserveCapacity(6)
        func add(_ oid: [UInt8], _ value: String?, printable: Bool = false) {
            if let value { attributes.append((oid, printable, value)) }
        }
        add(T.countryName, dn.value(.country), printable: true)
        add(T.stateOrProvinceName, dn.value(.stateOrProvince))
        add(T.localityName, dn.value(.locality))
        add(T.organizationName, dn.value(.organization))
        if profile.family != .server {
            for unit in dn.values(.organizationalUnit) { add(T.organizationalUnitName, unit) }
        }
        add(T.commonName, profile.family == .server ? dn.commonName?.lowercased() : dn.commonName)
        return T.name(attributes)
    }

    /// ISS-05: the extensions of each family after the CA's common ones (basicConstraints, AKI, AIA, CRL DP);
    /// `nil` is a registration officer's certificate (ISS-16).
    static func extensions(for application: CertificateApplication?, key: SubjectKey) -> [UInt8] {
        typealias E = ExtensionEncoding
        switch application {
        case .server(let server):
            return (key.isRSA ? E.keyUsageSignatureAndEncipherment : E.keyUsageSignature) + E.serverAuth
                + E.dnsNames(server.dnsNames.map(\.name)) + E.organizationValidated
        case .client(let client) where client.profile.isSMIME:
            return (key.isRSA ? E.keyUsageSignatureAndEncipherment : E.keyUsageSignature) + E.emailProtection
                + E.mailbox(client.user.email.address) + E.mailboxValidatedStrict
        case .client, nil:
            return E.keyUsageSignature + E.clientAuth + E.subjectKeyIdentifier(keyBits: key.bits)
        case .codeSigning:
            return E.keyUsageSignature + E.codeSigning + E.codeSigningPolicy
        }
    }
}
