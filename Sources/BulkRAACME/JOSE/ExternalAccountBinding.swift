import Crypto
import Foundation

/// ACME-06: the external account binding of a newAccount request (RFC 8555 §7.3.4): a flattened JWS whose protected header
/// has a MAC `alg` (HS256, HS384 or HS512), the EAB's `kid` and the newAccount `url` — and no nonce —, whose payload is the
/// account's JWK, exactly as in the outer request, and whose MAC is made with the EAB's HMAC key.
public enum ExternalAccountBinding {
    /// ACME-06: the EAB key id `binding` proves, when `key(kid)` (the stored HMAC key, nil for an unknown or used EAB) made
    /// its MAC over `accountKey` for `url`. The problems name no secret.
    public static func verify(_ binding: JSONValue?, accountKey: JSONWebKey, url: String,
                              key: (String) async throws -> [UInt8]?) async throws -> String {
        guard case .object(let outer)? = binding else {
            throw ACMEProblem(.externalAccountRequired, "a new account needs the externalAccountBinding your registration officer's mail gave")
        }
        guard Set(outer.keys).isSubset(of: ["protected", "payload", "signature"]), let protected = outer["protected"]?.string,
              let payload = outer["payload"]?.string, let signature = outer["signature"]?.string,
              let headerBytes = Base64URL.decode(protected), let payloadBytes = Base64URL.decode(payload),
              let mac = Base64URL.decode(signature) else {
            throw ACMEProblem(.malformed, "externalAccountBinding must be a flattened JWS")
        }
        let header = try JSONValue.object(headerBytes, what: "the externalAccountBinding header")
        guard let kid = header["kid"]?.string, header["url"]?.string == url, header["nonce"] == nil, header["jwk"] == nil else {
            throw ACMEProblem(.malformed, "the externalAccountBinding header needs kid and the newAccount url, and no nonce")
        }
        guard let secret = try await key(kid) else {
            throw ACMEProblem(.unauthorized, "the external account binding \(kid) is unknown, used or expired")
        }
        let bound = try JSONWebKey(json: try JSONValue.object(payloadBytes, what: "the externalAccountBinding payload"))
        guard bound == accountKey else { throw ACMEProblem(.malformed, "the externalAccountBinding binds another key than the account's") }
        let input = Array("\(protected).\(payload)".utf8)
        let symmetric = SymmetricKey(data: secret)
        let valid: Bool
        switch header["alg"]?.string {
        case "HS256"?: valid = HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: input, using: symmetric)
        case "HS384"?: valid = HMAC<SHA384>.isValidAuthenticationCode(mac, authenticating: input, using: symmetric)
        case "HS512"?: valid = HMAC<SHA512>.isValidAuthenticationCode(mac, authenticating: input, using: symmetric)
        default: throw ACMEProblem(.badSignatureAlgorithm, "externalAccountBinding takes HS256, HS384 or HS512", algorithms: ["HS256", "HS384", "HS512"])
        }
        guard valid else { throw ACMEProblem(.unauthorized, "the externalAccountBinding MAC does not verify") }
        return kid
    }
}
