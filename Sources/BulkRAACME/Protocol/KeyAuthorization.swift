import Foundation
import Crypto

/// ACME-09: what a client proves control of a name with (RFC 8555 §8.1): the challenge token and the account key's
/// thumbprint. http-01 serves it as it is at `/.well-known/acme-challenge/<token>`; dns-01 publishes its SHA-256 digest,
/// base64url, as the TXT record `_acme-challenge.<name>`.
public struct KeyAuthorization: Sendable, Hashable {
    /// ACME-09: `token.thumbprint`.
    public let text: String

    /// ACME-09: the key authorization of `token` for the account `key`; nil for a token that is not base64url of at least
    /// 128 bits (RFC 8555 §8.1 requires that much entropy of the server's tokens).
    public init?(token: String, key: JSONWebKey) {
        guard let bytes = Base64URL.decode(token), bytes.count >= 16 else { return nil }
        text = token + "." + key.thumbprint
    }

    /// ACME-09: what an http-01 response body must be, exactly (surrounding whitespace is tolerated by §8.3, nothing else).
    public func matchesHTTPResponse(_ body: [UInt8]) -> Bool {
        String(decoding: body, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) == text
    }

    /// ACME-09: the TXT value a dns-01 challenge expects.
    public var dnsRecordValue: String {
        Base64URL.encode(SHA256.hash(data: Array(text.utf8)))
    }
}
