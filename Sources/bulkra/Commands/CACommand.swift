import ArgumentParser
import BulkRAIssue
import BulkRAModel
import BulkRAService
import Foundation
import SwiftASN1
import X509

/// `bulkra ca`: install production CA certificates and keys, and show what is installed (CLI-12, CLI-13).
struct CACommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ca", abstract: "The issuing CAs: import real CA material, show what is installed.",
        subcommands: [Import.self, Show.self])

    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Install an issuing CA certificate and its key for a role (PEM; PKCS#8, PKCS#1 or SEC 1; encrypted keys with a passphrase).")

        @OptionGroup var common: CommonOptions

        @Option(name: .long, help: "server, client, codesign or ra.")
        var role: AuthorityRole

        @Option(name: .long, help: "The issuing CA certificate (PEM).")
        var certificate: String

        @Option(name: .long, help: "Its private key (PEM).")
        var key: String

        @Option(name: .long, help: "The certificates above it, nearest first, ending with the root (PEM bundle). Needed unless the installed root signed it.")
        var chain: String?

        @Option(name: .long, help: "A file whose first line is the key's passphrase (kept as a reference; read at every use).")
        var passphraseFile: String?

        @Option(name: .long, help: "The name of an environment variable holding the key's passphrase (read at every use).")
        var passphraseEnv: String?

        func validate() throws {
            if passphraseFile != nil && passphraseEnv != nil {
                throw ValidationError("--passphrase-file と --passphrase-env はどちらか一方だけ指定してください\nGive --passphrase-file or --passphrase-env, not both.")
            }
        }

        func run() throws {
            let store = AuthorityStore(dataFolder: common.data)
            func read(_ path: String) throws -> String {
                guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                    throw OperationalError(.io, LocalizedText(ja: "読めません: \(path)", en: "Cannot read \(path)"))
                }
                return text
            }
            let certificateText = try read(certificate)
            let authority: Certificate
            do {
                authority = try Certificate(pemEncoded: certificateText)
            } catch {
                throw OperationalError(.invalidRequest, LocalizedText(ja: "CA証明書（PEM）として読めません: \(certificate)",
                                                                      en: "Not a PEM certificate: \(certificate)"))
            }
            // CLI-12: a CA certificate, currently valid, with keyCertSign and cRLSign.
            guard Self.isCA(authority) else {
                throw OperationalError(.invalidRequest, LocalizedText(ja: "CA証明書ではありません（basicConstraints cA=TRUE がありません）",
                                                                      en: "Not a CA certificate (no basicConstraints cA=TRUE)"))
            }
            if let usage = try? authority.extensions.keyUsage, !(usage.keyCertSign && usage.cRLSign) {
                throw OperationalError(.invalidRequest, LocalizedText(ja: "鍵用途に keyCertSign と cRLSign が必要です",
                                                                      en: "The key usage must include keyCertSign and cRLSign"))
            }
            let now = Date()
            guard authority.notValidBefore <= now, now < authority.notValidAfter else {
                throw OperationalError(.invalidRequest, LocalizedText(ja: "CA証明書が有効期間外です", en: "The CA certificate is not valid now"))
            }
            let passphraseSource = AuthorityStore.PassphraseSource(
                file: passphraseFile.map { URL(fileURLWithPath: $0).standardizedFileURL.path }, environment: passphraseEnv)
            let keyText = try read(key)
            _ = try AuthorityKey.read(pem: keyText, passphrase: try passphraseSource.read(), certificate: authority)

            let above: [Certificate]
            let chainText: String?
            if let chain {
                let text = try read(chain)
                above = try PEMDocument.parseMultiple(pemString: text).map { try Certificate(pemDocument: $0) }
                chainText = text
            } else {
                above = [try Certificate(pemEncoded: try read(store.certificatePath("root")))]
                chainText = nil
            }
            guard let parent = above.first, parent.subject == authority.issuer,
                  parent.publicKey.isValidSignature(authority.signature, for: authority) else {
                throw OperationalError(.invalidRequest, LocalizedText(
                    ja: "チェーンの先頭の証明書がこのCA証明書に署名していません（--chain に上位の証明書を指定してください）",
                    en: "The first chain certificate did not sign this CA certificate (give the certificates above it with --chain)"))
            }
            try store.write(certificateText.hasSuffix("\n") ? certificateText : certificateText + "\n", to: store.certificatePath(role.rawValue), mode: 0o644)
            try store.write(keyText, to: store.keyPath(role.rawValue), mode: 0o600)
            if let chainText {
                try store.write(chainText, to: store.chainPath(role), mode: 0o644)
            } else {
                try? FileManager.default.removeItem(atPath: store.chainPath(role))
            }
            if passphraseFile != nil || passphraseEnv != nil {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                try store.write(String(decoding: try encoder.encode(passphraseSource), as: UTF8.self) + "\n", to: store.passphrasePath(role), mode: 0o600)
            } else {
                try? FileManager.default.removeItem(atPath: store.passphrasePath(role))
            }
            _ = try store.authority(role)
            print("installed \(role.rawValue): \(authority.subject) (valid until \(authority.notValidAfter))")
            // CRL-01: the new CA's CRL is signed at once (the old key's CRL no longer verifies).
            if FileManager.default.fileExists(atPath: DataFolder(path: common.data).registryPath) {
                let registry = try DataFolder(path: common.data).openRegistry(logger: common.makeLogger(), deliversPending: false)
                _ = try CRLPublisher(dataFolder: common.data, registry: registry).refresh(now: Date(), force: true, roles: [role])
                print("CRL: \(common.data)/crl/\(role.rawValue).crl (signed by the new CA)")
            }
        }

        static func isCA(_ certificate: Certificate) -> Bool {
            if case .isCertificateAuthority = try? certificate.extensions.basicConstraints { return true }
            return false
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show the installed issuing CAs.")

        @OptionGroup var common: CommonOptions

        func run() throws {
            let store = AuthorityStore(dataFolder: common.data)
            for role in AuthorityRole.allCases {
                do {
                    let authority = try store.authority(role)
                    let test = authority.certificate.subject.description.contains("BulkRA TEST")
                    print("\(role.rawValue)\t\(authority.certificate.subject)\tuntil \(authority.certificate.notValidAfter)\t\(test ? "TEST" : "production")")
                } catch let error as OperationalError {
                    print("\(role.rawValue)\t-\t\(error.message.en)")
                }
            }
        }
    }
}

extension AuthorityRole: ExpressibleByArgument {}
