import Foundation

/// ACME-10: ACME Renewal Information (RFC 9773): the identifier a client sends for one certificate, and the window in which
/// the server suggests renewing it, so that clients renew at the right moment — never all at once, never too late.
public struct RenewalInfo: Sendable, Hashable, Codable {
    /// ACME-10: when to renew (RFC 3339 in JSON).
    public struct Window: Sendable, Hashable, Codable {
        /// ACME-10: not before this moment.
        public let start: Date
        /// ACME-10: by this moment.
        public let end: Date
    }

    /// ACME-10: the suggested window.
    public let suggestedWindow: Window

    /// ACME-10: the window for a certificate valid `notBefore`–`notAfter`: its last third, less the final sixth of the whole
    /// validity (for 89 days: from day 59 to day 74, two weeks before the end), or — revoked — a window that began an
    /// hour ago, which tells the client to renew at once.
    public init(notBefore: Date, notAfter: Date, revoked: Bool, now: Date) {
        if revoked {
            suggestedWindow = Window(start: now.addingTimeInterval(-3_600), end: now)
        } else {
            let lifetime = notAfter.timeIntervalSince(notBefore)
            suggestedWindow = Window(start: notBefore.addingTimeInterval(lifetime * 2 / 3), end: notAfter.addingTimeInterval(-lifetime / 6))
        }
    }

    /// ACME-10: the certificate identifier `base64url(AKI keyIdentifier).base64url(serial)` (RFC 9773 §4.1), the serial as
    /// the DER INTEGER's content octets.
    public static func identifier(authorityKeyIdentifier: [UInt8], serialContent: [UInt8]) -> String {
        Base64URL.encode(authorityKeyIdentifier) + "." + Base64URL.encode(serialContent)
    }

    /// ACME-10: the two parts of an identifier; nil (the server answers `malformed`) when it is not two non-empty
    /// base64url parts or the serial is not a positive DER INTEGER's content.
    public static func parse(identifier: String) -> (authorityKeyIdentifier: [UInt8], serialContent: [UInt8])? {
        let parts = identifier.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, let key = Base64URL.decode(String(parts[0])), let serial = Base64URL.decode(String(parts[1])),
              !key.isEmpty, let first = serial.first, first & 0x80 == 0, !(first == 0 && serial.count > 1 && serial[1] & 0x80 == 0)
        else { return nil }
        return (key, serial)
    }
}
