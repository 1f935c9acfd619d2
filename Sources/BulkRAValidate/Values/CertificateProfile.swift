import BulkRAModel

/// A certificate profile ID and what it means (Specs/values.md, PRF-01..PRF-03).
public enum CertificateProfile: Int, Sendable, Hashable, Codable, CaseIterable {
    /// Registration-officer certificate (not uploadable).
    case registrationOfficer = 1
    /// Server, RSA-2048 key.
    case serverRSA = 3
    /// Client authentication, 48 months.
    case clientAuth48 = 5
    /// S/MIME, 27 months.
    case smime27 = 7
    /// Code signing.
    case codeSigning = 8
    /// Server, ECDSA P-384 key.
    case serverECDSA = 11
    /// Client authentication, 13 months.
    case clientAuth13 = 13
    /// Client authentication, 25 months.
    case clientAuth25 = 14
    /// S/MIME, 13 months.
    case smime13 = 15
    /// S/MIME, 25 months.
    case smime25 = 16

    /// The family the profile belongs to.
    public var family: CertificateFamily {
        switch self {
        case .registrationOfficer: return .registrationOfficer
        case .serverRSA, .serverECDSA: return .server
        case .clientAuth48, .clientAuth13, .clientAuth25, .smime27, .smime13, .smime25: return .client
        case .codeSigning: return .codeSigning
        }
    }

    /// Whether the profile is an S/MIME (mailbox-validated) profile.
    public var isSMIME: Bool { self == .smime27 || self == .smime13 || self == .smime25 }

    /// Parses column 2: digits (204), at most 2 characters (202), a profile of the family (228).
    init(_ raw: String, family: CertificateFamily) throws(ValueError) {
        if CharacterRepertoire.digits.firstViolation(in: raw) != nil { throw ValueError(.nonDigit) }
        try checkLength(raw, maximum: 2)
        guard let number = Int(raw), let profile = CertificateProfile(rawValue: number), profile.family == family else {
            let allowed = CertificateProfile.allCases.filter { $0.family == family }.map { String($0.rawValue) }.joined(separator: ", ")
            throw ValueError(.profileNotAllowed, ja: "（使用できるプロファイル: \(allowed)）", en: "(allowed profiles: \(allowed))")
        }
        self = profile
    }
}
