import BulkRADecode
import BulkRAModel
import BulkRAValidate
import BulkRAWorkbook

/// XLS-12: an empty workbook to fill for one upload kind and operation: the columns' names in Japanese and English in
/// the header row (which XLS-04 skips on upload), every column formatted as text so Excel keeps serials, PINs and codes
/// as typed, drop-down lists for the closed sets — the family's profiles, the revocation reasons, the download
/// methods, the institution lines' operation and state — over the record limit's rows, and a note on each header cell
/// with its presence and rule from Specs.
public enum UploadTemplate {
    /// XLS-12: the template of `kind` and `operation`.
    public static func workbook(kind: UploadKind, operation: UploadOperation) throws -> [UInt8] {
        let layout = ColumnLayout.of(kind, operation: operation)
        let writer = WorkbookWriter(sheetName: "\(kind.rawValue)-\(operation.rawValue)", header: layout.templateHeader)
        let presence = ColumnPresence.table(kind, operation: operation)
        for (index, field) in layout.fields.enumerated() {
            if let values = closedSet(field, kind: kind, operation: operation) {
                writer.offer(values, in: index, rows: UploadDecoder.defaultRecordLimit)
            }
            writer.note(note(field, column: index, kind: kind, operation: operation, presence: presence[index]), column: index)
        }
        return try writer.bytes()
    }

    /// XLS-12: the values a column takes, when they are few.
    static func closedSet(_ field: FieldName, kind: UploadKind, operation: UploadOperation) -> [String]? {
        let family: CertificateFamily? = switch kind {
        case .server, .acme: .server
        case .client: .client
        case .codeSigning: .codeSigning
        default: nil
        }
        switch field {
        case ColumnLayout.profile:
            guard let family else { return nil }
            return CertificateProfile.allCases.filter { $0.family == family }.map { String($0.rawValue) }
        case ColumnLayout.reason where operation == .revoke:
            return RevocationReason.allCases.map { String($0.rawValue) }
        case ColumnLayout.downloadMethod:
            return DownloadMethod.allCases.map { String($0.rawValue) }
        case ColumnLayout.institution.fields[0]:
            // INS-02: add, update, remove officer.
            return ["1", "2", "3"]
        case ColumnLayout.institution.fields[12]:
            // INS-06: active, inactive.
            return ["1", "0"]
        default:
            return nil
        }
    }
}
