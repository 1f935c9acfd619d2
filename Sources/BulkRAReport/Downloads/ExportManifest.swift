/// The nightly export's `manifest.tsv`: every file with its row count, size and SHA-256, and the previous
/// night's manifest hash, so that an institution can prove a night complete and the nights unbroken (NIGHT-04).
public struct ExportManifest: Sendable {
    /// One exported file.
    public struct Entry: Sendable, Hashable {
        /// The path inside the night's folder.
        public let path: String
        /// Data rows (header excluded; 0 for binary files).
        public let rows: Int
        /// Size in bytes.
        public let bytes: Int
        /// SHA-256, lower-case hex.
        public let sha256: String

        /// Creates an entry.
        public init(path: String, rows: Int, bytes: Int, sha256: String) {
            self.path = path
            self.rows = rows
            self.bytes = bytes
            self.sha256 = sha256
        }
    }

    /// The export date (`yyyy-MM-dd`).
    public let date: String
    /// SHA-256 of the previous night's manifest.tsv; nil for the first night.
    public let previousManifestSHA256: String?
    /// The files.
    public let entries: [Entry]

    /// Creates a manifest.
    public init(date: String, previousManifestSHA256: String?, entries: [Entry]) {
        self.date = date
        self.previousManifestSHA256 = previousManifestSHA256
        self.entries = entries
    }

    /// UTF-8, LF: two `#` lines (date, previous manifest hash or `none`), the header `file rows bytes sha256`,
    /// then one line per file sorted by path.
    public func renderTSV() -> String {
        var text = "# bulkra nightly export\t\(date)\n# previous manifest sha256\t\(previousManifestSHA256 ?? "none")\nfile\trows\tbytes\tsha256\n"
        for entry in entries.sorted(by: { $0.path < $1.path }) {
            text += "\(entry.path)\t\(entry.rows)\t\(entry.bytes)\t\(entry.sha256)\n"
        }
        return text
    }
}
