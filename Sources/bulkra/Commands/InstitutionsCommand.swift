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
            let upload = try run.decode()
            let now = Date()
            let settings = try MailSettings.load(data: common.data)
            let folder = try OutputFolder.Target(out ?? common.data + "/ra")
            let sealing = try OutboxPayload.key(data: common.data)
            let store = AuthorityStore(dataFolder: common.data)
            // REG-17: the check, the officers needing an RA certificate and the commit run under the registry's write lock.
            let (batch, deliveries, claimed) = try registry.serializable { transaction -> (ValidatedBatch, [OfficerDelivery], [PendingDelivery]) in
                let batch = try run.validate(upload, directory: transaction, retainingRequests: true)
                let changes = options.onError.linesToApply(batch).compactMap { request -> InstitutionChange? in
                    if case .institution(let change) = request { return change } else { return nil }
                }
                guard !changes.isEmpty else { return (batch, [], []) }
                // ISS-16: officers added or re-activated without a valid RA certificate get one.
                let candidates = changes.filter { $0.action != .removeOfficer && $0.institution.isActive }
                let needing = Set(try transaction.officersWithoutCertificate(emails: candidates.map(\.officer.email)))
                var seen = Set<String>()
                let officers = candidates.filter { needing.contains($0.officer.email) && seen.insert($0.officer.email).inserted }
                var deliveries: [OfficerDelivery] = []
                if !officers.isEmpty, store.exists {
                    let names = Dictionary(officers.map { ($0.institution.id, $0.institution.englishName) }, uniquingKeysWith: { first, _ in first })
                    let issuer = try store.batchIssuer(roles: [.registrationOfficer], options: .init(keyKind: keyType, pkcs12Format: pkcs12Format),
                                                       logger: logger)
                    deliveries = try issuer.issueOfficers(officers.map(\.officer), organization: { names[$0] ?? $0 }, now: now,
                                                          takenSerials: transaction.takenSerials)
                }
                let links = try DeliveryLinks(officers: deliveries, now: now, token: SecretGenerator(randomBytes: SystemRandom.bytes).token)
                // REG-18: the RA PKCS#12 files, their PINs and the officers' mails are delivered after the commit.
                var outbox: [OutboxItem] = []
                if !deliveries.isEmpty {
                    let entries = deliveries.flatMap { delivery -> [DeliveryBundle.Entry] in
                        let name = DeliveryPackage.folderName(delivery.officer.email)
                        return [.init(path: "\(name).p12", mode: 0o600, bytes: delivery.pkcs12.der),
                                .init(path: "\(name).pin.txt", mode: 0o600, bytes: Array("\(delivery.pin.secret)\n".utf8))]
                    }
                    outbox.append(OutboxItem(kind: .files, target: folder.absolute, payload: try sealing.packed(DeliveryBundle(entries).encoded())))
                    let tag = SystemRandom.batchTag("ra")
                    let composer = NotificationComposer(from: settings.from, institutionName: "", officer: nil, deskURL: settings.deskURL,
                                                        now: now, batchTag: tag)
                    let mails = deliveries.map { composer.officerNotice($0, links: links) }
                    outbox.append(OutboxItem(kind: .mails, payload: try sealing.packed(Outbox.bundle(mails, now: now, tag: tag).encoded())))
                }
                try transaction.apply(changes, officerCertificates: deliveries.map(Self.record), links: links.records)
                return (batch, deliveries, try transaction.enqueue(outbox, batchID: nil, claimant: OutboxDelivery.owner))
            }
            CrashPoint.afterCommit.reach(data: common.data)
            try OutboxDelivery(data: common.data, registry: registry, logger: logger, sealing: sealing).run(claimed: claimed, now: now)
            for delivery in deliveries {
                FileHandle.standardError.write(Data("RA証明書 / RA certificate: \(delivery.officer.email) serial \(delivery.serial.decimal) -> \(folder.given)/\(DeliveryPackage.folderName(delivery.officer.email)).p12\n".utf8))
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
