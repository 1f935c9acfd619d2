import BulkRAIssue
import BulkRAModel
import BulkRAService
import Crypto
import Foundation
import Hummingbird
import Logging

/// REP-01..REP-03, OCSP-05, OCSP-06: the CRL distribution points, AIA caIssuers and OCSP responder of the certificates,
/// served over plain HTTP (RFC 5280 §4.2.1.13, RFC 6960 Appendix A: relying parties reach them without TLS) beside the
/// desk, by the same `serve`.
public struct RepositoryServer: Sendable {
    let repository: RevocationRepository
    let responder: OCSPResponder?
    let host: String
    let port: Int
    let logger: Logger
    let clock: @Sendable () -> Date

    /// OCSP-05: the largest OCSP request body taken (a request for 16 certificates is well under 2 KiB).
    static let maximumRequestBytes = 16 * 1024

    /// REP-03: the repository of `dataFolder` on `host:port` (0 takes a free port), with its OCSP responder if given.
    public init(dataFolder: String, host: String, port: Int, responder: OCSPResponder? = nil, logger: Logger,
                clock: @escaping @Sendable () -> Date = { Date() }) {
        repository = RevocationRepository(dataFolder: dataFolder)
        self.responder = responder
        self.host = host
        self.port = port
        self.logger = logger
        self.clock = clock
    }

    /// REP-01, REP-02: the routes — GET and HEAD of `/crl/<role>.crl` and `/ca/<role>.cer`; anything else is 404.
    public func router() -> Router<BasicRequestContext> {
        let router = Router()
        let (repository, clock) = (repository, clock)
        let answer: @Sendable (Request, BasicRequestContext) async throws -> Response = { request, _ in
            guard let file = try repository.file(atPath: request.uri.path) else {
                return Response(status: .notFound, headers: [.contentType: "text/plain; charset=utf-8"],
                                body: ResponseBody(byteBuffer: ByteBuffer(string: "not found\n")))
            }
            return Self.response(file, now: clock(), head: request.method == .head)
        }
        for path in ["/crl/:name", "/ca/:name"] {
            router.get(RouterPath(path), use: answer)
            router.head(RouterPath(path), use: answer)
        }
        if let responder {
            // OCSP-05: POST of the DER request to /ocsp; GET of /ocsp/<URL-encoded base64 of it> (RFC 6960 Appendix A.1).
            let post: @Sendable (Request, BasicRequestContext) async throws -> Response = { request, _ in
                guard let body = try? await request.body.collect(upTo: Self.maximumRequestBytes) else {
                    return Response(status: .contentTooLarge, headers: [.contentType: "text/plain; charset=utf-8"],
                                    body: ResponseBody(byteBuffer: ByteBuffer(string: "OCSP request too large\n")))
                }
                let reply = await responder.respond(to: Array(buffer: body), now: clock())
                return Self.ocspResponse(reply, now: clock(), cacheable: false)
            }
            router.post("/ocsp", use: post)
            router.get("/ocsp/**") { request, _ -> Response in
                let encoded = String(request.uri.path.dropFirst("/ocsp/".count))
                guard encoded.utf8.count <= Self.maximumRequestBytes * 2, let der = Self.base64Request(encoded) else {
                    return Self.ocspResponse(OCSPResponder.Reply(unsuccessful: .malformedRequest), now: clock(), cacheable: false)
                }
                return Self.ocspResponse(await responder.respond(to: der, now: clock()), now: clock(), cacheable: true)
            }
        }
        return router
    }

    /// OCSP-05: the DER of a GET request's path: percent-decoded, then base64 (the URL-safe alphabet accepted too).
    static func base64Request(_ encoded: String) -> [UInt8]? {
        guard let decoded = encoded.removingPercentEncoding else { return nil }
        var text = String(decoded.map { $0 == "-" ? "+" : $0 == "_" ? "/" : $0 }.filter { $0 != "\n" && $0 != "\r" })
        while text.utf8.count % 4 != 0 { text += "=" }
        return Data(base64Encoded: text).map { Array($0) }
    }

    /// OCSP-06: `application/ocsp-response`; a GET answer for one certificate without a nonce may be cached until the
    /// responder would sign it again (RFC 5019 §6: max-age, Last-Modified = thisUpdate, Expires = nextUpdate, ETag).
    static func ocspResponse(_ reply: OCSPResponder.Reply, now: Date, cacheable: Bool) -> Response {
        var headers: HTTPFields = [.contentType: "application/ocsp-response", .contentLength: String(reply.der.count)]
        if cacheable, let validity = reply.validity {
            let age = max(0, Int(validity.thisUpdate.addingTimeInterval(OCSPResponder.refreshAge).timeIntervalSince(now).rounded(.down)))
            headers[.cacheControl] = "public, max-age=\(age), no-transform, must-revalidate"
            headers[.lastModified] = Self.httpDate(validity.thisUpdate)
            headers[.expires] = Self.httpDate(validity.nextUpdate)
            headers[.eTag] = "\"" + SHA256.hash(data: reply.der).prefix(16).map { String(format: "%02x", $0) }.joined() + "\""
        } else {
            headers[.cacheControl] = "no-cache"
        }
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: reply.der)))
    }

    /// REP-02: DER with its media type; a CRL may be cached until its nextUpdate, a CA certificate for a day.
    static func response(_ file: RevocationRepository.File, now: Date, head: Bool) -> Response {
        let lifetime = file.expires.map { max(0, Int($0.timeIntervalSince(now).rounded(.down))) } ?? 86_400
        var headers: HTTPFields = [.contentType: file.contentType, .cacheControl: "public, max-age=\(lifetime), no-transform",
                                   .lastModified: Self.httpDate(file.lastModified)]
        if let expires = file.expires { headers[.expires] = Self.httpDate(expires) }
        headers[.contentLength] = String(file.bytes.count)
        return Response(status: .ok, headers: headers, body: head ? ResponseBody() : ResponseBody(byteBuffer: ByteBuffer(bytes: file.bytes)))
    }

    /// REP-02: an HTTP date (RFC 9110 §5.6.7, IMF-fixdate), by arithmetic on the UTC parts (no formatter per response).
    static func httpDate(_ date: Date) -> String {
        let p = UTCTimestamp.parts(date)
        let days = Int((date.timeIntervalSince1970 / 86_400).rounded(.down))
        let weekday = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"][((days % 7) + 7) % 7]
        let month = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"][p.month - 1]
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(weekday), \(two(p.day)) \(month) \(p.year) \(two(p.hour)):\(two(p.minute)):\(two(p.second)) GMT"
    }

    /// REP-03: the plain-HTTP application; `onListening` gets the port.
    public func buildApplication(onListening: @escaping @Sendable (Int) -> Void = { _ in }) -> some ApplicationProtocol {
        Application(router: router(), configuration: .init(address: .hostname(host, port: port), serverName: "BulkRA repository"),
                    onServerRunning: { channel in onListening(channel.localAddress?.port ?? 0) }, logger: logger)
    }
}
