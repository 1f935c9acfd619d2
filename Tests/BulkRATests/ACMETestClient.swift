import BulkRAACME
import BulkRAService
import Crypto
import _CryptoExtras
import Foundation
import SwiftASN1
import Testing
import X509

/// An RFC 8555 client for the tests: signs requests with a test key, keeps the nonce, talks to a transport (the server's
/// `respond`, or HTTP).
actor ACMETestClient {
    typealias Transport = @Sendable (ACMEExchange.Request) async -> ACMEExchange.Response
    let transport: Transport
    let base: String
    var key: ACMEJOSETests.ClientKey
    var account: String?
    var nonce: String?

    init(base: String, key: ACMEJOSETests.ClientKey, transport: @escaping Transport) {
        self.base = base
        self.key = key
        self.transport = transport
    }

    /// The path of a URL of this server.
    nonisolated func path(_ url: String) -> String { String(url.dropFirst(base.count)) }

    func setKey(_ key: ACMEJOSETests.ClientKey) { self.key = key }

    func freshNonce() async -> String {
        if let nonce { self.nonce = nil; return nonce }
        return await transport(ACMEExchange.Request(method: "HEAD", path: "/acme/new-nonce")).header("Replay-Nonce") ?? ""
    }

    /// A signed body for `url`.
    func body(_ url: String, payload: [UInt8]?, nonce: String, jwk: Bool? = nil, signer: ACMEJOSETests.ClientKey? = nil) -> [UInt8] {
        let key = signer ?? self.key
        var protected: [String: JSONValue] = ["alg": .string(key.jwk.algorithm.rawValue), "nonce": .string(nonce), "url": .string(url)]
        if jwk ?? (account == nil) { protected["jwk"] = .object(key.jwk.json) } else { protected["kid"] = .string(account ?? "") }
        let header = Base64URL.encode(Array(ACMEJOSETests.text(protected).utf8))
        let encodedPayload = payload.map { Base64URL.encode($0) } ?? ""
        let signature = key.sign(Array("\(header).\(encodedPayload)".utf8))
        return Array(ACMEJOSETests.text(["protected": .string(header), "payload": .string(encodedPayload),
                                         "signature": .string(Base64URL.encode(signature))]).utf8)
    }

    /// POSTs `payload` (nil: POST-as-GET) to `url`; keeps the answer's nonce. A `badNonce` answer to a nonce the client
    /// kept (it may have expired) is retried once with the answer's nonce, as RFC 8555 §6.5 has clients do.
    @discardableResult
    func post(_ url: String, _ payload: [UInt8]?, jwk: Bool? = nil, signer: ACMEJOSETests.ClientKey? = nil, nonce given: String? = nil) async -> ACMEExchange.Response {
        var nonce = given ?? ""
        if given == nil { nonce = await freshNonce() }
        var response = await transport(ACMEExchange.Request(method: "POST", path: path(url), body: body(url, payload: payload, nonce: nonce, jwk: jwk, signer: signer)))
        if given == nil, Self.problem(response) == .badNonce, let fresh = response.header("Replay-Nonce") {
            response = await transport(ACMEExchange.Request(method: "POST", path: path(url), body: body(url, payload: payload, nonce: fresh, jwk: jwk, signer: signer)))
        }
        self.nonce = response.header("Replay-Nonce")
        return response
    }

    func post<T: Encodable>(_ url: String, json value: T) async -> ACMEExchange.Response {
        await post(url, ACMEJSON.encode(value))
    }

    /// newAccount with EAB credentials (`kid`, `hmacKey`), or none.
    func newAccount(kid: String?, hmacKey: String?, macKey: [UInt8]? = nil) async -> ACMEExchange.Response {
        let url = base + "/acme/new-account"
        var eab: JSONValue?
        if let kid, let secret = macKey ?? hmacKey.flatMap(Base64URL.decode) {
            let protected = Base64URL.encode(Array(ACMEJOSETests.text(["alg": .string("HS256"), "kid": .string(kid), "url": .string(url)]).utf8))
            let payload = Base64URL.encode(Array(ACMEJOSETests.text(key.jwk.json).utf8))
            let mac = HMAC<SHA256>.authenticationCode(for: Array("\(protected).\(payload)".utf8), using: SymmetricKey(data: secret))
            eab = .object(["protected": .string(protected), "payload": .string(payload), "signature": .string(Base64URL.encode(Array(mac)))])
        }
        let response = await post(url, ACMEJSON.encode(AccountPayload(contact: ["mailto:admin@example.ac.jp"], termsOfServiceAgreed: true,
                                                                       externalAccountBinding: eab)), jwk: true)
        if [200, 201].contains(response.status) { account = response.header("Location") }
        return response
    }

    static func object<T: Decodable>(_ type: T.Type, _ response: ACMEExchange.Response) throws -> T {
        try ACMEJSON.decoder().decode(type, from: Data(response.body))
    }

    static func problem(_ response: ACMEExchange.Response) -> ACMEProblem.Kind? {
        (try? object(ACMEProblem.self, response))?.kind
    }

    /// A CSR for `names` (the first also as CN when `commonName`) signed by `key`, DER.
    static func csr(_ names: [String], key: Certificate.PrivateKey, commonName: Bool = false) throws -> [UInt8] {
        let subject = try DistinguishedName { if commonName { CommonName(names[0]) } }
        let extensions = try Certificate.Extensions { SubjectAlternativeNames(names.map { .dnsName($0) }) }
        let request = try CertificateSigningRequest(version: .v1, subject: subject, privateKey: key,
                                                    attributes: try CertificateSigningRequest.Attributes([.init(ExtensionRequest(extensions: extensions))]))
        var serializer = DER.Serializer()
        try serializer.serialize(request)
        return serializer.serializedBytes
    }
}
