/// XLS-01: the relationship ID of the first `<sheet>` of `xl/workbook.xml`.
final class FirstSheetHandler: XMLPartHandler {
    var relationship: String?

    func start(_ name: String, _ attributes: [String: String]) {
        if name == "sheet", relationship == nil { relationship = attributes["id"] }
    }

    func end(_ name: String) {}
    func characters(_ bytes: UnsafeBufferPointer<UInt8>) {}
}

/// XLS-01: the target of one relationship of `xl/_rels/workbook.xml.rels`.
final class RelationshipHandler: XMLPartHandler {
    let id: String
    var target: String?

    init(id: String) { self.id = id }

    func start(_ name: String, _ attributes: [String: String]) {
        if name == "Relationship", attributes["Id"] == id { target = attributes["Target"] }
    }

    func end(_ name: String) {}
    func characters(_ bytes: UnsafeBufferPointer<UInt8>) {}
}

/// XLS-04: the shared-string table: each `<si>`'s text, its rich-text runs joined, its phonetic guides (`<rPh>`, the
/// furigana Japanese Excel adds) left out.
final class SharedStringsHandler: XMLPartHandler {
    var strings: [String] = []
    private var current: [UInt8] = []
    private var inText = false
    private var phonetic = 0

    func start(_ name: String, _ attributes: [String: String]) {
        switch name {
        case "si": current.removeAll(keepingCapacity: true)
        case "rPh": phonetic += 1
        case "t": inText = phonetic == 0
        default: break
        }
    }

    func end(_ name: String) {
        switch name {
        case "si": strings.append(String(decoding: current, as: UTF8.self))
        case "rPh": phonetic -= 1
        case "t": inText = false
        default: break
        }
    }

    func characters(_ bytes: UnsafeBufferPointer<UInt8>) {
        if inText { current.append(contentsOf: bytes) }
    }
}
