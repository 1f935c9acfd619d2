import Foundation

/// A result (fresh or stored) read back from its JSON for the result page (DESK-22): every line with
/// SEQ, OK/NG and the `code:line,field,message` texts, the serials and where each certificate is.
struct ResultView {
    struct Line {
        let line: Int
        let accepted: Bool
        let texts: [String]
        let textsEnglish: [String]
        let serial: String?
        let path: String?
    }

    let fileName: String
    let encoding: String?
    let fileErrors: [(String, String)]
    let lines: [Line]
    let status: String
    let applied: Bool?
    let accepted: Int
    let rejected: Int

    init?(json: String) {
        guard let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any] else { return nil }
        fileName = object["file"] as? String ?? ""
        encoding = object["encoding"] as? String
        fileErrors = (object["fileErrors"] as? [[String: Any]] ?? []).map { error in
            let code = (error["code"] as? Int).map(String.init) ?? ""
            return ("\(code):\(error["message"] as? String ?? "")", "\(code):\(error["messageEn"] as? String ?? "")")
        }
        lines = (object["lines"] as? [[String: Any]] ?? []).map { line in
            let errors = line["errors"] as? [[String: Any]] ?? []
            return Line(line: line["line"] as? Int ?? 0, accepted: line["result"] as? String == "OK",
                        texts: errors.map { $0["text"] as? String ?? "" },
                        textsEnglish: errors.map { error in
                            let code = (error["code"] as? Int).map(String.init) ?? ""
                            let lineNumber = (error["line"] as? Int).map(String.init) ?? ""
                            return "\(code):\(lineNumber),\(error["fieldEn"] as? String ?? ""),\(error["messageEn"] as? String ?? "")"
                        },
                        serial: line["serial"] as? String, path: line["path"] as? String)
        }
        status = object["status"] as? String ?? ""
        applied = object["applied"] as? Bool
        let summary = object["summary"] as? [String: Any] ?? [:]
        accepted = summary["accepted"] as? Int ?? 0
        rejected = summary["rejected"] as? Int ?? 0
    }
}
