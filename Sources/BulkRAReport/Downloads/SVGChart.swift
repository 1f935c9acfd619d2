import Foundation

/// DL-33, DASH-02: what the statistics and the dashboard charts share — text escaped for SVG, numbers to one decimal, and
/// the opening of the document: size, accessible title and description, white background and the heading.
enum SVGChart {
    /// DL-33: `text` safe inside SVG elements and attributes.
    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    /// DL-33: a coordinate as the charts write it.
    static func number(_ value: Double) -> String { String(format: "%.1f", value) }

    /// DL-33, DASH-02: the `<svg>` element and what opens every chart; `id` prefixes the title and description ids.
    static func opening(width: Double, height: Double, id: String, fontSize: Int, titleSize: Int, left: Double,
                        title: String, summary: String) -> String {
        """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" viewBox="0 0 \(Int(width)) \(Int(height))" \
        role="img" aria-labelledby="\(id)title \(id)desc" font-family="'Noto Sans CJK JP', 'Hiragino Sans', Meiryo, sans-serif" font-size="\(fontSize)">
        <title id="\(id)title">\(escape(title))</title>
        <desc id="\(id)desc">\(escape(summary))</desc>
        <rect width="100%" height="100%" fill="#ffffff"/>
        <text x="\(Int(left))" y="24" font-size="\(titleSize)" font-weight="bold" fill="#212121">\(escape(title))</text>

        """
    }
}
