import BulkRAReport
import Foundation

/// DESK-10: the API's answer to an upload, through Codable both ways: the batch number (null for a check or a file that
/// was refused), whether it repeats an earlier upload of the same bytes (RES-14), whether it only checked, and the result.
struct UploadReply: Codable, Sendable, Hashable {
    let batch: Int64?
    let repeated: Bool
    let checkOnly: Bool
    let result: ResultDocument

    enum CodingKeys: String, CodingKey {
        case batch
        case repeated
        case checkOnly
        case result
    }

    init(batch: Int64?, repeated: Bool, checkOnly: Bool, result: ResultDocument) {
        self.batch = batch
        self.repeated = repeated
        self.checkOnly = checkOnly
        self.result = result
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        batch = try container.decodeIfPresent(Int64.self, forKey: .batch)
        repeated = try container.decode(Bool.self, forKey: .repeated)
        checkOnly = try container.decode(Bool.self, forKey: .checkOnly)
        result = try container.decode(ResultDocument.self, forKey: .result)
    }

    /// DESK-10: `batch` is written as null when there is none (clients test for it).
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(batch, forKey: .batch)
        try container.encode(repeated, forKey: .repeated)
        try container.encode(checkOnly, forKey: .checkOnly)
        try container.encode(result, forKey: .result)
    }

    /// DESK-10: the reply as the API sends it (one JSON object and a newline).
    func rendered() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self) + "\n"
    }
}
