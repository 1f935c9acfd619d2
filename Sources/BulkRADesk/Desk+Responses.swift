import BulkRAModel
import BulkRAReport
import BulkRAService
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

extension Desk {
    /// An HTML page.
    func html(_ page: DeskPage, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "text/html; charset=utf-8"],
                 body: ResponseBody(byteBuffer: ByteBuffer(string: page.render().markup)))
    }

    /// A JSON body (already rendered).
    func json(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json; charset=utf-8"],
                 body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    /// A JSON error in both languages: `{"error": code, "message": ja, "messageEn": en}`.
    func jsonError(_ code: String, _ message: LocalizedText, status: HTTPResponse.Status) -> Response {
        json(Self.errorBody(code, message), status: status)
    }

    /// The JSON error body of every `/api/` refusal.
    static func errorBody(_ code: String, _ message: LocalizedText) -> String {
        JSONWriter.object([("error", JSONWriter.quoted(code)), ("message", JSONWriter.quoted(message.ja)),
                           ("messageEn", JSONWriter.quoted(message.en))]) + "\n"
    }

    /// A file download (DESK-34: never cached; the name in RFC 6266 form for non-ASCII names).
    func file(_ bytes: [UInt8], type: String, name: String) -> Response {
        let ascii = String(name.unicodeScalars.map { $0.isASCII && $0 != "\"" && $0 != "\\" ? Character($0) : "_" })
        let encoded = name.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? ascii
        return Response(status: .ok, headers: [.contentType: type, .contentDisposition: "attachment; filename=\"\(ascii)\"; filename*=UTF-8''\(encoded)"],
                        body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    /// A redirect after a form (303 See Other).
    func redirect(_ location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location])
    }
}

extension HTTPField.Name {
    static let contentSecurityPolicy = HTTPField.Name("Content-Security-Policy")!
    static let xContentTypeOptions = HTTPField.Name("X-Content-Type-Options")!
    static let xFrameOptions = HTTPField.Name("X-Frame-Options")!
    static let referrerPolicy = HTTPField.Name("Referrer-Policy")!
    static let strictTransportSecurity = HTTPField.Name("Strict-Transport-Security")!
    static let crossOriginOpenerPolicy = HTTPField.Name("Cross-Origin-Opener-Policy")!
    static let apiMarker = HTTPField.Name("X-BulkRA-API")!
    static let origin = HTTPField.Name("Origin")!
    static let secFetchSite = HTTPField.Name("Sec-Fetch-Site")!
}
