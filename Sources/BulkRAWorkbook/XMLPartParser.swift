import Foundation
import CLibXML2

/// What one XML part says, element by element, as libxml2's push parser reads it.
protocol XMLPartHandler: AnyObject {
    /// An element begins: its local name (namespace prefixes dropped) and its attributes by local name.
    func start(_ name: String, _ attributes: [String: String]) throws(WorkbookProblem)
    /// An element ends.
    func end(_ name: String) throws(WorkbookProblem)
    /// Character data inside the current element (entities of XML itself already replaced).
    func characters(_ bytes: UnsafeBufferPointer<UInt8>)
}

/// XLS-03: one part of a workbook fed to libxml2's push (SAX2) parser chunk by chunk as it is inflated, so a part is
/// never held whole. No network (`XML_PARSE_NONET`), no entity substitution, no DTD loading; a document type
/// declaration stops the parse (`documentType`), and with it every external or expanding entity.
final class XMLPartParser {
    let part: String
    private let handler: any XMLPartHandler
    private var context: xmlParserCtxtPtr?
    private var failure: WorkbookProblem?

    init(part: String, handler: any XMLPartHandler) {
        self.part = part
        self.handler = handler
    }

    deinit {
        if let context { xmlFreeParserCtxt(context) }
    }

    /// Parses the next chunk of the part.
    func feed(_ bytes: UnsafeRawBufferPointer) throws(WorkbookProblem) {
        try parse(bytes.baseAddress?.assumingMemoryBound(to: CChar.self), Int32(bytes.count), terminate: false)
    }

    /// Ends the part: what is still open is malformed.
    func finish() throws(WorkbookProblem) {
        try parse(nil, 0, terminate: true)
    }

    private func parse(_ chunk: UnsafePointer<CChar>?, _ count: Int32, terminate: Bool) throws(WorkbookProblem) {
        if let failure { throw failure }
        let context = try started()
        let status = xmlParseChunk(context, chunk, count, terminate ? 1 : 0)
        if let failure { throw failure }
        guard status == 0 else {
            let error = xmlCtxtGetLastError(context)
            let message = error?.pointee.message.map { String(cString: $0) } ?? "error \(status)"
            throw WorkbookProblem.malformedXML(part: part, line: Int(error?.pointee.line ?? 0),
                                               message: message.trimmingCharacters(in: .whitespacesAndNewlines))
        }
    }

    private func started() throws(WorkbookProblem) -> xmlParserCtxtPtr {
        if let context { return context }
        var sax = xmlSAXHandler()
        sax.initialized = XML_SAX2_MAGIC
        sax.startElementNs = { user, name, _, _, _, _, count, _, attributes in
            let parser = XMLPartParser.from(user)
            guard parser.failure == nil, let name else { return }
            var named: [String: String] = [:]
            if let attributes {
                for index in 0..<Int(count) {
                    guard let key = attributes[index * 5], let start = attributes[index * 5 + 3], let end = attributes[index * 5 + 4] else { continue }
                    let value = UnsafeBufferPointer(start: start, count: end - start)
                    named[String(cString: key)] = String(decoding: value, as: UTF8.self)
                }
            }
            do throws(WorkbookProblem) { try parser.handler.start(String(cString: name), named) } catch { parser.stop(error) }
        }
        sax.endElementNs = { user, name, _, _ in
            let parser = XMLPartParser.from(user)
            guard parser.failure == nil, let name else { return }
            do throws(WorkbookProblem) { try parser.handler.end(String(cString: name)) } catch { parser.stop(error) }
        }
        sax.characters = { user, bytes, count in
            let parser = XMLPartParser.from(user)
            guard parser.failure == nil, let bytes else { return }
            parser.handler.characters(UnsafeBufferPointer(start: bytes, count: Int(count)))
        }
        sax.internalSubset = { user, _, _, _ in
            let parser = XMLPartParser.from(user)
            parser.stop(.documentType(part: parser.part))
        }
        // Errors are read from the context after each chunk; nothing is printed.
        sax.serror = { _, _ in }
        let user = Unmanaged.passUnretained(self).toOpaque()
        guard let context = xmlCreatePushParserCtxt(&sax, user, nil, 0, part) else {
            throw WorkbookProblem.malformedXML(part: part, line: 0, message: "libxml2 could not start a parser")
        }
        xmlCtxtUseOptions(context, Int32(XML_PARSE_NONET.rawValue) | Int32(XML_PARSE_NOCDATA.rawValue))
        self.context = context
        return context
    }

    private func stop(_ problem: WorkbookProblem) {
        guard failure == nil else { return }
        failure = problem
        if let context { xmlStopParser(context) }
    }

    private static func from(_ user: UnsafeMutableRawPointer?) -> XMLPartParser {
        Unmanaged<XMLPartParser>.fromOpaque(user!).takeUnretainedValue()
    }
}
