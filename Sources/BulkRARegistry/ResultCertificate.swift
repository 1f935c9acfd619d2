import BulkRAModel

/// PERF-43: a certificate of a batch as its result files need it (CLI-61, REV-06) — read without the rest of its record.
public struct ResultCertificate: Sendable, Equatable {
    /// The serial (names the PEM file).
    public let serial: SerialNumber
    /// The family (how many columns a revocation line of it has).
    public let family: CertificateFamily
    /// The certificate.
    public let der: [UInt8]
    /// The CA role that signed it, whose chain follows it in the PEM file.
    public let issuerRole: AuthorityRole?
    /// The certificate it renewed, if any (REV-06).
    public let replacedSerial: SerialNumber?
    /// The administrator's e-mail (column 10 of a revocation line, REV-06).
    public let administratorEmail: String

    /// PERF-43: a result certificate from its stored values.
    public init(serial: SerialNumber, family: CertificateFamily, der: [UInt8], issuerRole: AuthorityRole?, replacedSerial: SerialNumber?,
                administratorEmail: String) {
        self.serial = serial
        self.family = family
        self.der = der
        self.issuerRole = issuerRole
        self.replacedSerial = replacedSerial
        self.administratorEmail = administratorEmail
    }

    /// PERF-50: the result certificate of a record as its commit stores it (the same six values a read gives back).
    public init(_ record: CertificateRecord) {
        self.init(serial: record.serial, family: record.family, der: record.der, issuerRole: record.issuerRole,
                  replacedSerial: record.replacedSerial, administratorEmail: record.administratorEmail)
    }
}
