import BulkRAACME
import Crypto
import _CryptoExtras
import Foundation
import PropertyBased
import Testing

/// The RFC 8555 message layer: base64url, JWKs, JWS requests, EAB, problems, key authorizations, renewal information (Specs/acme.md).
@Suite("ACME messages (Specs/acme.md)")
struct ACMEJOSETests {
    static let url = "https://desk.example.ac.jp:8443/acme/new-order"

    /// A test client key: signs JWS the way ACME clients do (ECDSA raw r||s, RSA PKCS#1 v1.5).
    enum ClientKey {
        case p256(P256.Signing.PrivateKey)
        case p384(P384.Signing.PrivateKey)
        case rsa(_RSA.Signing.PrivateKey)

        var jwk: JSONWebKey {
            switch self {
            case .p256(let key):
                let raw = [UInt8](key.publicKey.rawRepresentation)
                return .ec(curve: .p256, x: Array(raw.prefix(32)), y: Array(raw.suffix(32)))
            case .p384(let key):
                let raw = [UInt8](key.publicKey.rawRepresentation)
                return .ec(curve: .p384, x: Array(raw.prefix(48)), y: Array(raw.suffix(48)))
            case .rsa(let key):
                let primitives = try! key.publicKey.getKeyPrimitives()
                return .rsa(modulus: Array(primitives.modulus.drop { $0 == 0 }), exponent: Array(primitives.publicExponent.drop { $0 == 0 }))
            }
        }

        func sign(_ input: [UInt8]) -> [UInt8] {
            switch self {
            case .p256(let key): [UInt8](try! key.signature(for: input).rawRepresentation)
            case .p384(let key): [UInt8](try! key.signature(for: input).rawRepresentation)
            case .rsa(let key): [UInt8](try! key.signature(for: input, padding: .insecurePKCS1v1_5).rawRepresentation)
            }
        }
    }

    static func text(_ object: [String: JSONValue]) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try! encoder.encode(JSONValue.object(object)), as: UTF8.self)
    }

    /// A flattened JWS body; `header` members override or remove (`.null`) the usual ones.
    static func body(_ key: ClientKey, payload: String, header: [String: JSONValue?] = [:], useKid: Bool = false,
                     tamper: Bool = false) -> [UInt8] {
        var protected: [String: JSONValue] = ["alg": .string(key.jwk.algorithm.rawValue), "nonce": .string("bm9uY2U"), "url": .string(url)]
        if useKid { protected["kid"] = .string("https://desk.example.ac.jp:8443/acme/acct/7") } else { protected["jwk"] = .object(key.jwk.json) }
        for (name, value) in header { protected[name] = value ?? nil }
        let encodedHeader = Base64URL.encode(Array(text(protected).utf8))
        let encodedPayload = Base64URL.encode(Array(payload.utf8))
        let signature = key.sign(Array("\(encodedHeader).\(encodedPayload)".utf8))
        let sent = tamper ? Base64URL.encode(Array((payload + " ").utf8)) : encodedPayload
        return Array(text(["protected": .string(encodedHeader), "payload": .string(sent), "signature": .string(Base64URL.encode(signature))]).utf8)
    }

    static func problem(_ body: () throws -> Void) -> ACMEProblem.Kind? {
        do {
            try body()
            return nil
        } catch let problem as ACMEProblem {
            return problem.kind
        } catch {
            return nil
        }
    }

    @Test("ACME-01 base64url round-trips any bytes and accepts only its canonical unpadded text")
    func base64url() throws {
        try forAll(300, seed: 15, Gen.int(in: 0...255).array(of: 0...64)) { values in
            let bytes = values.map(UInt8.init)
            let text = Base64URL.encode(bytes)
            #expect(Base64URL.decode(text) == bytes && !text.contains("=") && !text.contains("+") && !text.contains("/"))
        }
        for refused in ["QQ==", "a+b/", "Q", "QR", "QQ ", "Q\nQ", "QUJD="] { #expect(Base64URL.decode(refused) == nil, "\(refused)") }
        #expect(Base64URL.decode("QQ") == [0x41] && Base64URL.decode("") == [])
    }

    @Test("ACME-05 RFC 7515 A.3's ES256 example (its JWK, header, payload and raw r||s signature) verifies; one changed byte of the signature or the payload does not")
    func standardExample() throws {
        let key = try JSONWebKey(json: ["kty": .string("EC"), "crv": .string("P-256"), "x": .string("f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU"),
                                        "y": .string("x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0")])
        let input = Array(("eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ").utf8)
        let signature = try #require(Base64URL.decode("DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q"))
        #expect(key.algorithm == .es256 && signature.count == 64)
        #expect(key.isValidSignature(signature, for: input, algorithm: .es256))
        var changed = signature
        changed[10] ^= 1
        #expect(!key.isValidSignature(changed, for: input, algorithm: .es256))
        #expect(!key.isValidSignature(signature, for: input.dropLast() + [0x52], algorithm: .es256))
        #expect(!key.isValidSignature(signature, for: input, algorithm: .es384))
    }

    @Test("ACME-02 ACME-03 a JWK is RSA of 2048 bits or more or EC P-256/P-384 with public members only; its thumbprint is RFC 7638's")
    func keys() throws {
        // RFC 7638 §3.1's example key and thumbprint.
        let n = "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw"
        let key = try JSONWebKey(json: ["kty": .string("RSA"), "n": .string(n), "e": .string("AQAB"), "alg": .string("RS256"), "kid": .string("2011-04-29")])
        #expect(key.thumbprint == "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs")
        #expect(key.algorithm == .rs256)
        let p384 = ClientKey.p384(P384.Signing.PrivateKey()).jwk
        #expect(try JSONWebKey(json: p384.json) == p384 && p384.algorithm == .es384)
        guard case .ec(_, let x, _) = p384 else { Issue.record("not EC"); return }
        let refusals: [[String: JSONValue]] = [
            ["kty": .string("oct"), "k": .string("AQAB")],
            ["kty": .string("EC"), "crv": .string("P-521"), "x": .string("AQAB"), "y": .string("AQAB")],
            ["kty": .string("EC"), "crv": .string("P-384"), "x": .string(Base64URL.encode(x)), "y": .string(Base64URL.encode(x))],  // not on the curve
            ["kty": .string("EC"), "crv": .string("P-256"), "x": .string("AQAB"), "y": .string("AQAB")],
            ["kty": .string("RSA"), "n": .string(String(n.prefix(171))), "e": .string("AQAB")],  // 1024 bits
            ["kty": .string("RSA"), "n": .string(n), "e": .string("AQAB"), "d": .string("AQAB")],
            ["kty": .string("RSA"), "n": .string(n + "="), "e": .string("AQAB")],
        ]
        for json in refusals {
            #expect(Self.problem { _ = try JSONWebKey(json: json) } == .badPublicKey, "\(json)")
        }
    }

    @Test("ACME-04 ACME-05 a request signed with RS256, ES256 or ES384 parses and verifies; changed bytes never verify",
          arguments: ["rs256", "es256", "es384"])
    func signedRequests(_ algorithm: String) throws {
        let key: ClientKey = switch algorithm {
        case "rs256": .rsa(try _RSA.Signing.PrivateKey(keySize: .bits2048))
        case "es256": .p256(P256.Signing.PrivateKey())
        default: .p384(P384.Signing.PrivateKey())
        }
        let request = try SignedRequest(body: Self.body(key, payload: #"{"identifiers":[]}"#), url: Self.url, expecting: .jwk)
        #expect(try request.verifiedKey() == key.jwk && request.algorithm.rawValue.lowercased() == algorithm && !request.isPostAsGet)
        #expect(try request.payloadObject()["identifiers"] == .array([]))
        let tampered = try SignedRequest(body: Self.body(key, payload: "{}", tamper: true), url: Self.url, expecting: .jwk)
        #expect(Self.problem { _ = try tampered.verifiedKey() } == .malformed)
        #expect(!tampered.isSigned(by: key.jwk))
        let other = ClientKey.p256(P256.Signing.PrivateKey())
        #expect(!request.isSigned(by: other.jwk), "another key never verifies")
        let kid = try SignedRequest(body: Self.body(key, payload: "", useKid: true), url: Self.url, expecting: .kid)
        #expect(kid.signer == .account("https://desk.example.ac.jp:8443/acme/acct/7") && kid.isPostAsGet && kid.isSigned(by: key.jwk))
    }

    @Test("ACME-04 ACME-05 a request is refused with the RFC 8555 problem for what is wrong: its form, alg, nonce, url, key form or crit")
    func refusedRequests() throws {
        let key = ClientKey.p256(P256.Signing.PrivateKey())
        func refusal(_ body: [UInt8], expecting: SignedRequest.Expected = .jwk) -> ACMEProblem.Kind? {
            Self.problem { _ = try SignedRequest(body: body, url: Self.url, expecting: expecting) }
        }
        #expect(refusal(Array("not json".utf8)) == .malformed)
        #expect(refusal(Array(#"{"protected":"e30","payload":"","signature":"","header":{}}"#.utf8)) == .malformed)
        #expect(refusal(Self.body(key, payload: "{}", header: ["alg": .string("none")])) == .badSignatureAlgorithm)
        #expect(refusal(Self.body(key, payload: "{}", header: ["alg": .string("HS256")])) == .badSignatureAlgorithm)
        #expect(refusal(Self.body(key, payload: "{}", header: ["alg": .string("ES384")])) == .badSignatureAlgorithm, "alg of another key")
        #expect(refusal(Self.body(key, payload: "{}", header: ["nonce": nil])) == .badNonce)
        #expect(refusal(Self.body(key, payload: "{}", header: ["url": .string(Self.url + "/other")])) == .unauthorized)
        #expect(refusal(Self.body(key, payload: "{}", header: ["kid": .string("x")])) == .malformed, "both jwk and kid")
        #expect(refusal(Self.body(key, payload: "{}", useKid: true)) == .malformed, "kid where jwk is expected")
        #expect(refusal(Self.body(key, payload: "{}"), expecting: .kid) == .malformed, "jwk where kid is expected")
        #expect(refusal(Self.body(key, payload: "{}", header: ["crit": .array([.string("b64")])])) == .malformed)
        #expect(refusal(Self.body(key, payload: "{}", header: ["jwk": .object(["kty": .string("EC")])])) == .badPublicKey)
    }

    @Test("ACME-06 an external account binding proves its EAB key id only with its HMAC over the account's own key and the newAccount url")
    func externalAccountBinding() async throws {
        let account = ClientKey.p256(P256.Signing.PrivateKey())
        let secret = [UInt8](repeating: 7, count: 32)
        let newAccount = "https://desk.example.ac.jp:8443/acme/new-account"
        func binding(kid: String = "eab-1", url: String = newAccount, alg: String = "HS256", key: [UInt8] = secret,
                     bound: JSONWebKey? = nil, extra: [String: JSONValue] = [:]) -> JSONValue {
            var header: [String: JSONValue] = ["alg": .string(alg), "kid": .string(kid), "url": .string(url)]
            header.merge(extra) { _, new in new }
            let protected = Base64URL.encode(Array(Self.text(header).utf8))
            let payload = Base64URL.encode(Array(Self.text((bound ?? account.jwk).json).utf8))
            let mac = HMAC<SHA256>.authenticationCode(for: Array("\(protected).\(payload)".utf8), using: SymmetricKey(data: key))
            return .object(["protected": .string(protected), "payload": .string(payload), "signature": .string(Base64URL.encode(Array(mac)))])
        }
        func verify(_ value: JSONValue?) async -> ACMEProblem.Kind? {
            do {
                _ = try await ExternalAccountBinding.verify(value, accountKey: account.jwk, url: newAccount) { $0 == "eab-1" ? secret : nil }
                return nil
            } catch let problem as ACMEProblem {
                return problem.kind
            } catch {
                return nil
            }
        }
        #expect(try await ExternalAccountBinding.verify(binding(), accountKey: account.jwk, url: newAccount) { $0 == "eab-1" ? secret : nil } == "eab-1")
        #expect(await verify(nil) == .externalAccountRequired)
        #expect(await verify(binding(key: [UInt8](repeating: 8, count: 32))) == .unauthorized)
        #expect(await verify(binding(kid: "eab-2")) == .unauthorized)
        #expect(await verify(binding(url: newAccount + "x")) == .malformed)
        #expect(await verify(binding(bound: ClientKey.p256(P256.Signing.PrivateKey()).jwk)) == .malformed)
        #expect(await verify(binding(extra: ["nonce": .string("bm9uY2U")])) == .malformed)
        #expect(await verify(binding(alg: "RS256")) == .badSignatureAlgorithm)
    }

    @Test("ACME-07 a problem document carries its RFC 8555 type URI, detail and status, and reads back as written")
    func problems() throws {
        let problem = ACMEProblem(.badSignatureAlgorithm, "PS256 is not accepted", algorithms: JWSAlgorithm.names)
        let data = try JSONEncoder().encode(problem)
        let back = try JSONDecoder().decode(ACMEProblem.self, from: data)
        #expect(back == problem && back.kind == .badSignatureAlgorithm && back.status == 400)
        #expect(String(decoding: data, as: UTF8.self).contains("urn:ietf:params:acme:error:badSignatureAlgorithm"))
        #expect(ACMEProblem(.rateLimited, "x").status == 429 && ACMEProblem(.unauthorized, "x").status == 403)
    }

    @Test("ACME-09 a key authorization is the token and the key's thumbprint; http-01 compares it exactly, dns-01 its SHA-256 as openssl computes it")
    func keyAuthorizations() throws {
        let key = ClientKey.p256(P256.Signing.PrivateKey()).jwk
        let token = Base64URL.encode([UInt8](repeating: 0xA5, count: 16))
        let authorization = try #require(KeyAuthorization(token: token, key: key))
        #expect(authorization.text == "\(token).\(key.thumbprint)")
        #expect(authorization.matchesHTTPResponse(Array("\(authorization.text)\n".utf8)))
        #expect(!authorization.matchesHTTPResponse(Array("\(authorization.text)x".utf8)))
        #expect(!authorization.matchesHTTPResponse(Array("\(token).\(ClientKey.p256(P256.Signing.PrivateKey()).jwk.thumbprint)".utf8)))
        #expect(KeyAuthorization(token: "c2hvcnQ", key: key) == nil, "fewer than 128 bits")
        #expect(KeyAuthorization(token: token + "=", key: key) == nil)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("bulkra-keyauth-\(getpid())").path
        try Data(authorization.text.utf8).write(to: URL(fileURLWithPath: folder))
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let digest = try runTool("/bin/sh", ["-c", "openssl dgst -sha256 -binary \"$0\" | base64 | tr '+/' '-_' | tr -d '=\\n'", folder])
        #expect(digest.output == authorization.dnsRecordValue)
    }

    @Test("ACME-10 RFC 9773's example: AKI 69:88:5B:…:C8:D4 and serial 00:87:65:43:21 give the identifier aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE, and it parses back")
    func renewalInformationExample() throws {
        let aki: [UInt8] = [0x69, 0x88, 0x5B, 0x6B, 0x87, 0x46, 0x40, 0x41, 0xE1, 0xB3, 0x7B, 0x84, 0x7B, 0xA0, 0xAE, 0x2C, 0xDE, 0x01, 0xC8, 0xD4]
        let serial: [UInt8] = [0x00, 0x87, 0x65, 0x43, 0x21]
        #expect(RenewalInfo.identifier(authorityKeyIdentifier: aki, serialContent: serial) == "aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE")
        let parsed = try #require(RenewalInfo.parse(identifier: "aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE"))
        #expect(parsed.0 == aki && parsed.1 == serial)
    }

    @Test("ACME-10 a renewal-information identifier is the AKI and the serial as openssl prints them; the window is the last third less the final sixth, or now when revoked")
    func renewalInformation() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("bulkra-ari-\(getpid())").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        // A CA and a certificate with a high-bit serial (DER adds a 00 octet) from openssl.
        try Data("authorityKeyIdentifier = keyid\nsubjectKeyIdentifier = hash\n".utf8).write(to: URL(fileURLWithPath: folder + "/leaf.cnf"))
        #expect(try runTool("/usr/bin/openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", folder + "/ca.key",
                                                 "-out", folder + "/ca.pem", "-subj", "/CN=ARI CA", "-days", "10"]).status == 0)
        #expect(try runTool("/usr/bin/openssl", ["req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", folder + "/leaf.key",
                                                 "-out", folder + "/leaf.csr", "-subj", "/CN=host.example.ac.jp"]).status == 0)
        #expect(try runTool("/usr/bin/openssl", ["x509", "-req", "-in", folder + "/leaf.csr", "-CA", folder + "/ca.pem", "-CAkey", folder + "/ca.key",
                                                 "-set_serial", "0x87654321", "-days", "89", "-extfile", folder + "/leaf.cnf", "-out", folder + "/leaf.pem"]).status == 0)
        let text = try runTool("/usr/bin/openssl", ["x509", "-in", folder + "/leaf.pem", "-noout", "-ext", "authorityKeyIdentifier"]).output
        let akiHex = try #require(text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.first { $0.contains(":") && !$0.contains("Identifier") })
            .replacingOccurrences(of: "keyid:", with: "").replacingOccurrences(of: ":", with: "")
        let aki = stride(from: 0, to: akiHex.count, by: 2).map { UInt8(akiHex.dropFirst($0).prefix(2), radix: 16)! }
        let identifier = RenewalInfo.identifier(authorityKeyIdentifier: aki, serialContent: [0x00, 0x87, 0x65, 0x43, 0x21])
        #expect(identifier == Base64URL.encode(aki) + ".AIdlQyE")
        let parsed = try #require(RenewalInfo.parse(identifier: identifier))
        #expect(parsed.authorityKeyIdentifier == aki && parsed.serialContent == [0x00, 0x87, 0x65, 0x43, 0x21])
        for refused in ["", "abc", "a.b.c", ".AQ", Base64URL.encode(aki) + ".", Base64URL.encode(aki) + ".gA", Base64URL.encode(aki) + ".AAE"] {
            #expect(RenewalInfo.parse(identifier: refused) == nil, "\(refused)")
        }
        let start = Date(timeIntervalSince1970: 1_800_000_000), day: TimeInterval = 86_400
        let window = RenewalInfo(notBefore: start, notAfter: start + 89 * day, revoked: false, now: start).suggestedWindow
        #expect(abs(window.start.timeIntervalSince(start + 89 * day * 2 / 3)) < 1 && abs(window.end.timeIntervalSince(start + 89 * day * 5 / 6)) < 1)
        let revoked = RenewalInfo(notBefore: start, notAfter: start + 89 * day, revoked: true, now: start + 10 * day).suggestedWindow
        #expect(revoked.end == start + 10 * day && revoked.start < revoked.end)
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        #expect(String(decoding: try encoder.encode(RenewalInfo(notBefore: start, notAfter: start + 90 * day, revoked: false, now: start)), as: UTF8.self)
            .contains(#"{"suggestedWindow":{"#))
    }
}
