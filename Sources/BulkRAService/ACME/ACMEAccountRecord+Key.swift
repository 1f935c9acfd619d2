import BulkRAACME
import BulkRARegistry

extension ACMEAccountRecord {
    /// ACME-13: the key bound to the account (its stored JWK), nil while no client has bound one.
    var boundKey: JSONWebKey? {
        key.flatMap { try? JSONWebKey(json: try JSONValue.object(Array($0.utf8), what: "the stored key")) }
    }
}
