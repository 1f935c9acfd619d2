import BulkRADecode
import BulkRAModel
import BulkRAReport
import BulkRAWorkbook

extension InstitutionDownloads {
    /// XLS-10, XLS-11: `file` as an Excel workbook, the same rows as the TSV: the 46-column certificate information, the
    /// user-administrators, the allow-list, the statistics table (figures as numbers) and the renewal worksheet (under the
    /// upload template's header, so that the filled workbook uploads as it is). The registry's pages go through a spool
    /// file (XLS-13): memory holds a page and the compressed workbook, never the sheet's XML.
    public func workbook(_ file: File) throws -> (bytes: [UInt8], rows: Int) {
        let writer: WorkbookWriter
        let spool = try SpoolFolder()
        defer { spool.remove() }
        var rows = 0
        switch file {
        case .certificates(let query):
            writer = WorkbookWriter(sheetName: "証明書情報", header: CertificateInformationFile.header, spool: spool.file("sheet1.xml"))
            try pages(query) { page in
                writer.append(page.map(CertificateInformationFile.row))
                rows += page.count
            }
        case .administrators(let query):
            writer = WorkbookWriter(sheetName: "利用管理者情報", header: AdministratorInformationFile.header, spool: spool.file("sheet1.xml"))
            try pages(query) { page in
                writer.append(page.map(AdministratorInformationFile.row))
                rows += page.count
            }
        case .allowList:
            let list = AllowListFile.rows(institution)
            writer = WorkbookWriter(sheetName: "OU許可リスト", header: AllowListFile.header)
            writer.append(list)
            rows = list.count
        case .statistics(let grouping, let asOf, _):
            let statistics = try statistics(grouping, asOf: asOf)
            return (try StatisticsFormat.workbook(of: statistics), statistics.rows.count)
        case .renewals(let family, let asOf, let days):
            let lines = try renewalLines(family, asOf: asOf, days: days)
            let layout = ColumnLayout.of(family == .server ? .server : family == .codeSigning ? .codeSigning : .client, operation: .renew)
            writer = WorkbookWriter(sheetName: "更新", header: layout.templateHeader)
            writer.append(lines)
            rows = lines.count
        }
        return (try writer.bytes(), rows)
    }

    /// XLS-10: writes `file` as a workbook to `emit` (every character kept: a workbook is Unicode).
    public func writeWorkbook(_ file: File, to emit: ([UInt8]) throws -> Void) throws -> Written {
        let (bytes, rows) = try workbook(file)
        try emit(bytes)
        return Written(rows: rows, replacedCharacters: 0)
    }
}
