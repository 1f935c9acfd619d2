import BulkRAModel
import BulkRARegistry
import Foundation

extension InstitutionStatus {
    /// DASH-02: the live certificates ending in each of the next 12 weeks as a column chart — one column per week, labelled
    /// with its first day (JST) and its count, the figures again in the SVG's accessible description.
    public func renderExpirySVG() -> String {
        let columnWidth = 52.0, plotHeight = 180.0, left = 40.0, top = 56.0
        let width = left + Double(expiriesPerWeek.count) * columnWidth + 24
        let height = top + plotHeight + 56
        let largest = Double(max(expiriesPerWeek.map(\.count).max() ?? 0, 1))
        let (escape, number) = (SVGChart.escape, SVGChart.number)
        let title = "週ごとの有効期限 / Expiries per week — \(institutionID) (\(JapanTime.format(asOf)) JST)"
        let summary = expiriesPerWeek.map { "\(JapanTime.day($0.weekStarting)): \($0.count)" }.joined(separator: "; ")
        var svg = SVGChart.opening(width: width, height: height, id: "expiry-", fontSize: 12, titleSize: 15, left: left, title: title, summary: summary)
        svg += """
            <line x1="\(number(left))" y1="\(number(top + plotHeight))" x2="\(number(width - 16))" y2="\(number(top + plotHeight))" stroke="#757575"/>

            """
        for (index, week) in expiriesPerWeek.enumerated() {
            let x = left + Double(index) * columnWidth
            let barHeight = plotHeight * Double(week.count) / largest
            let color = index < 5 ? "#ef6c00" : "#1565c0"  // the first four weeks and a bit: the 30-day window
            svg += "<rect x=\"\(number(x + 8))\" y=\"\(number(top + plotHeight - barHeight))\" width=\"\(number(columnWidth - 16))\" height=\"\(number(barHeight))\" fill=\"\(color)\"/>\n"
            svg += "<text x=\"\(number(x + columnWidth / 2))\" y=\"\(number(top + plotHeight - barHeight - 4))\" text-anchor=\"middle\" fill=\"#212121\">\(week.count)</text>\n"
            let day = String(JapanTime.day(week.weekStarting).dropFirst(5))
            svg += "<text x=\"\(number(x + columnWidth / 2))\" y=\"\(number(top + plotHeight + 16))\" text-anchor=\"middle\" fill=\"#424242\">\(escape(day))</text>\n"
        }
        svg += "<text x=\"\(number(left))\" y=\"\(number(height - 14))\" fill=\"#212121\">\(escape("合計 total: \(expiriesPerWeek.reduce(0) { $0 + $1.count }) (\(InstitutionStatus.weeks) 週 weeks)"))</text>\n</svg>\n"
        return svg
    }
}
