import BulkRAACME
import Crypto
import _CryptoExtras
import SwiftASN1
import X509

extension JSONWebKey {
    /// ACME-17: the JWK of a certificate's public key (RSA, or EC on P-256 / P-384), to compare with the key that signed a
    /// revocation request; nil for other keys.
    init?(certificateKey key: Certificate.PublicKey) {
        if let ec = P256.Signing.PublicKey(key) {
            let point = Array(ec.x963Representation.dropFirst())
            self = .ec(curve: .p256, x: Array(point.prefix(32)), y: Array(point.suffix(32)))
        } else if let ec = P384.Signing.PublicKey(key) {
            let point = Array(ec.x963Representation.dropFirst())
            self = .ec(curve: .p384, x: Array(point.prefix(48)), y: Array(point.suffix(48)))
        } else if let rsa = _RSA.Signing.PublicKey(key), let node = try? DER.parse(Array(rsa.pkcs1DERRepresentation)),
                  let parts = try? DER.sequence(node, identifier: .sequence, { nodes in
                      (try ArraySlice<UInt8>(derEncoded: &nodes), try ArraySlice<UInt8>(derEncoded: &nodes))
                  }) {
            self = .rsa(modulus: Array(parts.0.drop { $0 == 0 }), exponent: Array(parts.1.drop { $0 == 0 }))
        } else {
            return nil
        }
    }
}
