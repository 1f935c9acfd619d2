import BulkRAModel
import BulkRAValidate

/// What a client line with a service-made key delivers: the PKCS#12 bundle under its PIN (ISS-14, Specs/issuance.md).
public struct ClientDelivery: Sendable {
    /// The certificate inside the bundle.
    public let issued: IssuedCertificate
    /// The bundle (`<column 12>.p12`).
    public let pkcs12: PKCS12Bundle
    /// The PIN that opens it.
    public let pin: DeliveryPIN

    /// The serial of the certificate.
    public var serial: SerialNumber { issued.serial }
    /// The request line.
    public var request: CertificateRequest { issued.request }
    /// The file name: column 12 plus `.p12`.
    public var fileName: String { (request.pkcs12FileName?.text ?? issued.serial.decimal) + ".p12" }
    /// How the user receives it (method 1 or 2).
    public var method: DownloadMethod { request.downloadMethod ?? .individualPKCS12 }
}
