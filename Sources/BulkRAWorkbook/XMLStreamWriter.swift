import CLibXML2
import Foundation

/// XLS-10: libxml2's streaming writer (`xmlTextWriter`), into memory or into a spool file: elements, attributes and
/// escaped text, one call each.
final class XMLStreamWriter {
    private let buffer: xmlBufferPtr?
    private var writer: xmlTextWriterPtr?
    private var descriptor: Int32 = -1
    /// The spool file this writer created (never one that was there before it).
    private var created: String?
    private var closed = false
    /// Whether a call of libxml2 failed (a spool file that could not be written: disk full, folder gone).
    private(set) var failed = false

    /// A document held in memory (small parts).
    init() {
        let buffer = xmlBufferCreate()
        self.buffer = buffer
        writer = xmlNewTextWriterMemory(buffer, 0)
        start()
    }

    /// XLS-13: a document written to a new file at `path` (mode 0600; an existing file or link there is refused) as it
    /// is produced, never held whole (a large sheet).
    init(path: String) {
        buffer = nil
        descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        if descriptor >= 0 { created = path }
        if descriptor >= 0, let output = xmlOutputBufferCreateFd(descriptor, nil) {
            writer = xmlNewTextWriter(output)
        }
        failed = writer == nil
        start()
    }

    deinit {
        if let writer { xmlFreeTextWriter(writer) }
        if let buffer { xmlBufferFree(buffer) }
        if descriptor >= 0 { Foundation.close(descriptor) }
    }

    private func start() {
        guard let writer else { return }
        check(xmlTextWriterStartDocument(writer, "1.0", "UTF-8", "yes"))
    }

    private func check(_ status: Int32) {
        if status < 0 { failed = true }
    }

    func start(_ name: String) {
        guard let writer else { return }
        Self.with(name) { check(xmlTextWriterStartElement(writer, $0)) }
    }

    func attribute(_ name: String, _ value: String) {
        guard let writer else { return }
        Self.with(name) { name in
            Self.with(value) { check(xmlTextWriterWriteAttribute(writer, name, $0)) }
        }
    }

    /// Text, escaped by libxml2; characters XML 1.0 cannot hold (controls other than tab and line ends) become U+FFFD.
    func text(_ value: String) {
        guard let writer else { return }
        let clean = value.unicodeScalars.contains { $0.value < 0x20 && $0 != "\t" && $0 != "\n" && $0 != "\r" || $0.value == 0xFFFE || $0.value == 0xFFFF }
            ? String(String.UnicodeScalarView(value.unicodeScalars.map { $0.value < 0x20 && $0 != "\t" && $0 != "\n" && $0 != "\r" || $0.value >= 0xFFFE ? "\u{FFFD}" : $0 }))
            : value
        Self.with(clean) { check(xmlTextWriterWriteString(writer, $0)) }
    }

    func end() {
        guard let writer else { return }
        check(xmlTextWriterEndElement(writer))
    }

    /// An element with attributes and no content.
    func empty(_ name: String, _ attributes: KeyValuePairs<String, String> = [:]) {
        start(name)
        for (key, value) in attributes { attribute(key, value) }
        end()
    }

    /// The in-memory document's bytes.
    func finish() -> [UInt8] {
        withFinished { Array($0) }
    }

    /// Ends the in-memory document and lends its bytes to `body` where libxml2 holds them.
    func withFinished<T>(_ body: (UnsafeBufferPointer<UInt8>) throws -> T) rethrows -> T {
        close()
        guard let buffer else { return try body(UnsafeBufferPointer(start: nil, count: 0)) }
        return try body(UnsafeBufferPointer(start: xmlBufferContent(buffer), count: Int(xmlBufferLength(buffer))))
    }

    /// Ends the document (once) and, for a spool file, flushes and closes it; false when anything could not be written.
    @discardableResult
    func close() -> Bool {
        guard let writer, !closed else { return !failed }
        closed = true
        check(xmlTextWriterEndDocument(writer))
        check(xmlTextWriterFlush(writer))
        if buffer == nil {
            // Freeing the writer flushes its output buffer; the descriptor is ours to close.
            xmlFreeTextWriter(writer)
            self.writer = nil
            if Foundation.close(descriptor) != 0 { failed = true }
            descriptor = -1
        }
        return !failed
    }

    /// XLS-13: removes the spool file this writer created, if any.
    func removeFile() {
        if let created { unlink(created) }
        created = nil
    }

    private static func with(_ text: String, _ body: (UnsafePointer<UInt8>) -> Void) {
        text.withCString { pointer in pointer.withMemoryRebound(to: UInt8.self, capacity: text.utf8.count + 1) { body($0) } }
    }
}
