import BulkRAIssue
import BulkRAModel
import BulkRARegistry
import BulkRAValidate
import Foundation

/// The one-time links of a client batch (reference 6.3; DESK-40..DESK-44, Specs/desk.md): per
/// certificate an access-PIN link for the user-administrator and, for method 1, a certificate link for
/// the user that works only after the PIN was fetched; per user-administrator of method-2 lines a link
/// to the bulk ZIP. Pure: tokens come from the passed-in generator, the clock is passed in.
public struct DeliveryLinks: Sendable {
    /// The registry records (token hashes and sealed payloads).
    public let records: [DeliveryLinkRecord]
    /// The PIN link token of each certificate; goes into the user-administrator's mail only.
    public let pinTokens: [SerialNumber: String]
    /// The certificate link token of each method-1 certificate; goes into the user's mail only.
    public let certificateTokens: [SerialNumber: String]
    /// The bulk ZIP token per certificate of method 2 (the same token for one administrator's lines).
    public let bulkTokens: [SerialNumber: String]
    /// When the links stop working.
    public let expires: Date

    /// No links (batches without service-made keys).
    public static let none = DeliveryLinks(records: [], pinTokens: [:], certificateTokens: [:], bulkTokens: [:], expires: .distantPast)

    init(records: [DeliveryLinkRecord], pinTokens: [SerialNumber: String], certificateTokens: [SerialNumber: String],
         bulkTokens: [SerialNumber: String], expires: Date) {
        self.records = records
        self.pinTokens = pinTokens
        self.certificateTokens = certificateTokens
        self.bulkTokens = bulkTokens
        self.expires = expires
    }

    /// RET-05: seals a payload for keeping in the registry (under the data folder's key), so that its link can be re-issued.
    public typealias Keeper = @Sendable ([UInt8]) throws -> [UInt8]

    /// Makes the links of `deliveries` for `institution`, valid for the institution's retrieval window from `now` (RET-03);
    /// `keep` seals each payload for re-issue (RET-05). PERF-04: tokens are drawn in line order, the payloads sealed on both
    /// cores.
    public init(deliveries: [ClientDelivery], institution: String, now: Date, window: RetrievalWindow = .oneMonth, token: () -> String,
                keep: Keeper? = nil) throws {
        let expires = window.expiry(after: now)
        let package = DeliveryPackage(deliveries: deliveries, enrolments: [], now: now)
        var pins: [SerialNumber: String] = [:]
        var certificates: [SerialNumber: String] = [:]
        var bulks: [SerialNumber: String] = [:]
        var planned: [PlannedLink] = []
        for (index, delivery) in deliveries.enumerated() {
            let client = delivery.application
            let pinToken = token()
            pins[delivery.serial] = pinToken
            planned.append(PlannedLink(kind: .pin, token: pinToken, institution: institution, recipient: client.administrator.email.address, serial: delivery.serial,
                                       requires: nil, fileName: "pin-\(delivery.serial.decimal).zip", payload: .pinArchive(index)))
            if delivery.method != .bulkPKCS12 {
                let certificateToken = token()
                certificates[delivery.serial] = certificateToken
                planned.append(PlannedLink(kind: .certificate, token: certificateToken, institution: institution,
                                           recipient: client.user.email.address,
                                           serial: delivery.serial, requires: ContentDigest.sha256(Array(pinToken.utf8)),
                                           fileName: delivery.fileName, payload: .bytes(delivery.pkcs12.der)))
            }
        }
        for (administrator, group) in DeliveryPackage.grouped(deliveries.filter { $0.method == .bulkPKCS12 },
                                                              by: { DeliveryPackage.administrator($0.application) }) {
            let bulkToken = token()
            for delivery in group { bulks[delivery.serial] = bulkToken }
            planned.append(PlannedLink(kind: .bulk, token: bulkToken, institution: institution, recipient: group[0].application.administrator.email.address,
                                       serial: nil, requires: nil, fileName: "\(administrator).zip", payload: .bulkArchive(group)))
        }
        let records = try Self.sealed(planned, expires: expires, keep: keep) { payload in
            switch payload {
            case .bytes(let bytes): bytes
            case .pinArchive(let index): try package.pinArchive([deliveries[index]])
            case .bulkArchive(let group): try package.bulkArchive(group)
            }
        }
        self.init(records: records, pinTokens: pins, certificateTokens: certificates, bulkTokens: bulks, expires: expires)
    }

    /// A link whose token is drawn and whose payload is still to be made and sealed (PERF-04).
    struct PlannedLink: Sendable {
        /// What the link hands out, made when it is sealed.
        enum Payload: Sendable {
            case bytes([UInt8])
            case pinArchive(Int)
            case bulkArchive([ClientDelivery])
        }
        let kind: DeliveryLinkRecord.Kind
        let token: String
        let institution: String
        let recipient: String
        let serial: SerialNumber?
        let requires: String?
        let fileName: String
        let payload: Payload
    }

    /// PERF-04: the records of `planned`, in its order, each payload made and sealed on both cores (HKDF and AES-GCM per link).
    static func sealed(_ planned: [PlannedLink], expires: Date, keep: Keeper?,
                       payload: @Sendable (PlannedLink.Payload) throws -> [UInt8]) throws -> [DeliveryLinkRecord] {
        try parallelMap(planned) { link in
            Result { () throws -> DeliveryLinkRecord in
                try record(link.kind, token: link.token, institution: link.institution, recipient: link.recipient, serial: link.serial,
                                  requires: link.requires, fileName: link.fileName, payload: try payload(link.payload), expires: expires,
                                  keep: keep)
            }
        }.map { try $0.get() }
    }

    /// One standalone certificate link (no PIN link before it) for a file.
    struct StandaloneLink {
        let serial: SerialNumber
        let institutionID: String
        let recipientEmail: String
        let fileName: String
        let payload: [UInt8]
    }

    /// Certificate links that wait for no PIN link, valid for `window` from `now` (MAIL-06, MAIL-07, RET-03); PERF-04: sealed
    /// on both cores.
    init(standalone links: [StandaloneLink], now: Date, window: RetrievalWindow, token: () -> String, keep: Keeper?) throws {
        let expires = window.expiry(after: now)
        var certificates: [SerialNumber: String] = [:]
        var planned: [PlannedLink] = []
        planned.reserveCapacity(links.count)
        for link in links {
            let certificateToken = token()
            certificates[link.serial] = certificateToken
            planned.append(PlannedLink(kind: .certificate, token: certificateToken, institution: link.institutionID,
                                       recipient: link.recipientEmail, serial: link.serial, requires: nil, fileName: link.fileName,
                                       payload: .bytes(link.payload)))
        }
        let records = try Self.sealed(planned, expires: expires, keep: keep) { payload in
            if case .bytes(let bytes) = payload { bytes } else { [] }
        }
        self.init(records: records, pinTokens: [:], certificateTokens: certificates, bulkTokens: [:], expires: expires)
    }

    /// MAIL-06, REG-15: one certificate link per server or code-signing certificate for its user-administrator, one month,
    /// single use, fetched in a browser without a client certificate. The certificate is public and in the registry: the link
    /// seals nothing (PERF-88): its row names the serial, and the desk hands out the PEM with its chain.
    public init(issued: [IssuedCertificate], institution: String, now: Date, window: RetrievalWindow = .oneMonth, token: () -> String) throws {
        try self.init(standalone: issued.map { certificate in
            StandaloneLink(serial: certificate.serial, institutionID: institution,
                           recipientEmail: certificate.application.common.administrator.email.address, fileName: "\(certificate.serial.decimal).pem",
                           payload: [])
        }, now: now, window: window, token: token, keep: nil)
    }

    /// RET-04: the successors of a certificate's open links — same kind, recipient, serial and file, each handing out the
    /// payload given with its predecessor — valid for `window` from `now`. A certificate link that waited for a replaced PIN
    /// link waits for that link's successor; the token maps are keyed by `serial` (a bulk link's too).
    public init(reissuing old: [(link: DeliveryLinkRecord, payload: [UInt8])], serial: SerialNumber, now: Date, window: RetrievalWindow,
                token: () -> String, keep: @escaping Keeper) throws {
        let expires = window.expiry(after: now)
        var successors: [String: String] = [:]
        var records: [DeliveryLinkRecord] = []
        var pins: [SerialNumber: String] = [:], certificates: [SerialNumber: String] = [:], bulks: [SerialNumber: String] = [:]
        // PIN links first, so that certificate links can wait for their successors.
        for (link, payload) in old.sorted(by: { ($0.link.kind == .pin ? 0 : 1) < ($1.link.kind == .pin ? 0 : 1) }) {
            let newToken = token()
            switch link.kind {
            case .pin: pins[serial] = newToken
            case .certificate: certificates[serial] = newToken
            case .bulk: bulks[serial] = newToken
            case .credentials: continue  // ACME-T07: credentials belong to no certificate; an account update replaces them
            }
            // A link of a server or code-signing certificate hands out its row's serial: nothing is sealed or kept (RET-05, PERF-88).
            let successor = try Self.record(link.kind, token: newToken, institution: link.institutionID, recipient: link.recipientEmail,
                                            serial: link.serial, requires: link.requiresTokenSHA256.map { successors[$0] ?? $0 },
                                            fileName: link.fileName, payload: payload, expires: expires, keep: link.handsOutSerial ? nil : keep)
            successors[link.tokenSHA256] = successor.tokenSHA256
            records.append(successor)
        }
        self.init(records: records, pinTokens: pins, certificateTokens: certificates, bulkTokens: bulks, expires: expires)
    }

    /// DESK-41, RET-05: the record of one link: its token's hash, the payload sealed under the token and, with `keep`, kept
    /// for re-issue. PERF-88: a link that hands out its row's serial (a server or code-signing certificate's PEM) seals nothing.
    static func record(_ kind: DeliveryLinkRecord.Kind, token: String, institution: String, recipient: String, serial: SerialNumber?,
                       requires: String?, fileName: String, payload: [UInt8], expires: Date, keep: Keeper?) throws -> DeliveryLinkRecord {
        let sealed = DeliveryLinkRecord.handsOutSerial(kind: kind, fileName: fileName) ? nil : try LinkSeal.seal(payload, token: token)
        return DeliveryLinkRecord(tokenSHA256: ContentDigest.sha256(Array(token.utf8)), kind: kind, institutionID: institution,
                                  recipientEmail: recipient, serial: serial, requiresTokenSHA256: requires, fileName: fileName, sealed: sealed,
                                  expires: expires, kept: try keep?(payload))
    }

    /// REG-16, MAIL-07: one certificate link per new registration officer for their RA PKCS#12, valid one month from `now`.
    /// No PIN link goes with it: the operator hands the PIN over after an identity check. `keep` seals it for re-issue (RET-05).
    public init(officers: [OfficerDelivery], now: Date, token: () -> String, keep: Keeper? = nil) throws {
        try self.init(standalone: officers.map { delivery in
            StandaloneLink(serial: delivery.serial, institutionID: delivery.officer.institutionID, recipientEmail: delivery.officer.email,
                           fileName: DeliveryPackage.folderName(delivery.officer.email) + ".p12", payload: delivery.pkcs12.der)
        }, now: now, window: .oneMonth, token: token, keep: keep)
    }
}
