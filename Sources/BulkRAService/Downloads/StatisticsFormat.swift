import BulkRAReport

/// DL-32, DL-33: the forms of the statistics download.
public enum StatisticsFormat: String, Sendable, Codable, CaseIterable {
    /// DL-32: the table (TSV in the download's encoding).
    case tsv
    /// DL-32: JSON.
    case json
    /// DL-33: the SVG chart.
    case svg

    /// DL-32, DL-33: the bytes of `statistics` in this form; `writer` encodes the table.
    func bytes(of statistics: IssuedStatistics, writer: inout TSVWriter) -> [UInt8] {
        switch self {
        case .tsv: writer.lines(statistics.tableRows())
        case .json: Array(statistics.renderJSON().utf8)
        case .svg: Array(statistics.renderSVG().utf8)
        }
    }
}
