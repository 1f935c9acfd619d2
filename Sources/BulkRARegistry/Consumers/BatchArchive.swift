import BulkRAModel

/// DESK-20, DESK-22, MAIL-06: what the desk's result pages and certificate links read of the registry — a batch, its
/// certificates, one certificate — off the cooperative threads, on either database (REG-20).
public protocol BatchArchive: Sendable {
    /// DESK-20: a stored batch with its results.
    func storedBatch(id: Int64) async throws -> StoredBatch?
    /// DESK-22: the certificates a batch issued, in upload order.
    func certificates(inBatch id: Int64) async throws -> [CertificateRecord]
    /// MAIL-06: the stored certificate of `serial`, if any.
    func certificate(serial: SerialNumber) async throws -> CertificateRecord?
}
