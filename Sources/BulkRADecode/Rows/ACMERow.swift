import BulkRAModel

/// A raw ACME line: the server layout with column 3 the ACME account ID and column 7 always empty (Specs/acme-tsv.md, ACME-T01).
public struct ACMERow: CertificateLineRow, Hashable {
    public static let kind = UploadKind.acme
    public let record: TSVRecord

    public init(_ record: TSVRecord) {
        self.record = record
    }

    /// Column 3: the ACME account ID (its URL or the last segment of it).
    public var accountID: String { value(3) }
    /// Column 11: the FQDN of the server (the account's CN).
    public var fqdn: String { value(11) }
    /// Column 12: server software and version.
    public var serverSoftware: String { value(12) }
    /// Column 13: the dNSName list the account may order.
    public var dnsNames: String { value(13) }
}
