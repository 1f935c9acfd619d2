import BulkRAModel
import CBulkRAOpenSSL
import Foundation

/// Checks certificates and CRLs against one issuing CA through OpenSSL (DOC-02, DOC-06, CRL-01): issuer name and
/// signature. Holds only the CA certificate's DER, so it can be handed to several threads; each call loads the CA once.
struct AuthorityCheck: Sendable {
    /// The CA certificate, DER.
    let authorityDER: [UInt8]

    /// One certificate's verdict.
    struct Verdict: Sendable {
        /// Issuer name and signature match the CA.
        let signedByAuthority: Bool
        /// The DER parsed as a certificate.
        let parses: Bool
        /// Its serial, upper-case hex.
        let serialHex: String
    }

    /// What a CRL says.
    struct RevocationFacts: Sendable {
        let signedByAuthority: Bool
        let thisUpdate: Date
        let nextUpdate: Date?
        let serialsHex: Set<String>

        /// CRL-01: past half of its life (or past its nextUpdate, or without one) at `now`.
        func isPastHalfLife(at now: Date) -> Bool {
            guard let nextUpdate else { return true }
            return now >= thisUpdate.addingTimeInterval(nextUpdate.timeIntervalSince(thisUpdate) / 2)
        }
    }

    /// Checks certificates one by one with the CA loaded once; nil when the CA certificate does not load.
    func check(_ certificates: [[UInt8]]) -> [Verdict]? {
        guard let issuer = authorityDER.withUnsafeBufferPointer({ bulkra_issuer_new($0.baseAddress, $0.count) }) else { return nil }
        defer { bulkra_issuer_free(issuer) }
        var buffer = [CChar](repeating: 0, count: 80)
        return certificates.map { der in
            let status = der.withUnsafeBufferPointer { bytes in
                buffer.withUnsafeMutableBufferPointer { bulkra_issuer_check_certificate(issuer, bytes.baseAddress, bytes.count, $0.baseAddress, $0.count) }
            }
            let serial = Self.trimmed(String(decoding: buffer.prefix { $0 != 0 }.map(UInt8.init(bitPattern:)), as: UTF8.self))
            return Verdict(signedByAuthority: status == 1, parses: status >= 0, serialHex: serial)
        }
    }

    /// Reads a CRL; nil when the CA or the CRL does not parse.
    func check(crl der: [UInt8]) -> RevocationFacts? {
        guard let issuer = authorityDER.withUnsafeBufferPointer({ bulkra_issuer_new($0.baseAddress, $0.count) }) else { return nil }
        defer { bulkra_issuer_free(issuer) }
        var thisUpdate: Int64 = 0
        var nextUpdate: Int64 = 0
        var list: UnsafeMutablePointer<CChar>?
        let status = der.withUnsafeBufferPointer { bulkra_issuer_check_crl(issuer, $0.baseAddress, $0.count, &thisUpdate, &nextUpdate, &list) }
        defer { if let list { bulkra_pkcs12_free(UnsafeMutableRawPointer(list).assumingMemoryBound(to: UInt8.self)) } }
        guard status >= 0, let list else { return nil }
        let serials = String(cString: list).split(separator: "\n").map { Self.trimmed(String($0)) }
        return RevocationFacts(signedByAuthority: status == 1, thisUpdate: Date(timeIntervalSince1970: TimeInterval(thisUpdate)),
                               nextUpdate: nextUpdate == 0 ? nil : Date(timeIntervalSince1970: TimeInterval(nextUpdate)),
                               serialsHex: Set(serials))
    }

    /// A serial as upper-case hex without leading zeros.
    static func hex(_ serial: SerialNumber) -> String {
        trimmed(serial.magnitude.map { String(format: "%02X", $0) }.joined())
    }

    /// Hex without leading zeros (OpenSSL pads to whole bytes).
    static func trimmed(_ hex: String) -> String {
        let digits = hex.drop { $0 == "0" }
        return digits.isEmpty ? "0" : String(digits)
    }
}
