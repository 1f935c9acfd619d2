import BulkRAModel

/// The ID of an ACME account: the last segment of its URL `…/acme/acct/<id>` (Specs/acme-tsv.md, ACME-T02).
public struct ACMEAccountID: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The ID: 16 to 64 characters of the base64url alphabet.
    public let text: String

    /// The path below the ACME directory's host under which accounts live.
    public static let pathPrefix = "/acme/acct/"

    /// ACME-T02: column 3 takes the account URL the ACME server reported, or the bare ID; anything else is 206.
    public init(_ raw: String) throws(ValueError) {
        var id = Substring(raw)
        if raw.lowercased().hasPrefix("https://") || raw.lowercased().hasPrefix("http://") {
            guard let range = raw.range(of: Self.pathPrefix) else {
                throw ValueError(.syntaxViolated, ja: "（…/acme/acct/<ID>の形のURLかIDを指定してください）",
                                 en: "(give the account URL …/acme/acct/<id> or the ID)")
            }
            id = raw[range.upperBound...]
        }
        guard (16...64).contains(id.utf8.count), id.utf8.allSatisfy(Self.isIDByte) else {
            throw ValueError(.syntaxViolated, ja: "（ACMEアカウントIDは英数字・「-」「_」の16〜64文字です）",
                             en: "(an ACME account ID is 16 to 64 characters of A-Z a-z 0-9 - _)")
        }
        text = String(id)
    }

    /// ACME-T02: an ID the service made (base64url of random bytes).
    public init(generated text: String) {
        self.text = text
    }

    /// The account's URL under `base`, the ACME server's address (ACME-T02).
    public func url(base: String) -> String {
        (base.hasSuffix("/") ? String(base.dropLast()) : base) + Self.pathPrefix + text
    }

    public var description: String { text }

    static func isIDByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "-"), UInt8(ascii: "_"): return true
        default: return false
        }
    }
}
