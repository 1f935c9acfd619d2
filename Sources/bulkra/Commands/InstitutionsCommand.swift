import ArgumentParser
import BulkRADecode
import BulkRAIssue
import BulkRARegistry
import BulkRAReport
import BulkRAModel
import BulkRAValidate
import Foundation

/// `bulkra institutions`: apply institution-information files and list institutions (CLI-30).
struct InstitutionsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "institutions", abstract: "Institution information and registration officers.",
        subcommands: [Apply.self, List.self])

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
            let registry = try DataFolder(path: common.data).openRegistry(logger: logger)
            let context = UploadContext(institutionID: nil, kind: .institution, operation: .apply)
            let run = UploadRun(file: file, context: context, recordLimit: options.recordLimit, logger: logger)
            let batch = try run.validate(directory: registry, retainingRequests: true)
            let changes = UploadRun.linesToApply(batch, mode: options.onError).compactMap { request -> InstitutionChange? in
                if case .institution(let change) = request { return change } else { return nil }
            }
            let now = Date()
            // ISS-16: officers added or re-activated without a valid RA certificate get one.
            let candidates = changes.filter { $0.action != .removeOfficer && $0.institution.isActive }
            let needing = Set(try registry.officersWithoutCertificate(emails: candidates.map(\.officer.email)))
            var seen = Set<String>()
            let officers = candidates.filter { needing.contains($0.officer.email) && seen.insert($0.officer.email).inserted }
            let store = AuthorityStore(dataFolder: common.data)
            var deliveries: [OfficerDelivery] = []
            if !officers.isEmpty, store.exists {
                let names = Dictionary(officers.map { ($0.institution.id, $0.institution.englishName) }, uniquingKeysWith: { first, _ in first })
                let issuer = try store.batchIssuer(roles: [.registrationOfficer], options: .init(keyKind: keyType, pkcs12Format: pkcs12Format),
                                                   logger: logger)
                deliveries = try issuer.issueOfficers(officers.map(\.officer), organization: { names[$0] ?? $0 }, now: now,
                                                      takenSerials: registry.takenSerials)
            }
            let folder = out ?? common.data + "/ra"
            let staging = deliveries.isEmpty ? nil : try Staging(out: folder)
            try staging?.stage(deliveries.flatMap { delivery -> [DeliveryPackage.File] in
                let name = DeliveryPackage.folderName(delivery.officer.email)
                return [.init(path: "\(name).p12", bytes: delivery.pkcs12.der),
                        .init(path: "\(name).pin.txt", bytes: Array("\(delivery.pin.secret)\n".utf8))]
            }, secret: true)
            staging?.sync()
            let links = try DeliveryLinks(officers: deliveries, now: now, token: SecretGenerator(randomBytes: SystemRandom.bytes).token)
            if !changes.isEmpty {
                do {
                    try registry.apply(changes, officerCertificates: deliveries.map(Self.record), links: links.records)
                } catch {
                    staging?.discard()
                    throw OperationalError(.database, LocalizedText(ja: "登録に失敗しました: \(error)", en: "Could not apply: \(error)"))
                }
            }
            try staging?.publish()
            if !deliveries.isEmpty {
                let settings = try MailSettings.load(data: common.data)
                let composer = NotificationComposer(from: settings.from, institutionName: "", officer: nil, deskURL: settings.deskURL,
                                                    now: now, batchTag: "ra")
                try Outbox(data: common.data).deliver(deliveries.map { composer.officerNotice($0, links: links) }, settings: settings, now: now, tag: "ra",
                                                      logger: logger)
                for delivery in deliveries {
                    FileHandle.standardError.write(Data("RA証明書 / RA certificate: \(delivery.officer.email) serial \(delivery.serial.decimal) -> \(folder)/\(DeliveryPackage.folderName(delivery.officer.email)).p12\n".utf8))
                }
            }
            UploadRun.print(batch, format: options.format)
            throw UploadRun.exitCode(for: batch.summary)
        }

        /// The registry's record of an RA certificate (family ra, profile 1; the officer in the administrator columns).
        static func record(_ delivery: OfficerDelivery) -> CertificateRecord {
            let subject = SubjectDistinguishedName(attributes: [
                .init(.commonName, delivery.officer.romaji), .init(.organization, delivery.organization),
                .init(.locality, "Academe-ops"), .init(.country, "JP"),
            ])
            return CertificateRecord(
                serial: delivery.serial, institutionID: delivery.officer.institutionID, family: .registrationOfficer, profile: 1,
                subject: subject, domain: nil, keyDigest: delivery.keyDigest, state: .issued, notBefore: delivery.certificate.notValidBefore,
                notAfter: delivery.certificate.notValidAfter, administratorName: delivery.officer.name,
                administratorEmail: delivery.officer.email, der: delivery.der, issuerRole: AuthorityRole.registrationOfficer.rawValue)
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List registered institutions, officers, domains and allow-lists.")

        @OptionGroup var common: CommonOptions

        func run() throws {
            let registry = try DataFolder(path: common.data).openRegistry(logger: common.makeLogger())
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
