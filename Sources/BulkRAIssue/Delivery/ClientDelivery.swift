import BulkRAModel
import BulkRAValidate

/// What a client line with a service-made key delivers: the PKCS#12 bundle under its PIN (ISS-14, Specs/issuance.md).
public struct ClientDelivery: Sendable {
    /// The certificate inside the bundle.
    public let issued: IssuedCertificate
    /// The client line it answers.
    public let application: ClientApplication
    /// The bundle (`<column 12>.p12`).
    public let pkcs12: PKCS12Bundle
    /// The PIN that opens it.
    public let pin: DeliveryPIN

    /// The serial of the certificate.
    public var serial: SerialNumber { issued.serial }
    /// The request line.
    public var request: CertificateRequest { issued.request }
    /// The file name: column 12 plus `.p12`.
    public var fileName: String { application.pkcs12Name(serial: issued.serial) + ".p12" }
    /// How the user receives it (method 1 or 2).
    public var method: DownloadMethod { application.downloadMethod }
}
