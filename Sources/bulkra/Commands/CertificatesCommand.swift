import ArgumentParser
import BulkRAModel
import BulkRARegistry
import BulkRAService
import BulkRAValidate
import Foundation
import X509

/// `bulkra certificates import`: registers certificates issued elsewhere (an earlier UPKI service),
/// so that new-versus-renew, ownership and revocation checks know them (CLI-50).
struct CertificatesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "certificates", abstract: "Certificates held in the registry.", subcommands: [Import.self])

    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Import existing certificates (PEM) for an institution.")

        @Argument(help: "PEM files holding one or more certificates.")
        var files: [String]

        @OptionGroup var common: CommonOptions

        @Option(name: .long, help: "The owning institution's ID.")
        var institution: String

        @Option(name: .long, help: "server, client or codesign.")
        var family: Family

        @Option(name: .long, help: "The profile ID the certificates were issued under.")
        var profile: Int?

        @Option(name: .long, help: "Record the certificates as revoked with this reason code (0, 1, 3, 4, 5).")
        var revokedReason: Int?

        func validate() throws {
            guard family != .admin else { throw ValidationError("--family must be server, client or codesign") }
            if let revokedReason, RevocationReason(rawValue: revokedReason) == nil {
                throw ValidationError("--revoked-reason must be 0, 1, 3, 4 or 5")
            }
            if let profile, let family = CertificateFamily(family.kind),
               CertificateProfile(rawValue: profile).map({ $0.family != family }) ?? true {
                let known = CertificateProfile.allCases.filter { $0.family == family }.map { String($0.rawValue) }
                throw ValidationError("--profile must be one of \(known.joined(separator: ", ")) for \(family.rawValue)")
            }
        }

        func run() throws {
            let logger = common.makeLogger()
            let registry = try DataFolder(path: common.data).openForCommand(logger: logger)
            guard let certificateFamily = CertificateFamily(family.kind) else { return }
            var certificates: [Certificate] = []
            for file in files {
                guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
                    throw OperationalError(.io, LocalizedText(ja: "ファイルを読めません: \(file)", en: "Cannot read \(file)"))
                }
                certificates += try CertificateRecord.certificates(inPEM: text)
            }
            let records = try CertificateImporter(registry: registry).record(
                certificates, institution: institution, family: certificateFamily,
                profile: profile.flatMap(CertificateProfile.init(rawValue:)), revokedReason: revokedReason.flatMap(RevocationReason.init(rawValue:)),
                now: Date())
            for record in records {
                print("\(record.serial)\t\(record.subject)\t\(record.state == .revoked ? "revoked" : "issued")")
            }
        }
    }
}
