import BulkRAACME
import BulkRAModel
import BulkRARegistry
import BulkRAValidate
import Foundation

/// ACME-12, ACME-14, ACME-15, ACME-19: orders limited to the account's registered names, their authorizations, and the
/// challenges that prove them.
extension ACMEServer {
    func orderURL(_ id: String) -> String { base + "/order/" + id }
    func authorizationURL(_ id: String) -> String { base + "/authz/" + id }
    func challengeURL(_ id: String) -> String { base + "/chall/" + id }
    func certificateURL(_ serial: SerialNumber) -> String { base + "/cert/" + serial.decimal }

    /// ACME-14: an order's resource; an unfinished order past its expiry shows `invalid`.
    func object(_ order: ACMEOrderRecord, now: Date) -> ACMEOrderObject {
        let expired = [.pending, .ready].contains(order.status) && order.expires <= now
        return ACMEOrderObject(
            status: expired ? "invalid" : order.status.rawValue, expires: order.expires,
            identifiers: order.names.map { ACMEIdentifier(dns: $0.name) }, authorizations: order.authorizations.map { authorizationURL($0.id) },
            finalize: orderURL(order.id) + "/finalize", certificate: order.certificateSerial.map(certificateURL),
            error: order.error.flatMap { try? ACMEJSON.decode(ACMEProblem.self, from: Array($0.utf8), what: "error") })
    }

    func object(_ authorization: ACMEAuthorizationRecord, now: Date) -> ACMEAuthorizationObject {
        let expired = authorization.status == .pending && authorization.expires <= now
        return ACMEAuthorizationObject(identifier: ACMEIdentifier(dns: authorization.name.name), status: expired ? "expired" : authorization.status.rawValue,
                                       expires: authorization.expires, challenges: authorization.challenges.map(object))
    }

    func object(_ challenge: ACMEChallengeRecord) -> ACMEChallengeObject {
        ACMEChallengeObject(type: challenge.kind.rawValue, url: challengeURL(challenge.id), status: challenge.status.rawValue, token: challenge.token,
                            validated: challenge.validatedAt,
                            error: challenge.error.flatMap { try? ACMEJSON.decode(ACMEProblem.self, from: Array($0.utf8), what: "error") })
    }

    /// ACME-12: newOrder. Only `dns` identifiers, each one of the account's registered names, the CN first, none twice; the
    /// validity is the server's (notBefore / notAfter refused). Each name gets an authorization with an http-01 and a dns-01
    /// challenge, each with its own 128-bit token.
    func newOrder(_ signed: SignedRequest, account: ACMEAccountRecord, now: Date) async throws -> ACMEExchange.Response {
        let payload = try ACMEJSON.decode(NewOrderPayload.self, from: signed.payload, what: "the newOrder payload")
        guard payload.notBefore == nil, payload.notAfter == nil else {
            throw ACMEProblem(.malformed, "the validity is fixed by the registration (89 days at most); leave notBefore and notAfter out")
        }
        if let replaces = payload.replaces, RenewalInfo.parse(identifier: replaces) == nil {
            throw ACMEProblem(.malformed, "replaces is not a certificate identifier")
        }
        guard !payload.identifiers.isEmpty else { throw ACMEProblem(.malformed, "an order needs at least one identifier") }
        var names: [DomainName] = []
        for identifier in payload.identifiers {
            guard identifier.type == "dns" else { throw ACMEProblem(.unsupportedIdentifier, "only dns identifiers are taken") }
            guard let name = try? DomainName(identifier.value), account.names.contains(name) else {
                throw ACMEProblem(.rejectedIdentifier, "\(identifier.value) is not a name registered for this account (\(account.names.map(\.name).joined(separator: ", ")))")
            }
            guard !names.contains(name) else { throw ACMEProblem(.malformed, "\(name) is named twice") }
            names.append(name)
        }
        guard names[0] == account.commonName else {
            throw ACMEProblem(.rejectedIdentifier, "the registered FQDN \(account.commonName) must be the order's first identifier")
        }
        let id = newID(), expires = now.addingTimeInterval(configuration.orderLifetime)
        let authorizations = names.map { name -> ACMEAuthorizationRecord in
            let authorization = newID()
            return ACMEAuthorizationRecord(id: authorization, orderID: id, accountID: account.id.text, name: name, status: .pending, expires: expires,
                                           challenges: ACMEChallengeRecord.Kind.allCases.map { kind in
                                               ACMEChallengeRecord(id: newID(), authorizationID: authorization, kind: kind, token: newID(), status: .pending)
                                           })
        }
        let order = ACMEOrderRecord(id: id, accountID: account.id.text, status: .pending, names: names, expires: expires, authorizations: authorizations)
        try await store.createACMEOrder(order, now: now)
        logger.debug("acme.order.created", metadata: ["acme.account": "\(account.id.text)", "acme.order": "\(id)", "acme.names": "\(names.count)"])
        return json(201, object(order, now: now), location: orderURL(id))
    }

    /// ACME-14: an order of the requesting account.
    func ownOrder(_ id: String, account: ACMEAccountRecord) async throws -> ACMEOrderRecord {
        guard let order = try await store.acmeOrder(id: id), order.accountID == account.id.text else {
            throw ACMEProblem(.malformed, "no order of this account has this URL")
        }
        return order
    }

    /// ACME-14: POST-as-GET of an order.
    func order(_ id: String, account: ACMEAccountRecord, now: Date) async throws -> ACMEExchange.Response {
        json(200, object(try await ownOrder(id, account: account), now: now), location: orderURL(id))
    }

    /// ACME-14: POST-as-GET of an authorization, or its deactivation.
    func authorization(_ signed: SignedRequest, id: String, account: ACMEAccountRecord, now: Date) async throws -> ACMEExchange.Response {
        guard var authorization = try await store.acmeAuthorization(id: id), authorization.accountID == account.id.text else {
            throw ACMEProblem(.malformed, "no authorization of this account has this URL")
        }
        if !signed.isPostAsGet {
            struct Deactivation: Decodable { let status: String }
            guard try ACMEJSON.decode(Deactivation.self, from: signed.payload, what: "the authorization update").status == "deactivated" else {
                throw ACMEProblem(.malformed, "an authorization can only be deactivated")
            }
            try await store.deactivateACMEAuthorization(id: id, now: now)
            authorization = try await store.acmeAuthorization(id: id) ?? authorization
        }
        return json(200, object(authorization, now: now))
    }

    /// ACME-15, ACME-19: a challenge. `{}` asks the server to validate: unless the account failed 20 validations since
    /// midnight JST (then `rateLimited` until the next midnight), the name is checked at once and the answer carries the
    /// outcome; a challenge not pending is answered as it is.
    func challenge(_ signed: SignedRequest, id: String, account: ACMEAccountRecord, now: Date) async throws -> ACMEExchange.Response {
        guard let authorization = try await store.acmeAuthorization(challengeID: id), authorization.accountID == account.id.text,
              let challenge = authorization.challenges.first(where: { $0.id == id }) else {
            throw ACMEProblem(.malformed, "no challenge of this account has this URL")
        }
        let up = "<\(authorizationURL(authorization.id))>;rel=\"up\""
        if signed.isPostAsGet { return json(200, object(challenge), links: [up]) }
        guard authorization.status == .pending, authorization.expires > now else {
            return json(200, object(challenge), links: [up])
        }
        let midnight = Self.japanMidnight(before: now)
        switch try await store.startACMEValidation(challengeID: id, accountID: account.id.text, since: midnight,
                                                   limit: configuration.dailyFailureLimit, now: now) {
        case .unknown:
            throw ACMEProblem(.malformed, "no challenge of this account has this URL")
        case .rateLimited:
            let next = midnight.addingTimeInterval(86_400)
            throw RateLimited(retryAfter: Int(next.timeIntervalSince(now).rounded(.up)), problem: ACMEProblem(.rateLimited,
                "this account failed \(configuration.dailyFailureLimit) validations today; validations resume at 00:00 JST"))
        case .notPending:
            let current = try await store.acmeAuthorization(challengeID: id)?.challenges.first { $0.id == id } ?? challenge
            return json(200, object(current), links: [up])
        case .started:
            break
        }
        guard let key = account.boundKey, let keyAuthorization = KeyAuthorization(token: challenge.token, key: key) else {
            throw ACMEProblem(.serverInternal, "the challenge cannot be validated")
        }
        let failure = await validator.validate(challenge.kind, name: authorization.name.name, keyAuthorization: keyAuthorization, token: challenge.token)
        let finished = try await store.finishACMEValidation(challengeID: id, accountID: account.id.text,
                                                            error: failure.map { String(decoding: ACMEJSON.encode($0), as: UTF8.self) }, now: clock())
        logger.debug("acme.challenge.validated", metadata: ["acme.challenge": "\(challenge.kind.rawValue)", "acme.valid": "\(failure == nil)"])
        let current = finished?.challenges.first { $0.id == id } ?? challenge
        return json(200, object(current), links: [up])
    }

    /// ACME-19: the last midnight in Japan (UTC+9, no daylight saving) at or before `now`.
    public static func japanMidnight(before now: Date) -> Date {
        let offset: TimeInterval = 9 * 3_600
        let local = now.timeIntervalSince1970 + offset
        return Date(timeIntervalSince1970: (local / 86_400).rounded(.down) * 86_400 - offset)
    }

    /// ACME-19: a `rateLimited` refusal with its Retry-After.
    struct RateLimited: Error {
        let retryAfter: Int
        let problem: ACMEProblem
    }
}
