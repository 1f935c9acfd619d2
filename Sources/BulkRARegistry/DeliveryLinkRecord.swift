import BulkRAModel
import Foundation

/// A one-time link of the web desk without a client certificate: the access-PIN file for a
/// user-administrator, or a PKCS#12 file or bulk ZIP (REG-15, Specs/registry.md; Specs/desk.md DESK-40..DESK-44).
///
/// Only the SHA-256 of the link's token is stored; the payload is sealed with a key derived from the
/// token, so the registry alone never yields a PIN or a key. A used link keeps no payload.
public struct DeliveryLinkRecord: Sendable, Hashable {
    /// What the link hands out.
    public enum Kind: String, Sendable, Hashable, Codable {
        /// The user-administrator's access-PIN ZIP (reference 6.3, `SPEntranceCliPin`).
        case pin
        /// One user's PKCS#12 file (method 1, `SPEntranceCliAll`).
        case certificate
        /// The user-administrator's bulk ZIP of PKCS#12 files (method 2).
        case bulk
        /// ACME-T07: an ACME account's EAB credentials (JSON) for its user-administrator.
        case credentials
    }

    /// SHA-256 of the token, hex.
    public let tokenSHA256: String
    /// What it hands out.
    public let kind: Kind
    /// The institution whose batch made it.
    public let institutionID: String
    /// Who receives the link (user-administrator or user).
    public let recipientEmail: String
    /// The certificate it delivers (certificate links).
    public let serial: SerialNumber?
    /// The PIN link that must be used before this one works, if any.
    public let requiresTokenSHA256: String?
    /// The file name offered to the browser.
    public let fileName: String
    /// The payload sealed under the token (nil once used).
    public let sealed: [UInt8]?
    /// When the link stops working (one month after issue).
    public let expires: Date
    /// When it was used, if it was.
    public let usedAt: Date?
    /// RET-04: when a re-issued link replaced it, if one did.
    public let supersededAt: Date?
    /// RET-05: the payload sealed under the data folder's key, kept so that the link can be re-issued; nil for links whose
    /// payload the registry can make again (a certificate's serial) and in records read back from the registry.
    public let kept: [UInt8]?

    /// Creates a link record.
    public init(tokenSHA256: String, kind: Kind, institutionID: String, recipientEmail: String, serial: SerialNumber?,
                requiresTokenSHA256: String?, fileName: String, sealed: [UInt8]?, expires: Date, usedAt: Date? = nil,
                supersededAt: Date? = nil, kept: [UInt8]? = nil) {
        self.tokenSHA256 = tokenSHA256
        self.kind = kind
        self.institutionID = institutionID
        self.recipientEmail = recipientEmail
        self.serial = serial
        self.requiresTokenSHA256 = requiresTokenSHA256
        self.fileName = fileName
        self.sealed = sealed
        self.expires = expires
        self.usedAt = usedAt
        self.supersededAt = supersededAt
        self.kept = kept
    }

    /// MAIL-06, RET-05, PERF-88: whether it is the link of a server or code-signing certificate, which hands out the row's
    /// serial: the desk makes the PEM from the registry, nothing is sealed (a certificate is no secret) and nothing needs
    /// keeping for its re-issue.
    public var handsOutSerial: Bool { Self.handsOutSerial(kind: kind, fileName: fileName) }

    /// MAIL-06, PERF-88: whether a link of `kind` handing out `fileName` hands out its serial (a certificate link to a PEM file).
    public static func handsOutSerial(kind: Kind, fileName: String) -> Bool { kind == .certificate && fileName.hasSuffix(".pem") }

    /// Why a link cannot be used now (DESK-42).
    public enum Refusal: String, Sendable, Hashable, Error {
        /// No link has this token.
        case unknown
        /// It was used already.
        case used
        /// Its month is over.
        case expired
        /// The PIN link of the same delivery has not been used yet.
        case pinFirst
        /// RET-04: an officer re-issued it; the newer link works instead.
        case replaced
    }
}
