import BulkRAIssue
import BulkRAModel
import Foundation
import SwiftASN1
import X509

extension AuthorityStore {
    /// CLI-12: installs a production issuing CA for `role` from its PEM certificate, key and optional chain, after checking
    /// that it is a currently valid CA certificate with keyCertSign and cRLSign, that the key belongs to it (read with the
    /// passphrase source) and that the first chain certificate (or the root) signed it. Returns the certificate installed.
    public func install(_ role: AuthorityRole, certificatePEM: String, keyPEM: String, chainPEM: String?,
                        passphraseSource: PassphraseSource?, now: Date) throws -> Certificate {
        let authority: Certificate
        do {
            authority = try Certificate(pemEncoded: certificatePEM)
        } catch {
            throw OperationalError(.invalidRequest, LocalizedText(ja: "CA証明書（PEM）として読めません", en: "Not a PEM certificate"))
        }
        guard Self.isCA(authority) else {
            throw OperationalError(.invalidRequest, LocalizedText(ja: "CA証明書ではありません（basicConstraints cA=TRUE がありません）",
                                                                  en: "Not a CA certificate (no basicConstraints cA=TRUE)"))
        }
        if let usage = try? authority.extensions.keyUsage, !(usage.keyCertSign && usage.cRLSign) {
            throw OperationalError(.invalidRequest, LocalizedText(ja: "鍵用途に keyCertSign と cRLSign が必要です",
                                                                  en: "The key usage must include keyCertSign and cRLSign"))
        }
        guard authority.notValidBefore <= now, now < authority.notValidAfter else {
            throw OperationalError(.invalidRequest, LocalizedText(ja: "CA証明書が有効期間外です", en: "The CA certificate is not valid now"))
        }
        _ = try AuthorityKey.read(pem: keyPEM, passphrase: try passphraseSource?.read(), certificate: authority)
        let above: [Certificate]
        if let chainPEM {
            above = try PEMDocument.parseMultiple(pemString: chainPEM).map { try Certificate(pemDocument: $0) }
        } else {
            guard let root = try? String(contentsOfFile: certificatePath("root"), encoding: .utf8) else {
                throw OperationalError(.io, LocalizedText(ja: "ルート証明書を読めません: \(certificatePath("root"))", en: "Cannot read \(certificatePath("root"))"))
            }
            above = [try Certificate(pemEncoded: root)]
        }
        guard let parent = above.first, parent.subject == authority.issuer,
              parent.publicKey.isValidSignature(authority.signature, for: authority) else {
            throw OperationalError(.invalidRequest, LocalizedText(
                ja: "チェーンの先頭の証明書がこのCA証明書に署名していません（--chain に上位の証明書を指定してください）",
                en: "The first chain certificate did not sign this CA certificate (give the certificates above it with --chain)"))
        }
        // RA-05: a new RA CA retires the old one, which the desk trusts until the last certificate it issued has ended.
        if role == .registrationOfficer, let installed = try? certificate(role), installed.publicKey != authority.publicKey {
            try retire(role, now: now)
        }
        try write(certificatePEM.hasSuffix("\n") ? certificatePEM : certificatePEM + "\n", to: certificatePath(role.rawValue), mode: 0o644)
        try write(keyPEM, to: keyPath(role.rawValue), mode: 0o600)
        if let chainPEM {
            try write(chainPEM, to: chainPath(role), mode: 0o644)
        } else {
            try? FileManager.default.removeItem(atPath: chainPath(role))
        }
        if let passphraseSource {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            try write(String(decoding: try encoder.encode(passphraseSource), as: UTF8.self) + "\n", to: passphrasePath(role), mode: 0o600)
        } else {
            try? FileManager.default.removeItem(atPath: passphrasePath(role))
        }
        _ = try self.authority(role)
        return authority
    }

    /// CLI-12: whether the certificate says it is a CA.
    static func isCA(_ certificate: Certificate) -> Bool {
        if case .isCertificateAuthority = try? certificate.extensions.basicConstraints { return true }
        return false
    }
}
