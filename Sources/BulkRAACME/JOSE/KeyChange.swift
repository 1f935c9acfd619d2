/// ACME-18: account key rollover (RFC 8555 §7.3.5): the outer request is signed by the account's key, its payload is an inner
/// JWS signed by the new key (`jwk`, the same `url`, no nonce) over `{"account", "oldKey"}`.
public enum KeyChange {
    struct Inner: Decodable {
        let account: String
        let oldKey: JSONValue
    }

    /// ACME-18: the new key, when the inner JWS `body` sent to `url` is signed by it and names `accountURL` and `oldKey`.
    public static func newKey(_ body: [UInt8], url: String, accountURL: String, oldKey: JSONWebKey) throws(ACMEProblem) -> JSONWebKey {
        let inner = try SignedRequest(body: body, url: url, expecting: .jwk, nonceRequired: false)
        let key: JSONWebKey
        do {
            key = try inner.verifiedKey()
        } catch {
            throw ACMEProblem(.malformed, "the inner JWS of the key change is not signed by its jwk")
        }
        let payload = try ACMEJSON.decode(Inner.self, from: inner.payload, what: "the key change payload")
        guard payload.account == accountURL else { throw ACMEProblem(.malformed, "the key change names another account") }
        guard case .object(let members) = payload.oldKey, try JSONWebKey(json: members) == oldKey else {
            throw ACMEProblem(.malformed, "oldKey is not the account's current key")
        }
        return key
    }
}
