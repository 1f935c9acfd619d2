import BulkRAValidate
import Foundation

/// EAB credentials as the user-administrator receives them (Specs/acme-tsv.md, ACME-T07): the JSON file behind the one-time
/// link and under `bulkra submit --out`, `{"directory", "hmacKey", "kid"}` — what certbot's `--eab-kid`, `--eab-hmac-key` and
/// `--server` (lego's `--eab --kid --hmac --server`) take.
public struct ACMECredentials: Codable, Sendable, Hashable {
    /// The EAB key ID.
    public let kid: String
    /// The HMAC key, base64url without padding (RFC 8555 §7.3.4).
    public let hmacKey: String
    /// The ACME directory URL.
    public let directory: String

    /// Creates credentials.
    public init(kid: String, hmacKey: String, directory: String) {
        self.kid = kid
        self.hmacKey = hmacKey
        self.directory = directory
    }

    /// ACME-T07: the directory URL of the desk at `deskURL`.
    public static func directory(deskURL: String) -> String {
        (deskURL.hasSuffix("/") ? String(deskURL.dropLast()) : deskURL) + "/acme/directory"
    }

    /// ACME-T07: the file's bytes (sorted keys, pretty, a final newline).
    public func encoded() throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(self)) + [0x0A]
    }

    /// ACME-T07: the file name for an account's CN, under `acme/` in `--out`.
    public static func fileName(commonName: String) -> String { "eab-\(commonName).json" }

    /// The HMAC key is a secret: it is never printed, logged or interpolated (ACME-T07).
    public var description: String { "ACMECredentials(kid: \(kid), directory: \(directory))" }
}

extension ACMECredentials: CustomStringConvertible, CustomDebugStringConvertible {
    public var debugDescription: String { description }
}
