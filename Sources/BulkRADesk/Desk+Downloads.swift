import BulkRAModel
import BulkRARegistry
import BulkRAReport
import BulkRAService
import Foundation
import Hummingbird

extension Desk {
    /// Manual 3-3 downloads (DESK-13): certificate information (46 columns), user-administrators,
    /// statistics and the allow-list of the officer's institution — the same bytes as `bulkra download`; `format=xlsx`
    /// gives each as an Excel workbook (XLS-10).
    func download(_ request: Request, _ context: DeskContext) async throws -> Response {
        let api = request.uri.path.hasPrefix("/api/")
        return try await gate(request, context, api: api) { officer, language in
            let query = request.uri.queryParameters
            let encoding: DownloadEncoding = query.get("encoding") == "utf-8" ? .utf8 : .cp932
            let family = query.get("family").flatMap(DownloadFamily.init(rawValue:)) ?? .all
            let certificates = CertificateQuery(institutionID: officer.institutionID, families: family.families)
            let stamp = JapanTime.fileStamp(now)
            let wanted: InstitutionDownloads.File
            let name: String
            switch context.parameters.get("name") ?? "" {
            case "certificates":
                wanted = .certificates(certificates)
                name = "certificates-\(family.rawValue)-\(stamp).tsv"
            case "administrators":
                wanted = .administrators(certificates)
                name = "administrators-\(stamp).tsv"
            case "allowlist":
                wanted = .allowList
                name = "allowlist-\(stamp).tsv"
            case "statistics":
                wanted = .statistics(.domain, asOf: now, format: .tsv)
                name = "statistics-\(stamp).tsv"
            case "renewals":
                // LIFE-04: one family's renewal worksheet for what ends in the widest notice window (default 30 days).
                guard let chosen = family.families.first, family != .all else { return notFound(language, officer: officer, api: api) }
                let days = (try? MailSettings.load(data: data).noticeDays.first) ?? nil
                wanted = .renewals(chosen, asOf: now, days: days ?? 30)
                name = "renewals-\(family.rawValue)-\(stamp).tsv"
            default:
                return notFound(language, officer: officer, api: api)
            }
            let downloads = try InstitutionDownloads(registry: registry, institutionID: officer.institutionID)
            if query.get("format") == "xlsx" {
                // XLS-10: the same rows as an Excel workbook.
                return file(try downloads.workbook(wanted).bytes, type: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                            name: "\(officer.institutionID)-\(name.dropLast(4)).xlsx")
            }
            let bytes = try downloads.bytes(wanted, encoding: encoding).bytes
            let type = "text/tab-separated-values; charset=\(encoding == .utf8 ? "utf-8" : "Shift_JIS")"
            return file(bytes, type: type, name: "\(officer.institutionID)-\(name)")
        }
    }

    /// XLS-12: the Excel template of one upload screen and operation, as `bulkra template` writes it.
    func template(_ request: Request, _ context: DeskContext) async throws -> Response {
        try await gate(request, context, api: false) { officer, language in
            guard let family = context.parameters.get("family").flatMap(Family.init(rawValue:)),
                  let operation = request.uri.queryParameters.get("operation").flatMap(UploadOperation.init(rawValue:)),
                  UploadOperation.allowed(for: family.kind).contains(operation) else {
                return notFound(language, officer: officer, api: false)
            }
            return file(try UploadTemplate.workbook(kind: family.kind, operation: operation),
                        type: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                        name: "template-\(family.rawValue)-\(operation.rawValue).xlsx")
        }
    }
}
