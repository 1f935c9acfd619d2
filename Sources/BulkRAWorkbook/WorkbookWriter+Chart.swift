extension WorkbookWriter {
    static let drawingNamespace = "http://schemas.openxmlformats.org/drawingml/2006/main"
    static let chartNamespace = "http://schemas.openxmlformats.org/drawingml/2006/chart"

    /// The sheet's name as the workbook gives it (Excel allows 31 characters).
    var shownSheetName: String { String(sheetName.prefix(31)) }

    /// XLS-14: `'sheet'!$A$2:$A$9`, the quoted sheet name with its quotes doubled.
    func reference(columns: ClosedRange<Int>, rows: ClosedRange<Int>) -> String {
        let sheet = "'" + shownSheetName.replacingOccurrences(of: "'", with: "''") + "'!"
        let first = "$\(Self.column(columns.lowerBound))$\(rows.lowerBound)"
        let last = "$\(Self.column(columns.upperBound))$\(rows.upperBound)"
        return sheet + (first == last ? first : first + ":" + last)
    }

    /// XLS-14: the drawing that places the chart to the right of the table, tall enough for its categories.
    func drawingPart(_ chart: Chart) -> [UInt8] {
        let part = XMLStreamWriter()
        part.start("xdr:wsDr")
        part.attribute("xmlns:xdr", "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing")
        part.attribute("xmlns:a", Self.drawingNamespace)
        part.start("xdr:twoCellAnchor")
        let left = widestColumn + 1, height = max(18, chart.rows.count * 2 + 8)
        for (name, column, row) in [("xdr:from", left, 1), ("xdr:to", left + 10, 1 + height)] {
            part.start(name)
            for (element, value) in [("xdr:col", column), ("xdr:colOff", 0), ("xdr:row", row), ("xdr:rowOff", 0)] {
                part.start(element)
                part.text("\(value)")
                part.end()
            }
            part.end()
        }
        part.start("xdr:graphicFrame")
        part.attribute("macro", "")
        part.start("xdr:nvGraphicFramePr")
        part.empty("xdr:cNvPr", ["id": "2", "name": chart.title])
        part.empty("xdr:cNvGraphicFramePr")
        part.end()
        part.start("xdr:xfrm")
        part.empty("a:off", ["x": "0", "y": "0"])
        part.empty("a:ext", ["cx": "0", "cy": "0"])
        part.end()
        part.start("a:graphic")
        part.start("a:graphicData")
        part.attribute("uri", Self.chartNamespace)
        part.empty("c:chart", ["xmlns:c": Self.chartNamespace, "xmlns:r": Self.relationshipsNamespace, "r:id": "rId1"])
        part.end()
        part.end()
        part.end()
        part.empty("xdr:clientData")
        part.end()
        part.end()
        return part.finish()
    }

    /// XLS-14: the chart part: horizontal clustered bars, categories top to bottom in the table's order, each series
    /// referring to its cells and caching their values, a legend below and the value axis counting whole certificates.
    func chartPart(_ chart: Chart) -> [UInt8] {
        let part = XMLStreamWriter()
        func value(_ element: String, _ value: String) { part.empty(element, ["val": value]) }
        func point(_ index: Int, _ text: String) {
            part.start("c:pt")
            part.attribute("idx", "\(index)")
            part.start("c:v")
            part.text(text)
            part.end()
            part.end()
        }
        let rows = Array(chart.rows)
        part.start("c:chartSpace")
        part.attribute("xmlns:c", Self.chartNamespace)
        part.attribute("xmlns:a", Self.drawingNamespace)
        part.attribute("xmlns:r", Self.relationshipsNamespace)
        value("c:roundedCorners", "0")
        part.start("c:chart")
        part.start("c:title")
        part.start("c:tx")
        part.start("c:rich")
        part.empty("a:bodyPr")
        part.start("a:p")
        part.start("a:r")
        part.start("a:t")
        part.text(chart.title)
        part.end()
        part.end()
        part.end()
        part.end()
        part.end()
        value("c:overlay", "0")
        part.end()
        value("c:autoTitleDeleted", "0")
        part.start("c:plotArea")
        part.empty("c:layout")
        part.start("c:barChart")
        value("c:barDir", "bar")
        value("c:grouping", "clustered")
        value("c:varyColors", "0")
        let colours = ["1565C0", "2E7D32", "C62828", "9E9E9E", "EF6C00"]
        for (index, column) in chart.valueColumns.enumerated() {
            part.start("c:ser")
            value("c:idx", "\(index)")
            value("c:order", "\(index)")
            part.start("c:tx")
            part.start("c:strRef")
            part.start("c:f")
            part.text(reference(columns: column...column, rows: 1...1))
            part.end()
            part.start("c:strCache")
            value("c:ptCount", "1")
            point(0, column < header.count ? header[column] : "")
            part.end()
            part.end()
            part.end()
            part.start("c:spPr")
            part.start("a:solidFill")
            part.empty("a:srgbClr", ["val": colours[index % colours.count]])
            part.end()
            part.end()
            value("c:invertIfNegative", "0")
            categories(chart, rows: rows, part: part, value: value, point: point)
            part.start("c:val")
            part.start("c:numRef")
            part.start("c:f")
            part.text(reference(columns: column...column, rows: chart.rows))
            part.end()
            part.start("c:numCache")
            part.start("c:formatCode")
            part.text("General")
            part.end()
            value("c:ptCount", "\(rows.count)")
            for (offset, row) in rows.enumerated() {
                if let figure = chartCells[row]?[column], Int(figure) != nil { point(offset, figure) }
            }
            part.end()
            part.end()
            part.end()
            part.end()
        }
        value("c:gapWidth", "60")
        value("c:axId", "1001")
        value("c:axId", "1002")
        part.end()  // barChart
        part.start("c:catAx")
        value("c:axId", "1001")
        part.start("c:scaling")
        value("c:orientation", "maxMin")
        part.end()
        value("c:delete", "0")
        value("c:axPos", "l")
        part.empty("c:numFmt", ["formatCode": "General", "sourceLinked": "0"])
        value("c:tickLblPos", "nextTo")
        value("c:crossAx", "1002")
        value("c:crosses", "autoZero")
        value("c:auto", "1")
        value("c:lblAlgn", "ctr")
        value("c:lblOffset", "100")
        value("c:noMultiLvlLbl", "0")
        part.end()
        part.start("c:valAx")
        value("c:axId", "1002")
        part.start("c:scaling")
        value("c:orientation", "minMax")
        part.end()
        value("c:delete", "0")
        value("c:axPos", "b")
        part.empty("c:majorGridlines")
        part.empty("c:numFmt", ["formatCode": "0", "sourceLinked": "0"])
        value("c:tickLblPos", "nextTo")
        value("c:crossAx", "1001")
        value("c:crosses", "max")
        value("c:crossBetween", "between")
        part.end()
        part.end()  // plotArea
        part.start("c:legend")
        value("c:legendPos", "b")
        value("c:overlay", "0")
        part.end()
        value("c:plotVisOnly", "1")
        value("c:dispBlanksAs", "gap")
        part.end()  // chart
        part.end()  // chartSpace
        return part.finish()
    }

    /// XLS-14: a series' categories: one column as strings, two as two levels (the inner level, the second column, first).
    private func categories(_ chart: Chart, rows: [Int], part: XMLStreamWriter, value: (String, String) -> Void, point: (Int, String) -> Void) {
        guard let first = chart.categoryColumns.first, let last = chart.categoryColumns.last else { return }
        let multiLevel = chart.categoryColumns.count > 1
        part.start("c:cat")
        part.start(multiLevel ? "c:multiLvlStrRef" : "c:strRef")
        part.start("c:f")
        part.text(reference(columns: first...last, rows: chart.rows))
        part.end()
        part.start(multiLevel ? "c:multiLvlStrCache" : "c:strCache")
        value("c:ptCount", "\(rows.count)")
        for column in multiLevel ? chart.categoryColumns.reversed() : [first] {
            if multiLevel { part.start("c:lvl") }
            for (offset, row) in rows.enumerated() {
                if let text = chartCells[row]?[column], !text.isEmpty { point(offset, text) }
            }
            if multiLevel { part.end() }
        }
        part.end()
        part.end()
        part.end()
    }
}
