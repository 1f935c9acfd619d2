import Foundation

/// ACME-04, ACME-05: one POST body of RFC 8555 §6.2 — a flattened JWS, parsed and checked before anything reads its payload:
/// only `protected`, `payload` and `signature`; a protected header with an accepted `alg`, a `nonce`, the `url` it was sent
/// to, exactly one of `jwk` and `kid` (the one the resource expects), no `crit`; a valid signature by that key.
public struct SignedRequest: Sendable, Hashable {
    /// ACME-04: how the request names its key.
    public enum Signer: Sendable, Hashable {
        /// The key itself (newAccount, revokeCert by certificate key).
        case key(JSONWebKey)
        /// The account URL (every other request).
        case account(String)
    }

    /// ACME-04: which form a resource takes.
    public enum Expected: Sendable, Hashable {
        case jwk, kid, either
    }

    /// ACME-05: the algorithm.
    public let algorithm: JWSAlgorithm
    /// ACME-04: the nonce (checked and used up by the server's nonce store).
    public let nonce: String
    /// ACME-04: the URL the client signed (equal to the request's, checked here).
    public let url: String
    /// ACME-04: the key or the account.
    public let signer: Signer
    /// ACME-04: the payload's bytes; empty for POST-as-GET.
    public let payload: [UInt8]
    /// ACME-05: `protected.payload` as sent, what the signature covers.
    let signingInput: [UInt8]
    let signature: [UInt8]

    /// ACME-04: parses `body` sent to `url`; throws the RFC 8555 problem a server answers (malformed, badSignatureAlgorithm,
    /// badNonce for a missing nonce, unauthorized for a URL mismatch).
    /// `nonceRequired` false reads the inner JWS of a key change (RFC 8555 §7.3.5), which must carry no nonce.
    public init(body: [UInt8], url requestURL: String, expecting: Expected, nonceRequired: Bool = true) throws(ACMEProblem) {
        let outer = try JSONValue.object(body, what: "the request body")
        guard Set(outer.keys).isSubset(of: ["protected", "payload", "signature"]),
              let protected = outer["protected"]?.string, let payload = outer["payload"]?.string, let signature = outer["signature"]?.string
        else {
            throw ACMEProblem(.malformed, "the body must be a flattened JWS with protected, payload and signature only")
        }
        guard let headerBytes = Base64URL.decode(protected), let payloadBytes = Base64URL.decode(payload),
              let signatureBytes = Base64URL.decode(signature) else {
            throw ACMEProblem(.malformed, "JWS parts must be base64url without padding")
        }
        let header = try JSONValue.object(headerBytes, what: "the protected header")
        guard let name = header["alg"]?.string else { throw ACMEProblem(.malformed, "the protected header has no alg") }
        guard let algorithm = JWSAlgorithm(rawValue: name) else {
            throw ACMEProblem(.badSignatureAlgorithm, "\(name) is not accepted", algorithms: JWSAlgorithm.names)
        }
        if header["crit"] != nil { throw ACMEProblem(.malformed, "no crit header parameter is understood") }
        let nonce: String
        if nonceRequired {
            guard let given = header["nonce"]?.string else { throw ACMEProblem(.badNonce, "the protected header has no nonce") }
            guard Base64URL.decode(given) != nil else { throw ACMEProblem(.badNonce, "the nonce is not base64url") }
            nonce = given
        } else {
            guard header["nonce"] == nil else { throw ACMEProblem(.malformed, "the inner JWS of a key change carries no nonce") }
            nonce = ""
        }
        guard let url = header["url"]?.string else { throw ACMEProblem(.malformed, "the protected header has no url") }
        guard url == requestURL else { throw ACMEProblem(.unauthorized, "the signed url is not the URL this request was sent to") }
        let signer: Signer
        switch (header["jwk"], header["kid"]) {
        case (.object(let members)?, nil):
            guard expecting != .kid else { throw ACMEProblem(.malformed, "this resource takes requests signed by an account (kid)") }
            signer = .key(try JSONWebKey(json: members))
        case (nil, .string(let account)?):
            guard expecting != .jwk else { throw ACMEProblem(.malformed, "this resource takes requests signed with a jwk") }
            signer = .account(account)
        default:
            throw ACMEProblem(.malformed, "the protected header needs exactly one of jwk and kid")
        }
        if case .key(let key) = signer, key.algorithm != algorithm {
            throw ACMEProblem(.badSignatureAlgorithm, "\(name) does not go with this key", algorithms: [key.algorithm.rawValue])
        }
        self.algorithm = algorithm
        self.nonce = nonce
        self.url = url
        self.signer = signer
        self.payload = payloadBytes
        signingInput = Array("\(protected).\(payload)".utf8)
        self.signature = signatureBytes
    }

    /// ACME-05: whether the request is signed by `key` (the jwk given, or the account's stored key for kid).
    public func isSigned(by key: JSONWebKey) -> Bool {
        key.isValidSignature(signature, for: signingInput, algorithm: algorithm)
    }

    /// ACME-05: checks the signature of a jwk request by its own key; throws `malformed` when it is not valid.
    public func verifiedKey() throws(ACMEProblem) -> JSONWebKey {
        guard case .key(let key) = signer else { throw ACMEProblem(.malformed, "this request names an account, not a key") }
        guard isSigned(by: key) else { throw ACMEProblem(.malformed, "the JWS signature does not verify") }
        return key
    }

    /// ACME-04: whether this is a POST-as-GET (empty payload).
    public var isPostAsGet: Bool { payload.isEmpty }

    /// ACME-04: the payload as a JSON object (`malformed` otherwise).
    public func payloadObject() throws(ACMEProblem) -> [String: JSONValue] {
        try JSONValue.object(payload, what: "the payload")
    }
}
