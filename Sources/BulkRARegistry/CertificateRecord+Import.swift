import BulkRAModel
import BulkRAValidate
import Foundation
import SwiftASN1
import X509

extension CertificateRecord {
    /// A certificate issued elsewhere (an earlier UPKI service), as the registry stores it (REG-08).
    ///
    /// Throws when the subject holds attributes UPKI does not use or the serial is not a valid one.
    public init(importing certificate: Certificate, institution: InstitutionProfile, family: CertificateFamily,
                profile: CertificateProfile?, revocationReason: RevocationReason?, revokedAt: Date?) throws(OperationalError) {
        guard let subject = SubjectDistinguishedName(x509: certificate.subject) else {
            throw OperationalError(.invalidRequest, LocalizedText(
                ja: "UPKIで使わない属性が主体者DNにあります: \(certificate.subject)",
                en: "The subject holds attributes UPKI does not use: \(certificate.subject)"))
        }
        let serial: SerialNumber
        do {
            serial = try SerialNumber(bigEndianMagnitude: Array(certificate.serialNumber.bytes))
        } catch {
            throw OperationalError(.invalidRequest, LocalizedText(ja: "シリアル番号が不正です: \(certificate.serialNumber)",
                                                                  en: "Invalid serial number: \(certificate.serialNumber)"))
        }
        let host = subject.commonName.flatMap { cn in (try? DomainName(cn)) ?? (try? EmailAddress(cn))?.domain }
        var serializer = DER.Serializer()
        let der: [UInt8] = (try? serializer.serialize(certificate)).map { serializer.serializedBytes } ?? []
        let digest: String
        do {
            digest = try KeyDigest.of(certificate: der)
        } catch {
            throw OperationalError(.invalidRequest, LocalizedText(ja: "公開鍵を読めません", en: "Cannot read the public key: \(error)"))
        }
        self.init(serial: serial, institutionID: institution.id, family: family, profile: profile, subject: subject,
                  domain: host?.registeredDomain(in: institution.domains), keyDigest: digest,
                  state: revocationReason == nil ? .issued : .revoked, notBefore: certificate.notValidBefore,
                  notAfter: certificate.notValidAfter, der: der, revokedAt: revocationReason == nil ? nil : revokedAt,
                  revocationReason: revocationReason)
    }

    /// Every certificate of a PEM text, in order.
    public static func certificates(inPEM text: String) throws(OperationalError) -> [Certificate] {
        var result: [Certificate] = []
        for block in text.components(separatedBy: "-----END CERTIFICATE-----") {
            guard let start = block.range(of: "-----BEGIN CERTIFICATE-----") else { continue }
            do {
                result.append(try Certificate(pemEncoded: String(block[start.lowerBound...]) + "-----END CERTIFICATE-----"))
            } catch {
                throw OperationalError(.invalidRequest, LocalizedText(ja: "証明書を解析できません: \(error)", en: "Cannot parse a certificate: \(error)"))
            }
        }
        return result
    }
}
