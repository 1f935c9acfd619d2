import BulkRAModel
import BulkRAReport
import BulkRAWorkbook

/// DL-32, DL-33: the forms of the statistics download.
public enum StatisticsFormat: String, Sendable, Codable, CaseIterable {
    /// DL-32: the table (TSV in the download's encoding).
    case tsv
    /// DL-32: JSON.
    case json
    /// DL-33: the SVG chart.
    case svg
    /// XLS-10: the table as an Excel workbook, the figures as numbers.
    case xlsx

    /// DL-32, DL-33: the bytes of `statistics` in this form; `writer` encodes the table.
    func bytes(of statistics: IssuedStatistics, writer: inout TSVWriter) throws -> [UInt8] {
        switch self {
        case .tsv: writer.lines(statistics.tableRows())
        case .json: Array(statistics.renderJSON().utf8)
        case .svg: Array(statistics.renderSVG().utf8)
        case .xlsx: try Self.workbook(of: statistics)
        }
    }

    /// XLS-10, XLS-14: the statistics table as a workbook: its header, one row per group and the totals, the five figures
    /// numbers, and beside it a native bar chart of the issued and valid certificates of each group (per domain and
    /// profile by default), the totals left out.
    static func workbook(of statistics: IssuedStatistics) throws -> [UInt8] {
        let table = statistics.tableRows()
        let figures = table[0].count - 5
        let writer = WorkbookWriter(sheetName: "統計", header: table[0], countColumns: Set(figures..<table[0].count))
        let groups = table.count - 2
        if groups > 0 {
            let per = switch statistics.grouping {
            case .domain: "ドメイン別 / per domain"
            case .profile: "プロファイル別 / per profile"
            case .month: "発行月別 / per month"
            }
            writer.chart(title: "発行数と有効数 \(per) — Issued and valid certificates (\(statistics.institutionID), \(JapanTime.format(statistics.asOf)) JST)",
                         categoryColumns: Array(0..<figures), valueColumns: [figures, figures + 1], rows: 2...(groups + 1))
        }
        writer.append(Array(table.dropFirst()))
        return try writer.bytes()
    }
}
