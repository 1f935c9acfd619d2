import BulkRAReport
import Foundation

/// A result (fresh or stored) read back from its JSON for the result page (DESK-22): every line with
/// SEQ, OK/NG and the `code:line,field,message` texts, the serials and where each certificate is.
struct ResultView {
    struct Line {
        let line: Int
        let accepted: Bool
        let texts: [String]
        let textsEnglish: [String]
        let serial: String?
        let path: String?
        /// ACME-T03: the account URL of an ACME line.
        let account: String?
    }

    let fileName: String
    let encoding: String?
    let fileErrors: [(String, String)]
    let lines: [Line]
    let status: String
    /// The upload's operation.
    let operation: String
    let applied: Bool?
    let accepted: Int
    let rejected: Int

    /// DESK-22: the view of the result in `json` (decoded through ``ResultDocument``), or nil when it is not a result.
    init?(json: String) {
        guard let document = ResultDocument(json: json) else { return nil }
        fileName = document.file
        encoding = document.encoding
        fileErrors = document.fileErrors.map { ("\($0.code):\($0.message)", "\($0.code):\($0.messageEn)") }
        lines = document.lines.map { line in
            Line(line: line.line, accepted: line.isAccepted, texts: line.errors.map(\.text), textsEnglish: line.errors.map(\.textEnglish),
                 serial: line.serial, path: line.path, account: line.account)
        }
        status = document.status
        operation = document.operation
        applied = document.applied
        accepted = document.summary.accepted
        rejected = document.summary.rejected
    }
}
