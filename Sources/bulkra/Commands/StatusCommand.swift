import ArgumentParser
import BulkRAModel
import BulkRARegistry
import BulkRAReport
import BulkRAService
import Foundation

/// `bulkra status`: the dashboard's figures for one institution or all (CLI-132, Specs/dashboard.md).
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "What needs doing: expiries per domain and week, open retrievals, scheduled revocations, renewals awaiting revocation.")

    @OptionGroup var common: CommonOptions

    @Option(name: .long, help: "One institution (default: every institution).")
    var institution: String?

    @Option(name: .long, help: "text (default) or json (an array, one object per institution).")
    var format: Format = .text

    @OptionGroup var asOf: AsOfOption

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text, json
    }

    func run() async throws {
        let registry = try DataFolder(path: common.data).openForCommand(logger: common.makeLogger())
        let ids = try institution.map { id in
            guard try registry.institution(id: id) != nil else {
                throw OperationalError(.notFound, LocalizedText(ja: "機関が登録されていません: \(id)", en: "Unknown institution: \(id)"))
            }
            return [id]
        } ?? registry.institutionIDs()
        let now = asOf.date
        var statuses: [InstitutionStatus] = []
        for id in ids { statuses.append(try await registry.status(institutionID: id, at: now)) }
        switch format {
        case .json:
            print(try JSONEncoder.reports(pretty: true).text(statuses))
        case .text:
            for status in statuses { print(Self.text(status)) }
        }
    }

    static func text(_ status: InstitutionStatus) -> String {
        func list<T>(_ items: [T], _ render: (T) -> String) -> String { items.isEmpty ? "-" : items.map(render).joined(separator: ", ") }
        var lines = ["\(status.institutionID)\t(\(JapanTime.format(status.asOf)) JST)"]
        lines.append("  30日以内に期限切れ / expiring within 30 days: " + list(status.expiringWithin30Days) { "\($0.domain.isEmpty ? "-" : $0.domain) \($0.count)" })
        lines.append("  週ごとの期限切れ / expiries per week: " + status.expiriesPerWeek.map { "\(JapanTime.day($0.weekStarting)) \($0.count)" }.joined(separator: ", "))
        lines.append("  未取得 / pending retrievals: " + list(status.pendingRetrievals) { "\($0.kind) \($0.count)" })
        lines.append("  失効予定 / scheduled revocations: \(status.scheduledRevocations.count)")
        for entry in status.scheduledRevocations { lines.append("    \(JapanTime.format(entry.at))\t\(entry.family)\t\(entry.serial)\t\(entry.subject)") }
        lines.append("  旧証明書の失効待ち / renewals awaiting revocation: \(status.renewalsAwaitingRevocation.count)")
        for entry in status.renewalsAwaitingRevocation {
            lines.append("    \(entry.renewedAt.map(JapanTime.format) ?? "-")\t\(entry.family)\t\(entry.replacedSerial) → \(entry.renewalSerial)\t\(entry.subject)")
        }
        return lines.joined(separator: "\n")
    }
}
