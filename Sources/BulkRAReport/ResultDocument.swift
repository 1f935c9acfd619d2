import Foundation

/// A result file (`result.json`, a stored batch's result, the desk API's `result`) read back through Codable
/// (Specs/results.md RES-01..RES-03): the same keys `ResultStream` writes, so a reader never takes the JSON apart by hand.
///
/// The writer streams (a 100,000-line result is never held whole) and its bytes are golden-tested; this type is the
/// reading side, and a property test holds the two to the same layout.
public struct ResultDocument: Codable, Sendable, Hashable {
    /// RES-01: a problem of the whole file.
    public struct FileError: Codable, Sendable, Hashable {
        public let code: Int
        public let message: String
        public let messageEn: String
    }

    /// RES-02: one problem of a line, with its `code:line,field,message` text.
    public struct LineError: Codable, Sendable, Hashable {
        public let code: Int
        public let line: Int
        public let column: Int
        public let field: String
        public let fieldEn: String
        public let message: String
        public let messageEn: String
        public let text: String

        /// RES-02: the English result text (`code:line,field,message`).
        public var textEnglish: String { "\(code):\(line),\(fieldEn),\(messageEn)" }
    }

    /// RES-02: one line's result; serial and path only in submissions that issued (RES-10).
    public struct Line: Codable, Sendable, Hashable {
        public let line: Int
        public let result: String
        public let errors: [LineError]
        public let serial: String?
        public let path: String?
        /// ACME-T03: the ACME account URL of an applied ACME create, update or suspend line.
        public let account: String?

        /// RES-02: whether the line was accepted (`OK`).
        public var isAccepted: Bool { result == "OK" }
    }

    /// RES-03: the counts.
    public struct Summary: Codable, Sendable, Hashable {
        public let lines: Int
        public let accepted: Int
        public let rejected: Int
    }

    public let file: String
    public let encoding: String?
    public let lineEnding: String
    public let family: String
    public let operation: String
    public let fileErrors: [FileError]
    public let lines: [Line]
    public let status: String
    /// RES-12: whether anything was applied (submissions only).
    public let applied: Bool?
    public let summary: Summary

    /// RES-01: the document in `json`, or nil when it is not a result.
    public init?(json: String) {
        guard let document = try? JSONDecoder().decode(Self.self, from: Data(json.utf8)) else { return nil }
        self = document
    }
}
