import Foundation

/// One stored certificate as the doctor checks it (DOC-02).
public struct StoredDER: Sendable {
    /// The row's position in recording order (paging cursor).
    public let rowID: Int64
    /// The serial the row claims.
    public let serial: String
    /// The CA role that signed it (nil for imported certificates of other CAs).
    public let issuerRole: String?
    /// The certificate.
    public let der: [UInt8]
    /// Whether the row reads back as a typed record: every code (profile, reason, method, role) known, names and DN valid.
    public let readable: Bool
}
