import Crypto
import _CryptoExtras
import Foundation

/// ACME-02: an account's public key as a JWK (RFC 7517, RFC 7518 §6): RSA of at least 2048 bits, or EC on P-256 or P-384.
/// Parse, don't validate: a value exists only for a key that can verify signatures. Private members are refused.
public enum JSONWebKey: Sendable, Hashable {
    /// ACME-02: RSA; modulus and exponent as unsigned big-endian bytes without leading zeros.
    case rsa(modulus: [UInt8], exponent: [UInt8])
    /// ACME-02: EC P-256 or P-384; the point's coordinates, each the curve's full width.
    case ec(curve: Curve, x: [UInt8], y: [UInt8])

    /// ACME-02: the curves accepted.
    public enum Curve: String, Sendable, Hashable, CaseIterable {
        case p256 = "P-256"
        case p384 = "P-384"

        /// Bytes per coordinate.
        public var width: Int { self == .p256 ? 32 : 48 }
    }

    /// ACME-02: the key a JSON object describes; throws `badPublicKey` (or `malformed`) with what is wrong.
    public init(json: [String: JSONValue]) throws(ACMEProblem) {
        func member(_ name: String) throws(ACMEProblem) -> [UInt8] {
            guard case .string(let text)? = json[name], let bytes = Base64URL.decode(text), !bytes.isEmpty else {
                throw ACMEProblem(.badPublicKey, "JWK member \(name) is missing or not base64url")
            }
            return bytes
        }
        for secret in ["d", "p", "q", "dp", "dq", "qi", "k"] where json[secret] != nil {
            throw ACMEProblem(.badPublicKey, "a JWK with private members is never accepted")
        }
        switch json["kty"] {
        case .string("RSA")?:
            let (n, e) = (try member("n"), try member("e"))
            guard n.first != 0, e.first != 0 else { throw ACMEProblem(.badPublicKey, "RSA n and e are written without leading zeros") }
            self = .rsa(modulus: n, exponent: e)
        case .string("EC")?:
            guard case .string(let name)? = json["crv"], let curve = Curve(rawValue: name) else {
                throw ACMEProblem(.badPublicKey, "only the EC curves P-256 and P-384 are accepted")
            }
            let (x, y) = (try member("x"), try member("y"))
            guard x.count == curve.width, y.count == curve.width else {
                throw ACMEProblem(.badPublicKey, "\(name) coordinates are \(curve.width) bytes each")
            }
            self = .ec(curve: curve, x: x, y: y)
        default:
            throw ACMEProblem(.badPublicKey, "only RSA and EC keys are accepted")
        }
        _ = try verifier()
    }

    /// ACME-03: the RFC 7638 thumbprint: SHA-256 over the required members in lexicographic order, base64url — the
    /// account's key identity and the second half of every key authorization.
    public var thumbprint: String {
        Base64URL.encode(SHA256.hash(data: Array(canonicalJSON.utf8)))
    }

    /// ACME-03: the required members, ordered, without whitespace (RFC 7638 §3.2).
    public var canonicalJSON: String {
        switch self {
        case .rsa(let n, let e):
            #"{"e":"\#(Base64URL.encode(e))","kty":"RSA","n":"\#(Base64URL.encode(n))"}"#
        case .ec(let curve, let x, let y):
            #"{"crv":"\#(curve.rawValue)","kty":"EC","x":"\#(Base64URL.encode(x))","y":"\#(Base64URL.encode(y))"}"#
        }
    }

    /// ACME-02: the JSON object of the key's public members.
    public var json: [String: JSONValue] {
        switch self {
        case .rsa(let n, let e): ["kty": .string("RSA"), "n": .string(Base64URL.encode(n)), "e": .string(Base64URL.encode(e))]
        case .ec(let curve, let x, let y):
            ["kty": .string("EC"), "crv": .string(curve.rawValue), "x": .string(Base64URL.encode(x)), "y": .string(Base64URL.encode(y))]
        }
    }

    /// ACME-05: the one JWS algorithm this key signs with (RS256, ES256 or ES384).
    public var algorithm: JWSAlgorithm {
        switch self {
        case .rsa: .rs256
        case .ec(.p256, _, _): .es256
        case .ec(.p384, _, _): .es384
        }
    }

    /// ACME-05: whether `signature` over `input` is this key's, under `algorithm` (which must be the key's own).
    public func isValidSignature(_ signature: [UInt8], for input: [UInt8], algorithm: JWSAlgorithm) -> Bool {
        guard algorithm == self.algorithm, let verifier = try? verifier() else { return false }
        return verifier(signature, input)
    }

    func verifier() throws(ACMEProblem) -> @Sendable ([UInt8], [UInt8]) -> Bool {
        do {
            switch self {
            case .rsa(let n, let e):
                let key = try _RSA.Signing.PublicKey(n: n, e: e)
                return { signature, input in
                    key.isValidSignature(_RSA.Signing.RSASignature(rawRepresentation: signature), for: input, padding: .insecurePKCS1v1_5)
                }
            case .ec(.p256, let x, let y):
                let key = try P256.Signing.PublicKey(rawRepresentation: x + y)
                return { signature, input in
                    (try? P256.Signing.ECDSASignature(rawRepresentation: signature)).map { key.isValidSignature($0, for: input) } ?? false
                }
            case .ec(.p384, let x, let y):
                let key = try P384.Signing.PublicKey(rawRepresentation: x + y)
                return { signature, input in
                    (try? P384.Signing.ECDSASignature(rawRepresentation: signature)).map { key.isValidSignature($0, for: input) } ?? false
                }
            }
        } catch {
            throw ACMEProblem(.badPublicKey, "the key is not usable: RSA keys need at least 2048 bits, EC points must lie on their curve")
        }
    }
}
