import BulkRAModel
import BulkRAReport
import HTTPTypes
import Hummingbird

/// Adds the desk's security headers to every response (DESK-30, DESK-34): a strict Content-Security-Policy
/// (no inline script or style, nothing from elsewhere), no framing, no referrer (one-time tokens live in
/// URLs), HSTS, and `no-store` on everything but the static assets. Errors become bilingual pages.
struct SecurityHeaders: RouterMiddleware {
    typealias Context = DeskContext

    static let policy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; form-action 'self'; "
        + "frame-ancestors 'none'; base-uri 'none'; connect-src 'self'"

    func handle(_ request: Request, context: DeskContext, next: (Request, DeskContext) async throws -> Response) async throws -> Response {
        var response: Response
        do {
            response = try await next(request, context)
        } catch let error as HTTPResponseError {
            let language = DeskLanguage(query: request.uri.queryParameters.get("lang"))
            let status = error.status
            let text = status == .notFound
                ? LocalizedText(ja: "ページが見つかりません。", en: "Page not found.")
                : status == .contentTooLarge
                ? LocalizedText(ja: "送信されたデータが大きすぎます。", en: "The request is too large.")
                : LocalizedText(ja: "要求を処理できません（\(status.code)）。", en: "The request cannot be processed (\(status.code)).")
            if request.uri.path.hasPrefix("/api/") {
                response = Response(status: status, headers: [.contentType: "application/json; charset=utf-8"], body: .init(byteBuffer: .init(
                    string: Desk.errorBody(String(status.code), text))))
            } else {
                let page = DeskPage.message(language, title: LocalizedText(ja: "エラー", en: "Error"), message: text, path: "/")
                response = Response(status: status, headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: .init(string: page.render().markup)))
            }
        }
        response.headers[.contentSecurityPolicy] = Self.policy
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[.xFrameOptions] = "DENY"
        response.headers[.referrerPolicy] = "no-referrer"
        response.headers[.strictTransportSecurity] = "max-age=31536000"
        response.headers[.crossOriginOpenerPolicy] = "same-origin"
        if !request.uri.path.hasPrefix("/static/") {
            response.headers[.cacheControl] = "no-store"
        }
        return response
    }
}
