import BulkRAModel
import Foundation

/// The desk's settings from `DATA/desk.json` (optional; DESK-03): the time-stamp service URL shown to
/// officers and the upload size limit.
struct DeskSettings: Codable, Sendable {
    /// The time-stamp service (RFC 3161) URL the manual's screen shows.
    var timestampURL: String = "http://timestamp.bulkra.example.ac.jp/tsa"
    /// The largest upload accepted, in MiB (DESK-32).
    var maximumUploadMiB: Int = 32

    var maximumUploadBytes: Int { maximumUploadMiB << 20 }

    init() {}

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        timestampURL = try container.decodeIfPresent(String.self, forKey: .timestampURL) ?? timestampURL
        maximumUploadMiB = try container.decodeIfPresent(Int.self, forKey: .maximumUploadMiB) ?? maximumUploadMiB
    }

    static func load(data: String) throws -> DeskSettings {
        guard let bytes = FileManager.default.contents(atPath: data + "/desk.json") else { return DeskSettings() }
        do {
            return try JSONDecoder().decode(DeskSettings.self, from: bytes)
        } catch {
            throw OperationalError(.invalidRequest, LocalizedText(ja: "desk.json を読めません: \(error)", en: "Cannot read desk.json: \(error)"))
        }
    }
}
