import BulkRAModel
import Foundation
import ZIPFoundation

/// A ZIP archive made in memory through ZIPFoundation with stored (uncompressed) entries: PIN files, bulk PKCS#12 ZIPs,
/// a batch's certificates (DLV-03, DLV-04, Specs/delivery.md).
///
/// PKCS#12 bundles are encrypted and do not compress, so entries are stored; names are flagged UTF-8, files are
/// rw------- . Timestamps come from the injected clock shown in JST (a ZIP time has no zone: the JST wall-clock time is
/// written), so the same input gives the same bytes.
public struct ZIPArchive: Sendable {
    private var entries: [(name: String, bytes: [UInt8])] = []
    private let modified: Date

    /// Creates an empty archive whose entries carry `modified` (shown in JST).
    public init(modified: Date) {
        // ZIPFoundation writes the UTC fields of the date it is given; JST is UTC+9 all year.
        self.modified = modified.addingTimeInterval(9 * 3_600)
    }

    /// Adds a file; names use `/` and never start with it.
    public mutating func add(_ name: String, _ bytes: [UInt8]) {
        entries.append((name, bytes))
    }

    /// DLV-04: the archive's bytes.
    public func render() throws -> [UInt8] {
        do {
            let archive = try Archive(data: Data(), accessMode: .create)
            for entry in entries {
                let data = Data(entry.bytes)
                try archive.addEntry(with: entry.name, type: .file, uncompressedSize: Int64(data.count), modificationDate: modified,
                                     permissions: 0o600, compressionMethod: .none) { position, size in
                    data.subdata(in: Int(position)..<Int(position) + size)
                }
            }
            guard let data = archive.data else { throw CocoaError(.fileWriteUnknown) }
            return Array(data)
        } catch {
            throw OperationalError(.io, LocalizedText(ja: "ZIPを作成できません（\(error)）", en: "Cannot make the ZIP archive (\(error))"))
        }
    }
}
