import ArgumentParser
import BulkRADecode
import BulkRAIssue
import BulkRAModel
import BulkRARegistry
import BulkRAReport
import BulkRAService
import BulkRAValidate
import Foundation

/// `bulkra institutions`: apply institution-information files and list institutions (CLI-30).
struct InstitutionsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "institutions", abstract: "Institution information and registration officers.",
        subcommands: [Apply.self, List.self, Terminate.self, Window.self, ReissueRA.self])

    /// `bulkra institutions terminate --institution I (--on TIME | --cancel)`: schedules or cancels an institution's end of
    /// service (CLI-33, TERM-01).
    struct Terminate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Schedule (or cancel) an institution's end of service: at that time, once its officers confirmed the list, every certificate is revoked.")

        @OptionGroup var common: CommonOptions

        @Option(name: .long, help: "The institution ID.")
        var institution: String

        @Option(name: .long, help: "When the service ends, Japan time: yyyy/MM/dd HH:mm (or yyyy/MM/dd).")
        var on: String?

        @Flag(name: .long, help: "Cancel a termination not yet carried out.")
        var cancel = false

        func validate() throws {
            guard (on != nil) != cancel else {
                throw ValidationError("--on か --cancel のどちらか一方を指定してください / give --on or --cancel")
            }
            if let on {
                do {
                    _ = try JapanDateTime(on)
                } catch {
                    throw ValidationError("--on は yyyy/MM/dd HH:mm（日本時間）で指定してください / give --on as yyyy/MM/dd HH:mm, Japan time")
                }
            }
        }

        func run() throws {
            let logger = common.makeLogger()
            let registry = try DataFolder(path: common.data).openForCommand(logger: logger)
            let termination = InstitutionTermination(dataFolder: common.data, registry: registry, logger: logger)
            if cancel {
                let cancelled = try termination.cancel(institutionID: institution)
                print(cancelled ? "取り消しました / cancelled: \(institution)" : "予定はありません / nothing scheduled: \(institution)")
                if !cancelled { throw ExitCode(1) }
                return
            }
            let date = try JapanDateTime(on ?? "").date
            let count = try termination.schedule(institutionID: institution, effectiveAt: date, now: Date())
            print("\(institution)\t\(JapanTime.format(date)) JST\t現在有効な証明書 \(count) 件 / \(count) certificates valid now; "
                + "登録担当者の確認待ち / awaiting the officers' confirmation")
        }
    }

    struct Apply: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Apply an institution-information file (14 columns).")

        @Argument(help: "The institution-information file.")
        var file: String

        @OptionGroup var common: CommonOptions

        @OptionGroup var options: ApplyOptions

        @Option(name: .long, help: "Folder for the new officers' RA certificates (PKCS#12 and PIN files); default DATA/ra.")
        var out: String?

        @Option(name: .long, help: "Key the service makes for RA certificates: rsa2048 or p256.")
        var keyType: ServiceKeyKind = .rsa2048

        @Option(name: .long, help: "PKCS#12 format: modern or compatibility.")
        var pkcs12Format: PKCS12Bundle.Format = .modern

        func run() throws {
            let logger = common.makeLogger()
            let registry = try DataFolder(path: common.data).openForCommand(logger: logger)
            let outcome = try InstitutionApplier(ServiceEnvironment(dataFolder: common.data, registry: registry, logger: logger)).apply(
                try UploadFile(path: file).bytes(),
                options: .init(mode: options.onError, recordLimit: options.recordLimit, keyKind: keyType, pkcs12Format: pkcs12Format, folder: out),
                now: Date())
            for made in outcome.officerCertificates {
                FileHandle.standardError.write(Data("RA証明書 / RA certificate: \(made.email) serial \(made.serial) -> \(made.path)\n".utf8))
            }
            ResultOutput.print(outcome.submission, format: options.format)
            throw outcome.submission.exitCode
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List registered institutions, officers, domains and allow-lists.")

        @OptionGroup var common: CommonOptions

        func run() throws {
            let registry = try DataFolder(path: common.data).openForCommand(logger: common.makeLogger())
            for institution in try registry.institutions() {
                print("\(institution.id)\t\(institution.name)\tO=\(institution.englishName),L=\(institution.locality),"
                    + "ST=\(institution.stateOrProvince)\t\(institution.isActive ? "active" : "inactive")")
                for domain in institution.domains.sorted() {
                    let ous = institution.allowList[domain].map { $0.sorted().joined(separator: ", ") } ?? ""
                    print("  domain \(domain)\(ous.isEmpty ? "" : "  OU: \(ous)")")
                }
                for officer in institution.officers.values.sorted(by: { $0.email < $1.email }) {
                    print("  officer \(officer.email) (\(officer.romaji)): \(officer.domains.sorted().map(\.name).joined(separator: ", "))")
                }
            }
        }
    }
}
