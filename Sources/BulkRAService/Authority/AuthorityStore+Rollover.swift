import BulkRAIssue
import BulkRAModel
import BulkRARegistry
import BulkRAReport
import Crypto
import Foundation
import SwiftASN1
import X509

/// RA-05: an RA CA rollover — the old RA CA is retired (kept under `DATA/ca/retired/`), the new one issues from then on,
/// and the desk trusts both until the last certificate the old one issued has ended (Specs/ra-certificates.md).
extension AuthorityStore {
    /// RA-05: where retired CAs are kept: `<role>-<yyyyMMddHHmmss>.pem` and its key `….key.pem` (mode 0600).
    public var retiredFolder: String { folder + "/retired" }

    /// RA-05: the retired CA certificates of `role`, oldest first.
    public func retiredCertificates(_ role: AuthorityRole) -> [Certificate] {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: retiredFolder)) ?? [])
            .filter { $0.hasPrefix(role.rawValue + "-") && $0.hasSuffix(".pem") && !$0.hasSuffix(".key.pem") }.sorted()
        return names.compactMap { name in
            (try? String(contentsOfFile: retiredFolder + "/" + name, encoding: .utf8)).flatMap { try? Certificate(pemEncoded: $0) }
        }
    }

    /// RA-05: moves the installed CA of `role` (certificate, key, chain, passphrase reference) into the retired folder.
    /// Nothing is signed with it any more; its key is kept (mode 0600) for the operator, never used by BulkRA.
    func retire(_ role: AuthorityRole, now: Date) throws {
        let manager = FileManager.default
        guard manager.fileExists(atPath: certificatePath(role.rawValue)) else { return }
        try manager.createDirectory(atPath: retiredFolder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        var stamp = JapanTime.fileStamp(now)
        while manager.fileExists(atPath: "\(retiredFolder)/\(role.rawValue)-\(stamp).pem") { stamp += "-1" }
        let base = "\(retiredFolder)/\(role.rawValue)-\(stamp)"
        for (from, to) in [(certificatePath(role.rawValue), base + ".pem"), (keyPath(role.rawValue), base + ".key.pem"),
                           (chainPath(role), base + ".chain.pem"), (passphrasePath(role), base + ".passphrase.json")]
        where manager.fileExists(atPath: from) {
            try manager.moveItem(atPath: from, toPath: to)
        }
    }

    /// RA-05: a TEST rollover of the RA CA: a new P-256 key and a certificate from the TEST root (named generation G2, G3, …),
    /// the old one retired. Refused for a production hierarchy (no TEST root key): there `ca import --role ra` installs the
    /// new RA CA and retires the old one the same way.
    public func rollOverTestAuthority(_ role: AuthorityRole, now: Date) throws -> Certificate {
        guard role == .registrationOfficer else {
            throw OperationalError(.invalidRequest, LocalizedText(
                ja: "切り替えられるのは登録担当者用CA（ra）だけです。他のCAの証明書は利用者側の検証者が旧CAのCRLを使うため、ca import で入れ替えてください。",
                en: "Only the RA CA (ra) rolls over here; other CAs' certificates are checked by relying parties against the old CA's CRL — replace them with ca import."))
        }
        guard FileManager.default.fileExists(atPath: folder + "/README-TEST-CA.txt"),
              let rootKeyPEM = try? String(contentsOfFile: keyPath("root"), encoding: .utf8),
              let rootPEM = try? String(contentsOfFile: certificatePath("root"), encoding: .utf8) else {
            throw OperationalError(.invalidRequest, LocalizedText(
                ja: "TEST 用のルート鍵がありません。本番のCAは ca import --role ra で新しい登録担当者用CAを入れてください（旧CAは自動で退役します）。",
                en: "No TEST root key here: install the new production RA CA with ca import --role ra (the old one retires by itself)."))
        }
        let root = try Certificate(pemEncoded: rootPEM)
        let rootKey = try Certificate.PrivateKey(P256.Signing.PrivateKey(pemRepresentation: rootKeyPEM))
        let key = P256.Signing.PrivateKey()
        let generation = retiredCertificates(role).count + 2
        let certificate = try TestHierarchy.issuingCertificate(role, key: Certificate.PrivateKey(key).publicKey, root: root, rootKey: rootKey,
                                                               now: now, serials: SerialNumberGenerator(randomBytes: SystemRandom.bytes),
                                                               generation: generation)
        try retire(role, now: now)
        try write(certificate.serializeAsPEM().pemString + "\n", to: certificatePath(role.rawValue), mode: 0o644)
        try write(key.pemRepresentation + "\n", to: keyPath(role.rawValue), mode: 0o600)
        _ = try authority(role)
        return certificate
    }

    /// RA-05: the RA CAs the desk trusts at `now`: the installed one, and each retired one that signed a certificate of
    /// `live` (RA certificates not revoked and not ended) — so a retired CA is trusted until its last certificate ends.
    public func trustedOfficerAuthorities(live: [CertificateRecord]) throws -> [Certificate] {
        let current = try certificate(.registrationOfficer)
        let issued = live.compactMap { try? Certificate(derEncoded: $0.der) }
        let retired = retiredCertificates(.registrationOfficer).filter { authority in
            authority.publicKey != current.publicKey && issued.contains { certificate in
                certificate.issuer == authority.subject && authority.publicKey.isValidSignature(certificate.signature, for: certificate)
            }
        }
        return [current] + retired
    }
}
