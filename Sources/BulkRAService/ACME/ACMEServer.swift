import BulkRAACME
import BulkRAModel
import BulkRARegistry
import Foundation
import Logging

/// The RFC 8555 server inside `bulkra serve` (Specs/acme.md ACME-11..ACME-20): accounts bound by the EAB credentials an
/// officer's upload made, orders limited to the registered names, http-01 and dns-01, finalize against the registered
/// profile, certificate download, revocation, key rollover and renewal information. Everything it keeps lives in the
/// registry, so any desk instance on one database answers any request.
public struct ACMEServer: Sendable {
    /// ACME-11, ACME-20: where the server is reached and how it validates.
    public struct Configuration: Sendable {
        /// ACME-11: the desk's public address (`mail.json` deskURL), the base of every URL the server hands out.
        public var baseURL: String
        /// ACME-19: failed validations per account and JST day before validations are refused.
        public var dailyFailureLimit = 20
        /// ACME-14: how long an order and its authorizations stay open.
        public var orderLifetime: TimeInterval = 7 * 86_400
        /// ACME-08: how long a nonce is accepted.
        public var nonceLifetime: TimeInterval = 3_600

        /// ACME-11: the server of the desk at `baseURL`.
        public init(baseURL: String) {
            self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        }
    }

    let environment: ServiceEnvironment
    let configuration: Configuration
    let validator: any ChallengeValidator
    let clock: @Sendable () -> Date

    /// ACME-11: a server in `environment` (its registry, data folder and random source) validating with `validator`.
    public init(_ environment: ServiceEnvironment, configuration: Configuration, validator: any ChallengeValidator,
                clock: @escaping @Sendable () -> Date = { Date() }) {
        self.environment = environment
        self.configuration = configuration
        self.validator = validator
        self.clock = clock
    }

    var store: any Registry { environment.registry }
    var logger: Logger { environment.logger }
    /// ACME-11: `<desk>/acme`, under which every resource lives.
    var base: String { configuration.baseURL + "/acme" }
    var directoryURL: String { base + "/directory" }

    /// ACME-11: answers one request; every answer to a POST carries a fresh nonce, every refusal is a problem document.
    public func respond(to request: ACMEExchange.Request) async -> ACMEExchange.Response {
        let now = clock()
        let path = request.path
        do {
            switch (request.method, path) {
            case ("GET", "/acme/directory"):
                return json(200, ACMEDirectory(base: base, website: configuration.baseURL))
            case ("HEAD", "/acme/new-nonce"), ("GET", "/acme/new-nonce"):
                return ACMEExchange.Response(status: request.method == "HEAD" ? 200 : 204,
                                             headers: try await common(now: now) + [("Cache-Control", "no-store")], body: [])
            case ("GET", _) where path.hasPrefix("/acme/renewal-info/"):
                return try await renewalInfo(String(path.dropFirst("/acme/renewal-info/".count)), now: now)
            case ("POST", _):
                // The answer's nonce is kept in the write that uses up the request's (ACME-08).
                let fresh = newID()
                return withNonce(try await post(request, now: now, fresh: fresh), nonce: fresh)
            default:
                throw ACMEProblem(.malformed, "\(request.method) \(path) is not an ACME resource of this server")
            }
        } catch let problem as ACMEProblem {
            return await self.problem(problem, now: now)
        } catch let limited as RateLimited {
            return await self.problem(limited.problem, now: now, headers: [("Retry-After", String(limited.retryAfter))])
        } catch {
            logger.error("acme.failed", metadata: ["acme.path": "\(path)", "error": "\(error)"])
            return await self.problem(ACMEProblem(.serverInternal, "the server could not answer; try again later"), now: now)
        }
    }

    /// ACME-04..ACME-06: a POST: nonce used up, signature checked, then the resource.
    func post(_ request: ACMEExchange.Request, now: Date, fresh: String) async throws -> ACMEExchange.Response {
        let url = configuration.baseURL + request.path
        let path = request.path
        let expecting: SignedRequest.Expected = switch path {
        case "/acme/new-account": .jwk
        case "/acme/revoke-cert": .either
        default: .kid
        }
        let signed = try SignedRequest(body: request.body, url: url, expecting: expecting)
        let admission = try await store.admitACMERequest(nonce: signed.nonce, now: now, issuing: (fresh, now.addingTimeInterval(configuration.nonceLifetime)),
                                                         accountID: accountID(signed))
        guard admission.nonceAccepted else {
            throw ACMEProblem(.badNonce, "the nonce is unknown, used or expired; use the Replay-Nonce of this answer")
        }
        if path == "/acme/new-account" { return try await newAccount(signed, url: url, now: now) }
        if path == "/acme/revoke-cert" { return try await revoke(signed, signer: admission.account, now: now) }
        let account = try authenticated(signed, admission.account)
        switch path {
        case "/acme/new-order": return try await newOrder(signed, account: account, now: now)
        case "/acme/key-change": return try await keyChange(signed, account: account, url: url, now: now)
        default: break
        }
        let parts = path.split(separator: "/").map(String.init)  // ["acme", resource, id, (action)]
        guard parts.count >= 3 else { throw ACMEProblem(.malformed, "\(path) is not an ACME resource of this server") }
        switch (parts[1], parts.count) {
        case ("acct", 3): return try await updateAccount(signed, account: account, id: parts[2], now: now)
        case ("acct", 4) where parts[3] == "orders": return try await orders(account: account, id: parts[2])
        case ("order", 3): return try await order(parts[2], account: account, now: now)
        case ("order", 4) where parts[3] == "finalize": return try await finalize(signed, orderID: parts[2], account: account, now: now)
        case ("authz", 3): return try await authorization(signed, id: parts[2], account: account, now: now)
        case ("chall", 3): return try await challenge(signed, id: parts[2], account: account, now: now)
        case ("cert", 3): return try await certificate(parts[2], account: account)
        default: throw ACMEProblem(.malformed, "\(path) is not an ACME resource of this server")
        }
    }

    /// ACME-13: the account ID of a kid request (the last segment of an account URL of this server), nil otherwise.
    func accountID(_ signed: SignedRequest) -> String? {
        guard case .account(let url) = signed.signer, url.hasPrefix(base + "/acct/") else { return nil }
        return String(url.dropFirst((base + "/acct/").count))
    }

    /// ACME-13: the account a kid request names (as its admission read it): bound, its signature verifying under the bound
    /// key, live, its institution active; a suspended or deactivated account or a terminated institution is `unauthorized`.
    func authenticated(_ signed: SignedRequest, _ account: ACMEAccountRecord?) throws(ACMEProblem) -> ACMEAccountRecord {
        guard accountID(signed) != nil else { throw ACMEProblem(.malformed, "kid must be an account URL of this server") }
        guard let account, let key = account.boundKey else {
            throw ACMEProblem(.accountDoesNotExist, "no account of this server has this URL")
        }
        guard signed.algorithm == key.algorithm else {
            throw ACMEProblem(.badSignatureAlgorithm, "the account's key signs with \(key.algorithm.rawValue)", algorithms: [key.algorithm.rawValue])
        }
        guard signed.isSigned(by: key) else { throw ACMEProblem(.malformed, "the JWS signature does not verify under the account's key") }
        try requireLive(account)
        return account
    }

    /// ACME-13: a suspended or deactivated account, or one of an institution no longer active, is refused.
    func requireLive(_ account: ACMEAccountRecord) throws(ACMEProblem) {
        switch account.state {
        case .suspended: throw ACMEProblem(.unauthorized, "the account was suspended by a registration officer")
        case .deactivated: throw ACMEProblem(.unauthorized, "the account is deactivated")
        case .registered, .valid: break
        }
        guard account.institutionActive else {
            throw ACMEProblem(.unauthorized, "the account's institution no longer uses the service")
        }
    }

    // MARK: - Answers

    /// ACME-08, ACME-11: a fresh nonce and the directory link, on every answer.
    func common(now: Date) async throws -> [(name: String, value: String)] {
        let nonce = newID()
        try await store.storeNonce(nonce, expires: now.addingTimeInterval(configuration.nonceLifetime))
        return common(nonce: nonce)
    }

    /// ACME-08, ACME-11: the headers every answer carries, for a nonce already kept.
    func common(nonce: String) -> [(name: String, value: String)] {
        [("Replay-Nonce", nonce), ("Link", "<\(directoryURL)>;rel=\"index\"")]
    }

    /// ACME-11: a JSON resource.
    func json<T: Encodable>(_ status: Int, _ value: T, location: String? = nil, links: [String] = []) -> ACMEExchange.Response {
        var headers: [(name: String, value: String)] = [("Content-Type", "application/json")]
        if let location { headers.append(("Location", location)) }
        for link in links { headers.append(("Link", link)) }
        return ACMEExchange.Response(status: status, headers: headers, body: ACMEJSON.encode(value))
    }

    /// ACME-11: `response` with a fresh nonce and the index link.
    func withNonce(_ response: ACMEExchange.Response, nonce: String) -> ACMEExchange.Response {
        ACMEExchange.Response(status: response.status, headers: common(nonce: nonce) + response.headers, body: response.body)
    }

    /// ACME-07: a problem document (with a fresh nonce, so that a client can retry at once).
    func problem(_ problem: ACMEProblem, now: Date, headers extra: [(name: String, value: String)] = []) async -> ACMEExchange.Response {
        var headers: [(name: String, value: String)] = [("Content-Type", "application/problem+json")]
        if let fresh = try? await common(now: now) { headers += fresh }
        logger.debug("acme.refused", metadata: ["acme.problem": "\(problem.kind?.rawValue ?? problem.type)"])
        return ACMEExchange.Response(status: problem.status, headers: headers + extra, body: ACMEJSON.encode(problem))
    }

    /// A random ID of 128 bits, base64url.
    func newID() -> String { Base64URL.encode(environment.randomBytes(16)) }
}
