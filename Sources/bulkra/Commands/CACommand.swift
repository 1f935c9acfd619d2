import ArgumentParser
import BulkRAIssue
import BulkRAModel
import BulkRARegistry
import BulkRAService
import Foundation
import SwiftASN1
import X509

/// `bulkra ca`: install production CA certificates and keys, and show what is installed (CLI-12, CLI-13).
struct CACommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ca", abstract: "The issuing CAs: import real CA material, show what is installed.",
        subcommands: [Import.self, Show.self, Rollover.self])

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

        @OptionGroup var repository: RepositoryURLOption

        func validate() throws {
            if passphraseFile != nil && passphraseEnv != nil {
                throw ValidationError("--passphrase-file と --passphrase-env はどちらか一方だけ指定してください\nGive --passphrase-file or --passphrase-env, not both.")
            }
        }

        func run() throws {
            func read(_ path: String) throws -> String {
                guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                    throw OperationalError(.io, LocalizedText(ja: "読めません: \(path)", en: "Cannot read \(path)"))
                }
                return text
            }
            // REP-04: a production CA never prints this machine's loopback into certificates (pkilint: internal domain name).
            let store = AuthorityStore(dataFolder: common.data)
            if repository.repositoryURL == nil, store.loopbackRepositoryPort() != nil {
                throw OperationalError(.invalidRequest, LocalizedText(
                    ja: "urls.json はこの機械のループバック（TEST 用のリポジトリ）を指しています。本番の CA には --repository-url で利用者が届く http の URL を指定してください。",
                    en: "urls.json names this machine's loopback (the TEST repository); give a production CA --repository-url with the http URL relying parties reach."))
            }
            let passphraseSource = passphraseFile != nil || passphraseEnv != nil ? AuthorityStore.PassphraseSource(
                file: passphraseFile.map { URL(fileURLWithPath: $0).standardizedFileURL.path }, environment: passphraseEnv) : nil
            let authority = try store.install(
                role, certificatePEM: try read(certificate), keyPEM: try read(key), chainPEM: try chain.map(read),
                passphraseSource: passphraseSource, now: Date())
            if let repositoryURL = repository.repositoryURL {
                try store.writeURLs(repository: repositoryURL)
                print("URLs: \(store.urlsPath) (under \(repositoryURL))")
            }
            print("installed \(role.rawValue): \(authority.subject) (valid until \(authority.notValidAfter))")
            // CRL-01: the new CA's CRL is signed at once (the old key's CRL no longer verifies).
            if FileManager.default.fileExists(atPath: DataFolder(path: common.data).registryPath) {
                let registry = try DataFolder(path: common.data).openForCommand(logger: common.makeLogger())
                _ = try CRLPublisher(dataFolder: common.data, registry: registry).refresh(now: Date(), force: true, roles: [role])
                print("CRL: \(common.data)/crl/\(role.rawValue).crl (signed by the new CA)")
            }
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

extension CACommand {
    /// `bulkra ca rollover --role ra`: a new TEST RA CA; the old one retires and stays trusted by the desk until its last
    /// certificate ends (CLI-14, RA-05).
    struct Rollover: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Roll the TEST RA CA over to a new key: new RA certificates come from the new CA; the desk trusts the old one until its last certificate ends.")

        @OptionGroup var common: CommonOptions

        @Option(name: .long, help: "The CA to roll over: ra.")
        var role: AuthorityRole

        func run() async throws {
            let store = AuthorityStore(dataFolder: common.data)
            let now = Date()
            let certificate = try store.rollOverTestAuthority(role, now: now)
            print("installed \(role.rawValue): \(certificate.subject) (valid until \(certificate.notValidAfter))")
            print("retired: \(store.retiredCertificates(role).map { $0.subject.description }.joined(separator: "; "))")
            if FileManager.default.fileExists(atPath: DataFolder(path: common.data).registryPath) {
                let registry = try DataFolder(path: common.data).openForCommand(logger: common.makeLogger())
                _ = try CRLPublisher(dataFolder: common.data, registry: registry).refresh(now: now, force: true, roles: [role])
                try await registry.audit(AuditEvent(event: "ca-rollover", serial: nil, detail: "\(role.rawValue): \(certificate.subject)", at: now))
                print("CRL: \(common.data)/crl/\(role.rawValue).crl (signed by the new CA)")
            }
        }
    }
}

extension AuthorityRole: ExpressibleByArgument {}
