/// Markup that is safe by construction (DESK-30): the literal parts of a template are trusted, and every value
/// interpolated into one is escaped unless it is `HTML` itself. Literals are `StaticString`s and there is no way to
/// make `HTML` from a run-time `String` without escaping it, so a value can never reach a page unescaped.
struct HTML: ExpressibleByStringInterpolation, Sendable, Equatable {
    /// The markup text.
    let markup: String

    /// No markup.
    static let empty = HTML(markup: "")

    private init(markup: String) {
        self.markup = markup
    }

    /// A template without interpolations (a compile-time literal: trusted).
    init(stringLiteral value: StaticString) {
        markup = value.description
    }

    /// A template with interpolations.
    init(stringInterpolation: Interpolation) {
        markup = stringInterpolation.markup
    }

    /// Text shown as text: every special character escaped.
    init(text: String) {
        markup = Self.escape(text)
    }

    /// Builds a template: literals trusted, strings escaped, `HTML` embedded.
    struct Interpolation: StringInterpolationProtocol {
        var markup = ""

        init(literalCapacity: Int, interpolationCount: Int) {
            markup.reserveCapacity(literalCapacity + 16 * interpolationCount)
        }

        mutating func appendLiteral(_ literal: StaticString) {
            markup += literal.description
        }

        /// A value: escaped for element content and attribute values alike.
        mutating func appendInterpolation(_ text: String) {
            markup += HTML.escape(text)
        }

        /// A number.
        mutating func appendInterpolation<Number: BinaryInteger>(_ number: Number) {
            markup += String(number)
        }

        /// Markup made the same way.
        mutating func appendInterpolation(_ html: HTML) {
            markup += html.markup
        }

        /// Several pieces of markup with a literal separator.
        mutating func appendInterpolation(_ parts: [HTML], separator: StaticString = "") {
            markup += parts.map(\.markup).joined(separator: separator.description)
        }
    }

    /// DESK-30: the one escaper, for element content and quoted attribute values.
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text.unicodeScalars {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(character)
            }
        }
        return out
    }
}
