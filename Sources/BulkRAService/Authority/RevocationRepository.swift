import BulkRAModel
import Foundation
import Synchronization
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
    /// REP-02: the files as last read, with the modification time and size of what they were read from: a request parses a
    /// CRL or certificate again only after it changed on disk (CRL-01 re-signs it).
    let cache = Cache()

    final class Cache: Sendable {
        let files = Mutex<[String: (stamp: [Int], file: File)]>([:])
    }

    /// REP-01: the repository of one data folder.
    public init(dataFolder: String) {
        self.dataFolder = dataFolder
    }

    /// REP-02: `make()` of `sources[0]`, or the file read before while every one of `sources` stayed as it was.
    func cached(_ sources: [String], _ make: () throws -> File?) throws -> File? {
        let path = sources[0]
        let stamp = sources.flatMap { source -> [Int] in
            guard let attributes = try? FileManager.default.attributesOfItem(atPath: source) else { return [-1, -1] }
            return [Int(((attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0) * 1_000_000), (attributes[.size] as? Int) ?? -1]
        }
        if let kept = cache.files.withLock({ $0[path] }), kept.stamp == stamp { return kept.file }
        guard let file = try make() else { return nil }
        cache.files.withLock { $0[path] = (stamp, file) }
        return file
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
        let path = dataFolder + "/crl/\(role.rawValue).crl"
        return try cached([path, AuthorityStore(dataFolder: dataFolder).certificatePath(role.rawValue)]) { try readCRL(role, path: path) }
    }

    func readCRL(_ role: AuthorityRole, path: String) throws -> File? {
        guard let der = FileManager.default.contents(atPath: path) else { return nil }
        let store = AuthorityStore(dataFolder: dataFolder)
        guard store.exists else { return nil }
        let authority = try store.certificate(role)
        guard let facts = AuthorityCheck(authorityDER: try authority.serializeAsPEM().derBytes).check(crl: Array(der)) else { return nil }
        return File(bytes: Array(der), contentType: "application/pkix-crl", lastModified: facts.thisUpdate, expires: facts.nextUpdate)
    }

    /// REP-01: the issuing CA's certificate, DER; nil when no hierarchy is installed.
    public func certificate(_ role: AuthorityRole) throws -> File? {
        let store = AuthorityStore(dataFolder: dataFolder)
        return try cached([store.certificatePath(role.rawValue)]) { try readCertificate(role) }
    }

    func readCertificate(_ role: AuthorityRole) throws -> File? {
        let store = AuthorityStore(dataFolder: dataFolder)
        guard store.exists else { return nil }
        let authority = try store.certificate(role)
        return File(bytes: try authority.serializeAsPEM().derBytes, contentType: "application/pkix-cert",
                    lastModified: authority.notValidBefore, expires: nil)
    }
}
