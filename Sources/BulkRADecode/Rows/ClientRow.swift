import BulkRAModel

/// A raw client or S/MIME line: 15 columns, 14-column legacy lines padded (Specs/client-tsv.md, CLT-01).
public struct ClientRow: CertificateLineRow, Hashable {
    public static let kind = UploadKind.client
    public let record: TSVRecord

    public init(_ record: TSVRecord) {
        self.record = record
    }

    /// Column 3: download method.
    public var downloadMethod: String { value(3) }
    /// Column 11: user name.
    public var userName: String { value(11) }
    /// Column 12: PKCS#12 file name.
    public var p12FileName: String { value(12) }
    /// Column 13: user affiliation.
    public var userAffiliation: String { value(13) }
    /// Column 14: user e-mail.
    public var userEmail: String { value(14) }
    /// Column 15: access PIN (empty: the service makes one).
    public var accessPIN: String { value(15) }
}
