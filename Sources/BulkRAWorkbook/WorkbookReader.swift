import Foundation

/// XLS-01..XLS-04: reads the first worksheet of an `.xlsx` workbook row by row, the cells as the officer sees them
/// (shared strings, inline strings, numbers, booleans), the worksheet streamed through libxml2 under `limits`. Pure:
/// the caller passes the uploaded bytes.
public struct WorkbookReader: Sendable {
    /// XLS-02: the limits applied.
    public let limits: WorkbookLimits

    /// XLS-02: a reader with `limits`.
    public init(limits: WorkbookLimits = .uploads) {
        self.limits = limits
    }

    /// XLS-01: whether `bytes` are a ZIP container (a workbook, or something that will be refused as one); decided by
    /// content, never by the file's name.
    public static func isContainer(_ bytes: [UInt8]) -> Bool {
        bytes.starts(with: [0x50, 0x4B, 0x03, 0x04])
    }

    /// XLS-01..XLS-04: hands each row of the first worksheet to `body`, in the order of the part.
    public func readFirstSheet(_ bytes: [UInt8], _ body: (WorksheetRow) throws(WorkbookProblem) -> Void) throws(WorkbookProblem) {
        let archive = try WorkbookArchive(bytes, limits: limits)
        guard archive.has("xl/workbook.xml") else { throw .notWorkbook("the ZIP container holds no xl/workbook.xml") }
        let sheet = try firstSheetPath(archive)
        let hasSharedStrings = archive.has("xl/sharedStrings.xml")
        var strings: [String] = []
        if hasSharedStrings {
            let table = SharedStringsHandler()
            try Self.parse("xl/sharedStrings.xml", in: archive, with: table)
            strings = table.strings
        }
        try withoutActuallyEscaping(body) { body throws(WorkbookProblem) in
            let handler = SheetHandler(strings: strings, hasSharedStrings: hasSharedStrings, columns: limits.columns, emit: body)
            try Self.parse(sheet, in: archive, with: handler)
        }
    }

    /// XLS-01: the part of the workbook's first sheet, through its relationship.
    func firstSheetPath(_ archive: WorkbookArchive) throws(WorkbookProblem) -> String {
        let workbook = FirstSheetHandler()
        try Self.parse("xl/workbook.xml", in: archive, with: workbook)
        guard let id = workbook.relationship else { throw .missingPart("the first sheet of xl/workbook.xml") }
        let relationships = RelationshipHandler(id: id)
        try Self.parse("xl/_rels/workbook.xml.rels", in: archive, with: relationships)
        guard let target = relationships.target else { throw .missingPart("relationship \(id) of xl/workbook.xml") }
        let path = target.hasPrefix("/") ? String(target.dropFirst()) : "xl/" + target
        guard archive.has(path) else { throw .missingPart(path) }
        return path
    }

    static func parse(_ part: String, in archive: WorkbookArchive, with handler: any XMLPartHandler) throws(WorkbookProblem) {
        let parser = XMLPartParser(part: part, handler: handler)
        try archive.stream(part) { chunk throws(WorkbookProblem) in try parser.feed(chunk) }
        try parser.finish()
    }
}
