import BulkRAModel

/// A raw server-certificate line: 13 columns (Specs/server-tsv.md, SRV-01).
public struct ServerRow: CertificateLineRow, Hashable {
    public static let kind = UploadKind.server
    public let record: TSVRecord

    public init(_ record: TSVRecord) {
        self.record = record
    }

    /// Column 7: CSR (one-line base64).
    public var csr: String { value(7) }
    /// Column 11: server FQDN.
    public var fqdn: String { value(11) }
    /// Column 12: server software and version.
    public var serverSoftware: String { value(12) }
    /// Column 13: dNSName list.
    public var dnsNames: String { value(13) }
}
