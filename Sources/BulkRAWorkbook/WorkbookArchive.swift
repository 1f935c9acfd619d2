import Foundation
import ZIPFoundation

/// XLS-01, XLS-02: the ZIP container of a workbook, held in memory as uploaded, its parts inflated chunk by chunk under
/// the limits: too many entries, a part inflating beyond its byte limit or beyond the compression-ratio limit stop the
/// read with a coded problem before the bytes pile up.
struct WorkbookArchive {
    let archive: Archive
    let limits: WorkbookLimits

    init(_ bytes: [UInt8], limits: WorkbookLimits) throws(WorkbookProblem) {
        guard bytes.starts(with: [0x50, 0x4B, 0x03, 0x04]) else { throw .notWorkbook("the file is not a ZIP container") }
        do {
            archive = try Archive(data: Data(bytes), accessMode: .read)
        } catch {
            throw .notWorkbook("the ZIP container cannot be read")
        }
        self.limits = limits
        var count = 0
        for _ in archive {
            count += 1
            if count > limits.entries { throw .tooManyEntries(count) }
        }
    }

    /// Whether the container has `path`.
    func has(_ path: String) -> Bool { archive[path] != nil }

    /// Inflates `path` chunk by chunk into `body`.
    func stream(_ path: String, _ body: (UnsafeRawBufferPointer) throws(WorkbookProblem) -> Void) throws(WorkbookProblem) {
        guard let entry = archive[path], entry.type == .file else { throw .missingPart(path) }
        let stored = max(Int(clamping: entry.compressedSize), 1)
        let cap = { (bytes: Int) -> Bool in
            bytes > limits.partBytes || (bytes > limits.ratioFloor && bytes / stored > limits.compressionRatio)
        }
        if cap(Int(clamping: entry.uncompressedSize)) { throw .partTooLarge(part: path, bytes: Int(clamping: entry.uncompressedSize)) }
        var inflated = 0
        do {
            _ = try archive.extract(entry, bufferSize: 64 << 10, skipCRC32: false) { data in
                inflated += data.count
                // The sizes in the container may lie: the bytes actually inflated are held to the limits too.
                if cap(inflated) { throw WorkbookProblem.partTooLarge(part: path, bytes: inflated) }
                try data.withUnsafeBytes { buffer in try body(buffer) }
            }
        } catch let problem as WorkbookProblem {
            throw problem
        } catch {
            throw .notWorkbook("the part \(path) cannot be inflated (\(error))")
        }
    }
}
