/// XLS-02: how much of a workbook is read before it is refused as hostile: entries of the ZIP container, bytes of one
/// part once inflated, the ratio of inflated to stored bytes, and columns of one row.
public struct WorkbookLimits: Sendable, Hashable {
    /// The most ZIP entries (a workbook written by Excel or LibreOffice has a few dozen).
    public var entries: Int
    /// The most bytes one part may inflate to.
    public var partBytes: Int
    /// The largest inflated-to-stored ratio of a part bigger than `ratioFloor` (XML of real sheets stays under 100).
    public var compressionRatio: Int
    /// Parts smaller than this are not held to the ratio.
    public var ratioFloor: Int
    /// The most columns one row may reach (the widest upload kind has 46).
    public var columns: Int

    /// XLS-02: the limits of uploads (100,000 server lines with their CSRs fit well within them).
    public static let uploads = WorkbookLimits(entries: 1_000, partBytes: 1 << 30, compressionRatio: 200, ratioFloor: 1 << 20, columns: 1_024)

    /// Creates limits.
    public init(entries: Int, partBytes: Int, compressionRatio: Int, ratioFloor: Int, columns: Int) {
        self.entries = entries
        self.partBytes = partBytes
        self.compressionRatio = compressionRatio
        self.ratioFloor = ratioFloor
        self.columns = columns
    }
}
