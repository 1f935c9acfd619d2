import BulkRAModel
import Foundation
import X509

/// REP-01..REP-03: what relying parties fetch over plain HTTP at the URLs written in certificates — each issuing CA's
/// current CRL and its certificate, DER — with the times a cache needs (Specs/repository.md).
public struct RevocationRepository: Sendable {
    /// REP-01: one file as served.
    public struct File: Sendable, Hashable {
        /// The DER bytes.
        public let bytes: [UInt8]
        /// REP-01: `application/pkix-crl` or `application/pkix-cert` (RFC 5280 §4.2.1.13, §4.2.2.1; RFC 2585).
        public let contentType: String
        /// REP-02: when the content was made (the CRL's thisUpdate, the certificate's notBefore).
        public let lastModified: Date
        /// REP-02: until when a cache may keep it (the CRL's nextUpdate; nil for a CA certificate, which is kept a day).
        public let expires: Date?
    }

    let dataFolder: String

    /// REP-01: the repository of one data folder.
    public init(dataFolder: String) {
        self.dataFolder = dataFolder
    }

    /// REP-01: the file at a repository path — `/crl/<role>.crl` or `/ca/<role>.cer` — or nil when there is none.
    public func file(atPath path: String) throws -> File? {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true)
        guard parts.count == 2 else { return nil }
        switch (parts[0], parts[1]) {
        case ("crl", let name) where name.hasSuffix(".crl"):
            return try AuthorityRole(rawValue: String(name.dropLast(4))).flatMap(crl)
        case ("ca", let name) where name.hasSuffix(".cer"):
            return try AuthorityRole(rawValue: String(name.dropLast(4))).flatMap(certificate)
        default:
            return nil
        }
    }

    /// REP-01, REP-02: the CRL `DATA/crl/<role>.crl` as last signed (CRL-01 keeps it fresh); nil when missing or unreadable.
    public func crl(_ role: AuthorityRole) throws -> File? {
        guard let der = FileManager.default.contents(atPath: dataFolder + "/crl/\(role.rawValue).crl") else { return nil }
        let store = AuthorityStore(dataFolder: dataFolder)
        guard store.exists else { return nil }
        let authority = try store.certificate(role)
        guard let facts = AuthorityCheck(authorityDER: try authority.serializeAsPEM().derBytes).check(crl: Array(der)) else { return nil }
        return File(bytes: Array(der), contentType: "application/pkix-crl", lastModified: facts.thisUpdate, expires: facts.nextUpdate)
    }

    /// REP-01: the issuing CA's certificate, DER; nil when no hierarchy is installed.
    public func certificate(_ role: AuthorityRole) throws -> File? {
        let store = AuthorityStore(dataFolder: dataFolder)
        guard store.exists else { return nil }
        let authority = try store.certificate(role)
        return File(bytes: try authority.serializeAsPEM().derBytes, contentType: "application/pkix-cert",
                    lastModified: authority.notValidBefore, expires: nil)
    }
}
