import CLibXML2

/// XLS-10: libxml2's streaming writer (`xmlTextWriter`) into memory: elements, attributes and escaped text, one call each.
final class XMLStreamWriter {
    private let buffer: xmlBufferPtr
    private let writer: xmlTextWriterPtr

    init() {
        buffer = xmlBufferCreate()
        writer = xmlNewTextWriterMemory(buffer, 0)
        xmlTextWriterStartDocument(writer, "1.0", "UTF-8", "yes")
    }

    deinit {
        xmlFreeTextWriter(writer)
        xmlBufferFree(buffer)
    }

    func start(_ name: String) {
        Self.with(name) { xmlTextWriterStartElement(writer, $0) }
    }

    func attribute(_ name: String, _ value: String) {
        Self.with(name) { name in
            var status: Int32 = 0
            Self.with(value) { status = xmlTextWriterWriteAttribute(writer, name, $0); return status }
            return status
        }
    }

    /// Text, escaped by libxml2; characters XML 1.0 cannot hold (controls other than tab and line ends) become U+FFFD.
    func text(_ value: String) {
        let clean = value.unicodeScalars.contains { $0.value < 0x20 && $0 != "\t" && $0 != "\n" && $0 != "\r" || $0.value == 0xFFFE || $0.value == 0xFFFF }
            ? String(String.UnicodeScalarView(value.unicodeScalars.map { $0.value < 0x20 && $0 != "\t" && $0 != "\n" && $0 != "\r" || $0.value >= 0xFFFE ? "\u{FFFD}" : $0 }))
            : value
        Self.with(clean) { xmlTextWriterWriteString(writer, $0) }
    }

    func end() {
        xmlTextWriterEndElement(writer)
    }

    /// An element with attributes and no content.
    func empty(_ name: String, _ attributes: KeyValuePairs<String, String> = [:]) {
        start(name)
        for (key, value) in attributes { attribute(key, value) }
        end()
    }

    /// The document's bytes.
    func finish() -> [UInt8] {
        withFinished { Array($0) }
    }

    /// Ends the document and lends its bytes to `body` where libxml2 holds them (no copy of a large sheet).
    func withFinished<T>(_ body: (UnsafeBufferPointer<UInt8>) throws -> T) rethrows -> T {
        xmlTextWriterEndDocument(writer)
        xmlTextWriterFlush(writer)
        let count = Int(xmlBufferLength(buffer))
        return try body(UnsafeBufferPointer(start: xmlBufferContent(buffer), count: count))
    }

    private static func with(_ text: String, _ body: (UnsafePointer<UInt8>) -> Int32) {
        _ = text.withCString { pointer in pointer.withMemoryRebound(to: UInt8.self, capacity: text.utf8.count + 1) { body($0) } }
    }
}
