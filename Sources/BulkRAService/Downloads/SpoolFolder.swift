import BulkRAModel
import Foundation

/// XLS-13: a private folder (mode 0700, made by `mkdtemp`) for the spool file of a large workbook sheet, which holds
/// personal data while it is written; the download removes it with everything in it when done.
struct SpoolFolder {
    let path: String

    /// A new folder under the system's temporary folder.
    init() throws {
        var template = Array((FileManager.default.temporaryDirectory.path + "/bulkra-spool-XXXXXX").utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw OperationalError(.io, LocalizedText(ja: "一時フォルダを作成できません（errno \(errno)）",
                                                      en: "Cannot create a temporary folder (errno \(errno))"))
        }
        path = String(cString: made)
    }

    /// The path of `name` in the folder.
    func file(_ name: String) -> String { path + "/" + name }

    /// Removes the folder and what is in it.
    func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }
}
