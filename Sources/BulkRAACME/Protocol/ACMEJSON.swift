import Foundation

/// ACME-11: how the server's JSON is written and read: Codable both ways, RFC 3339 times, no escaped slashes.
public enum ACMEJSON {
    /// ACME-11: the encoder of every resource and problem the server answers with.
    public static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }

    /// ACME-11: the decoder of every payload the server reads.
    public static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }

    /// ACME-11: a payload as `type`; anything that does not decode is `malformed` naming `what`.
    public static func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8], what: String) throws(ACMEProblem) -> T {
        do {
            return try decoder().decode(type, from: Data(bytes))
        } catch {
            throw ACMEProblem(.malformed, "\(what) is not a valid JSON object of its kind")
        }
    }

    /// ACME-11: the bytes of `value`.
    public static func encode<T: Encodable>(_ value: T) -> [UInt8] {
        // Every resource is plain data; encoding cannot fail for them.
        (try? Array(encoder().encode(value))) ?? Array("{}".utf8)
    }
}
