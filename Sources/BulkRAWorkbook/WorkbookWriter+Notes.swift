extension WorkbookWriter {
    /// XLS-12: the comments part: one note per header cell, by the one author "BulkRA".
    func commentsPart() -> [UInt8] {
        let part = XMLStreamWriter()
        part.start("comments")
        part.attribute("xmlns", Self.main)
        part.start("authors")
        part.start("author")
        part.text("BulkRA")
        part.end()
        part.end()
        part.start("commentList")
        for note in notes {
            part.start("comment")
            part.attribute("ref", "\(Self.column(note.column))1")
            part.attribute("authorId", "0")
            part.start("text")
            part.start("r")
            part.start("t")
            part.attribute("xml:space", "preserve")
            part.text(note.text)
            part.end()
            part.end()
            part.end()
            part.end()
        }
        part.end()
        part.end()
        return part.finish()
    }

    /// XLS-12: the legacy (VML) drawing Excel needs to show the notes: one hidden yellow box per note, anchored beside
    /// its header cell, sized to its lines.
    func vmlPart() -> [UInt8] {
        let part = XMLStreamWriter()
        part.start("xml")
        part.attribute("xmlns:v", "urn:schemas-microsoft-com:vml")
        part.attribute("xmlns:o", "urn:schemas-microsoft-com:office:office")
        part.attribute("xmlns:x", "urn:schemas-microsoft-com:office:excel")
        part.start("o:shapelayout")
        part.attribute("v:ext", "edit")
        part.empty("o:idmap", ["v:ext": "edit", "data": "1"])
        part.end()
        part.start("v:shapetype")
        for (key, value) in [("id", "_x0000_t202"), ("coordsize", "21600,21600"), ("o:spt", "202"), ("path", "m,l,21600r21600,l21600,xe")] {
            part.attribute(key, value)
        }
        part.empty("v:stroke", ["joinstyle": "miter"])
        part.empty("v:path", ["gradientshapeok": "t", "o:connecttype": "rect"])
        part.end()
        for (index, note) in notes.enumerated() {
            let lines = note.text.split(separator: "\n", omittingEmptySubsequences: false).count
            part.start("v:shape")
            for (key, value) in [("id", "_x0000_s\(1_025 + index)"), ("type", "#_x0000_t202"),
                                 ("style", "position:absolute;margin-left:80pt;margin-top:2pt;width:260pt;height:\(lines * 14 + 12)pt;z-index:\(index + 1);visibility:hidden"),
                                 ("fillcolor", "#ffffe1"), ("o:insetmode", "auto")] {
                part.attribute(key, value)
            }
            part.empty("v:fill", ["color2": "#ffffe1"])
            part.empty("v:shadow", ["on": "t", "color": "black", "obscured": "t"])
            part.empty("v:path", ["o:connecttype": "none"])
            part.start("v:textbox")
            part.attribute("style", "mso-direction-alt:auto")
            part.empty("div", ["style": "text-align:left"])
            part.end()
            part.start("x:ClientData")
            part.attribute("ObjectType", "Note")
            part.empty("x:MoveWithCells")
            part.empty("x:SizeWithCells")
            let rows = max(lines + 1, 3)
            for (name, value) in [("x:Anchor", "\(note.column + 1), 15, 0, 4, \(note.column + 5), 15, \(rows), 4"), ("x:AutoFill", "False"),
                                  ("x:Row", "0"), ("x:Column", "\(note.column)")] {
                part.start(name)
                part.text(value)
                part.end()
            }
            part.end()
            part.end()
        }
        part.end()
        return part.finish()
    }
}
