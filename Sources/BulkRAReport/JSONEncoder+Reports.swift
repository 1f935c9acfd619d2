import Foundation

extension JSONEncoder {
    /// CLI-131, CLI-132, CLI-36, DESK-10: how the CLI's `--format json` and the desk's JSON endpoints write Codable values —
    /// sorted keys, unescaped slashes, ISO 8601 dates; `pretty` for people at a terminal.
    public static func reports(pretty: Bool) -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }

    /// The value as JSON text (see ``reports(pretty:)``).
    public func text<Value: Encodable>(_ value: Value) throws -> String {
        String(decoding: try encode(value), as: UTF8.self)
    }
}
