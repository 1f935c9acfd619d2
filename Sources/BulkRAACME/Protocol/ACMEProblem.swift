import Foundation

/// ACME-07: an RFC 7807 problem document with an RFC 8555 §6.7 error type, as the server answers a request it refuses.
public struct ACMEProblem: Error, Sendable, Hashable, Codable {
    /// ACME-07: the RFC 8555 error types this server uses (`urn:ietf:params:acme:error:<name>`).
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        case accountDoesNotExist, alreadyRevoked, badCSR, badNonce, badPublicKey, badRevocationReason, badSignatureAlgorithm
        case caa, connection, dns, externalAccountRequired, incorrectResponse, invalidContact, malformed, orderNotReady
        case rateLimited, rejectedIdentifier, serverInternal, tls, unauthorized, unsupportedContact, unsupportedIdentifier
        case userActionRequired

        /// ACME-07: the type URI.
        public var uri: String { "urn:ietf:params:acme:error:" + rawValue }

        /// ACME-07: the HTTP status that goes with it.
        public var status: Int {
            switch self {
            case .unauthorized: 403
            case .accountDoesNotExist, .alreadyRevoked: 400
            case .orderNotReady: 403
            case .rateLimited: 429
            case .serverInternal: 500
            default: 400
            }
        }
    }

    /// ACME-07: `type`, the error type URI.
    public let type: String
    /// ACME-07: what went wrong, for the client's operator (never a secret).
    public let detail: String
    /// ACME-07: the HTTP status.
    public let status: Int
    /// RFC 8555 §7.3.3: for `badSignatureAlgorithm`, the algorithms accepted.
    public let algorithms: [String]?

    /// ACME-07: a problem of `kind` with `detail`.
    public init(_ kind: Kind, _ detail: String, algorithms: [String]? = nil) {
        type = kind.uri
        self.detail = detail
        status = kind.status
        self.algorithms = algorithms
    }

    /// ACME-07: its kind, when the type is one of RFC 8555's.
    public var kind: Kind? {
        type.hasPrefix("urn:ietf:params:acme:error:") ? Kind(rawValue: String(type.dropFirst("urn:ietf:params:acme:error:".count))) : nil
    }
}
