import Crypto
import SwiftASN1

/// OCSP-02: the hashes a CertID may use (RFC 6960 §4.1.1; SHA-1 is what most clients send, SHA-2 is accepted too).
public enum OCSPHashAlgorithm: String, Sendable, Hashable, CaseIterable {
    /// OCSP-02: SHA-1, what most clients send (`openssl ocsp`, browsers).
    case sha1
    /// OCSP-02: SHA-256.
    case sha256
    /// OCSP-02: SHA-384.
    case sha384
    /// OCSP-02: SHA-512.
    case sha512

    /// OCSP-02: the algorithm an OID names, or nil.
    init?(oid: ASN1ObjectIdentifier) {
        switch oid {
        case [1, 3, 14, 3, 2, 26]: self = .sha1
        case [2, 16, 840, 1, 101, 3, 4, 2, 1]: self = .sha256
        case [2, 16, 840, 1, 101, 3, 4, 2, 2]: self = .sha384
        case [2, 16, 840, 1, 101, 3, 4, 2, 3]: self = .sha512
        default: return nil
        }
    }

    /// OCSP-02: the digest of `bytes`.
    public func digest(_ bytes: [UInt8]) -> [UInt8] {
        switch self {
        case .sha1: Array(Insecure.SHA1.hash(data: bytes))
        case .sha256: Array(SHA256.hash(data: bytes))
        case .sha384: Array(SHA384.hash(data: bytes))
        case .sha512: Array(SHA512.hash(data: bytes))
        }
    }
}
