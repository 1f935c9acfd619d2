/// XLS-05: a number cell in a text column. Excel keeps 15 significant digits; a number whose lexical form shows an
/// integer it kept exactly becomes its digits, anything else (more digits, a fraction, an exponent beyond them) was
/// changed by Excel and is refused with 248.
enum ExcelNumber {
    /// The digits of `lexical` when it is an integer Excel holds exactly (at most 15 significant digits), nil otherwise.
    static func digits(_ lexical: String) -> String? {
        var text = Substring(trimmed(Substring(lexical)))
        var negative = false
        if text.first == "-" { negative = true; text = text.dropFirst() } else if text.first == "+" { text = text.dropFirst() }
        var exponent = 0
        if let e = text.firstIndex(where: { $0 == "E" || $0 == "e" }) {
            guard let value = Int(text[text.index(after: e)...]) else { return nil }
            exponent = value
            text = text[..<e]
        }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), parts.allSatisfy({ $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }) else { return nil }
        var mantissa = String(parts[0]) + (parts.count == 2 ? String(parts[1]) : "")
        exponent -= parts.count == 2 ? parts[1].count : 0
        guard !mantissa.isEmpty else { return nil }
        // Trailing zeros of the fraction, then the decimal point moved by the exponent.
        while exponent < 0, mantissa.last == "0", mantissa.count > 1 {
            mantissa.removeLast()
            exponent += 1
        }
        guard exponent >= 0 else { return nil }
        let significant = mantissa.drop { $0 == "0" }
        guard significant.count <= 15, significant.count + exponent <= 15 || significant.isEmpty else { return nil }
        let digits = significant.isEmpty ? "0" : String(significant) + String(repeating: "0", count: exponent)
        return negative && digits != "0" ? "-" + digits : digits
    }

    /// `text` without the spaces around it.
    static func trimmed(_ text: Substring) -> String {
        String(text.drop { $0 == " " || $0 == "\u{3000}" }.reversed().drop { $0 == " " || $0 == "\u{3000}" }.reversed())
    }
}
