import BulkRAValidate

/// What issuance made of a batch's issue and renew lines, in upload order (ISS-14, ISS-15).
public struct IssuedBatch: Sendable {
    /// Every certificate signed, those inside PKCS#12 bundles included.
    public let certificates: [IssuedCertificate]
    /// The PKCS#12 bundles of client lines with download method 1 or 2.
    public let deliveries: [ClientDelivery]
    /// The enrolment tokens of client lines with download method 3.
    public let enrolments: [PendingEnrolment]

    /// Creates a batch outcome.
    public init(certificates: [IssuedCertificate], deliveries: [ClientDelivery] = [], enrolments: [PendingEnrolment] = []) {
        self.certificates = certificates
        self.deliveries = deliveries
        self.enrolments = enrolments
    }

    /// Nothing issued.
    public static let empty = IssuedBatch(certificates: [], deliveries: [], enrolments: [])
}
