import BulkRAModel
import BulkRAValidate
import Foundation
import X509

/// A certificate the service has signed: the output of issuance, the input of recording (ISS-06).
public struct IssuedCertificate: Sendable {
    /// What the issue or renew line asked for (ISS-04, ISS-05).
    public let application: CertificateApplication
    /// The certificate a renew line replaces (VAL-I03); nil for an issue line.
    public let replacedSerial: SerialNumber?
    /// The serial number (decimal everywhere).
    public let serial: SerialNumber
    /// The profile it was issued under.
    public let profile: CertificateProfile
    /// Its DER encoding.
    public let der: [UInt8]
    /// The first second of its validity.
    public let notValidBefore: Date
    /// The last second of its validity.
    public let notValidAfter: Date
    /// The issuing CA and the chain above it, nearest first.
    public let chain: [Certificate]
    /// SHA-256 of the key bits (CSR-06).
    public let keyDigest: String

    /// The chain above the leaf as PEM, made once per issuing CA.
    let chainPEM: String
    /// The chain above the leaf as DER, for PKCS#12 bundles.
    let chainDER: [[UInt8]]

    /// The accepted request it answers (ISS-06).
    public var request: CertificateRequest { CertificateRequest(application, replacing: replacedSerial) }

    /// The certificate parsed by swift-certificates (on demand: issuing writes DER directly).
    public var certificate: Certificate {
        get throws { try Certificate(derEncoded: der) }
    }

    /// The leaf followed by its chain, PEM.
    public func pemWithChain() throws -> String {
        Self.pem(der) + chainPEM
    }

    /// A certificate's PEM block from its DER (64-character base64 lines).
    public static func pem(_ der: [UInt8]) -> String {
        "-----BEGIN CERTIFICATE-----\n" + Data(der).base64EncodedString(options: [.lineLength64Characters, .endLineWithLineFeed])
            + "\n-----END CERTIFICATE-----\n"
    }
}
