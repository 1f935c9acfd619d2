import BulkRAModel
import Foundation

extension IssuedStatistics {
    /// DL-33: the figures as a horizontal stacked bar chart a person reads at a glance — one bar per row,
    /// valid (green), of which expiring within 30 days (orange), revoked (red) and expired (grey), the count at
    /// the end of each bar, a legend, and the whole table in the SVG's accessible description.
    public func renderSVG() -> String {
        let rows = self.rows
        let labelWidth = 260.0, barWidth = 520.0, rowHeight = 28.0, top = 78.0, left = 16.0
        let height = top + Double(max(rows.count, 1)) * rowHeight + 56
        let width = left + labelWidth + barWidth + 90
        let largest = Double(max(rows.map(\.counts.issued).max() ?? 0, 1))
        let (escape, number) = (SVGChart.escape, SVGChart.number)
        let date = JapanTime.format(asOf)
        let title = "発行証明書統計 / Issued certificates — \(institutionID) (\(date) JST)"
        let summary = tableRows().map { $0.joined(separator: " ") }.joined(separator: "; ")
        var svg = SVGChart.opening(width: width, height: height, id: "", fontSize: 13, titleSize: 16, left: left, title: title, summary: summary)
        let legend: [(String, String)] = [("#2e7d32", "有効 valid"), ("#ef6c00", "30日以内に期限切れ expiring ≤ 30 days"),
                                          ("#c62828", "失効 revoked"), ("#9e9e9e", "期限切れ expired")]
        var x = left
        for (color, label) in legend {
            svg += "<rect x=\"\(number(x))\" y=\"38\" width=\"14\" height=\"14\" fill=\"\(color)\"/>"
            svg += "<text x=\"\(number(x + 20))\" y=\"50\" fill=\"#212121\">\(escape(label))</text>\n"
            x += 20 + Double(label.count) * 8.5 + 18
        }
        for (index, row) in rows.enumerated() {
            let y = top + Double(index) * rowHeight
            let label: String
            switch grouping {
            case .domain, .month: label = row.group.profile.isEmpty ? row.group.first : "\(row.group.first) · \(row.group.profile)"
            case .profile: label = "profile \(row.group.profile)"
            }
            svg += "<text x=\"\(number(left))\" y=\"\(number(y + 18))\" fill=\"#212121\">\(escape(label))</text>\n"
            var segmentX = left + labelWidth
            let segments = [(row.counts.valid - row.counts.expiring, "#2e7d32"), (row.counts.expiring, "#ef6c00"),
                            (row.counts.revoked, "#c62828"), (row.counts.expired, "#9e9e9e")]
            for (count, color) in segments where count > 0 {
                let segment = barWidth * Double(count) / largest
                svg += "<rect x=\"\(number(segmentX))\" y=\"\(number(y + 5))\" width=\"\(number(segment))\" height=\"18\" fill=\"\(color)\"/>\n"
                segmentX += segment
            }
            svg += "<text x=\"\(number(segmentX + 6))\" y=\"\(number(y + 18))\" fill=\"#212121\">\(row.counts.issued)</text>\n"
        }
        let totals = self.totals
        let footer = "合計 total: 発行 \(totals.issued) / 有効 \(totals.valid) / 失効 \(totals.revoked) / 期限切れ \(totals.expired) / 30日以内 \(totals.expiring)"
        svg += "<text x=\"\(number(left))\" y=\"\(number(height - 20))\" fill=\"#212121\">\(escape(footer))</text>\n</svg>\n"
        return svg
    }
}
