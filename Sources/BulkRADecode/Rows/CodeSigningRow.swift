import BulkRAModel

/// A raw code-signing line: the server layout with columns 11–13 reserved (Specs/codesign-tsv.md, COD-01).
public struct CodeSigningRow: CertificateLineRow, Hashable {
    public static let kind = UploadKind.codeSigning
    public let record: TSVRecord

    public init(_ record: TSVRecord) {
        self.record = record
    }

    /// Column 7: CSR.
    public var csr: String { value(7) }
}
