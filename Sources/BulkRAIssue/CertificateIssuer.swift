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
        /// PERF-95: whether the CA signs ecdsa-with-SHA256 (a P-256 key), so that its batches may be signed together.
        let signsP256: Bool

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
            signsP256 = authority.signatureAlgorithm == .ecdsaWithSHA256
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
        let unsigned = try prepare(request, now: now, publicKey: publicKey, serial: serial)
        return try finish(unsigned, signature: signature(of: unsigned.toBeSigned))
    }

    /// PERF-95: issues lines with CSRs under their serials, the signatures made together (ISS-02..ISS-07, ISS-19): in one
    /// batch when the CA key is a software P-256 key and there are enough of them, one by one otherwise.
    func issue(_ lines: [(request: CertificateRequest, serial: SerialNumber)], now: Date) throws -> [IssuedCertificate] {
        let unsigned = try lines.map { try prepare($0.request, now: now, publicKey: nil, serial: $0.serial) }
        let signatures = if unsigned.count >= BatchSigner.smallest, let batchSigner {
            try batchSigner.sign(unsigned.map(\.toBeSigned))
        } else {
            try unsigned.map { try signature(of: $0.toBeSigned) }
        }
        return try zip(unsigned, signatures).map { try finish($0, signature: $1) }
    }

    /// PERF-95: the CA's batch signer when its key is a software P-256 key (ecdsa-with-SHA256), loaded on first use.
    var batchSigner: BatchSigner? {
        parts.signsP256 ? parts.authority.batchSigners.signer(for: parts.authority.privateKey) : nil
    }

    /// A line's certificate before its signature: the to-be-signed bytes and what its record needs.
    struct Unsigned {
        let request: CertificateRequest
        let application: CertificateApplication
        let serial: SerialNumber
        let period: (notBefore: Date, notAfter: Date)
        let key: SubjectKey
        let toBeSigned: [UInt8]
    }

    /// ISS-02..ISS-07: the line's subject, validity, key and extensions, assembled to be signed.
    /// `serial` nil: the next of the issuer's serials, drawn once the line is known to be issuable.
    func prepare(_ request: CertificateRequest, now: Date, publicKey: Certificate.PublicKey?, serial: SerialNumber?) throws -> Unsigned {
        guard let application = request.application else {
            throw OperationalError(.invalidRequest, LocalizedText(ja: "失効申請からは発行できません", en: "A revocation line cannot be issued"))
        }
        let common = application.common
        let key: SubjectKey
        if let publicKey {
            key = try SubjectKey(publicKey)
        } else if let csr = application.signingRequest {
            key = try SubjectKey(csr)
        } else {
            throw OperationalError(.invalidRequest, LocalizedText(ja: "公開鍵がありません", en: "No public key for the request"))
        }
        let serial = serial ?? serials.next()
        let period = validity.validity(for: common.profile, from: now)
        let toBeSigned = try toBeSigned(serial: serial, period: period, subject: Self.subject(common.subject, profile: common.profile),
                                        key: key, extensions: Self.extensions(for: application, key: key))
        return Unsigned(request: request, application: application, serial: serial, period: period, key: key, toBeSigned: toBeSigned)
    }

    /// ISS-19: the certificate of `unsigned` with its signature.
    func finish(_ unsigned: Unsigned, signature: [UInt8]) throws -> IssuedCertificate {
        let der = try parts.template.get().certificate(toBeSigned: unsigned.toBeSigned, signature: signature)
        let profile = unsigned.application.common.profile
        logger.trace("issue.certificate", metadata: ["row.line": "\(unsigned.request.line)", "certificate.profile": "\(profile.rawValue)"])
        return IssuedCertificate(application: unsigned.application, replacedSerial: unsigned.request.replacedSerial, serial: unsigned.serial,
                                 profile: profile, der: der, notValidBefore: unsigned.period.notBefore,
                                 notValidAfter: unsigned.period.notAfter, chain: chain,
                                 keyDigest: KeyDigest.of(publicKeyBits: unsigned.key.bits), chainPEM: chainPEM, chainDER: chainDER)
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
        let toBeSigned = try toBeSigned(serial: serial, period: period, subject: subject, key: key, extensions: extensions)
        return try parts.template.get().certificate(toBeSigned: toBeSigned, signature: signature(of: toBeSigned))
    }

    /// ISS-19: the certificate's to-be-signed bytes.
    func toBeSigned(serial: SerialNumber, period: (notBefore: Date, notAfter: Date), subject: [UInt8], key: SubjectKey,
                    extensions: [UInt8]) throws -> [UInt8] {
        // PERF-74: read from the shared parts in place — `authority` and `template` as properties return whole copies.
        try parts.template.get().toBeSigned(serial: serial.magnitude, notBefore: period.notBefore, notAfter: period.notAfter,
                                            subject: subject, subjectPublicKeyInfo: key.subjectPublicKeyInfo, extensions: extensions)
    }

    /// ISS-19: the CA key's signature of `toBeSigned`, alone.
    func signature(of toBeSigned: [UInt8]) throws -> [UInt8] {
        try parts.authority.privateKey.sign(bytes: toBeSigned, signatureAlgorithm: parts.template.get().signatureAlgorithm).rawRepresentation
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
