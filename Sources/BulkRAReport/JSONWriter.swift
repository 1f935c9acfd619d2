/// A minimal JSON text builder that keeps keys in the order written (reports are deterministic; RPT-01).
public enum JSONWriter {
    /// A JSON string literal; only `"`, `\`, controls and U+2028/2029 are escaped.
    public static func quoted(_ value: String) -> String {
        // Most values need no escaping: check the bytes once and copy the string whole.
        var needsEscape = false
        var previous: (UInt8, UInt8) = (0, 0)
        for byte in value.utf8 {
            if byte < 0x20 || byte == 0x22 || byte == 0x5C || (previous == (0xE2, 0x80) && (byte == 0xA8 || byte == 0xA9)) {
                needsEscape = true
                break
            }
            previous = (previous.1, byte)
        }
        if !needsEscape { return "\"" + value + "\"" }
        var result = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            default:
                if scalar.value < 0x20 || scalar.value == 0x2028 || scalar.value == 0x2029 {
                    let hex = String(scalar.value, radix: 16)
                    result += "\\u" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        return result + "\""
    }

    /// An object from ordered key/value pairs whose values are already JSON text.
    public static func object(_ pairs: [(String, String)]) -> String {
        "{" + pairs.map { quoted($0.0) + ":" + $0.1 }.joined(separator: ",") + "}"
    }

    /// An array of JSON texts.
    public static func array(_ items: [String]) -> String {
        "[" + items.joined(separator: ",") + "]"
    }
}
