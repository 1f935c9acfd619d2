import BulkRAService
import Foundation
import Hummingbird
import Logging

/// REP-01..REP-03: the CRL distribution points and AIA caIssuers of the certificates, served over plain HTTP (RFC 5280
/// §4.2.1.13: relying parties fetch them without TLS) beside the desk, by the same `serve`.
public struct RepositoryServer: Sendable {
    let repository: RevocationRepository
    let host: String
    let port: Int
    let logger: Logger
    let clock: @Sendable () -> Date

    /// REP-03: the repository of `dataFolder` on `host:port` (0 takes a free port).
    public init(dataFolder: String, host: String, port: Int, logger: Logger, clock: @escaping @Sendable () -> Date = { Date() }) {
        repository = RevocationRepository(dataFolder: dataFolder)
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
        return router
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

    /// REP-02: an HTTP date (RFC 9110 §5.6.7, IMF-fixdate).
    static func httpDate(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return formatter.string(from: date)
    }

    /// REP-03: the plain-HTTP application; `onListening` gets the port.
    public func buildApplication(onListening: @escaping @Sendable (Int) -> Void = { _ in }) -> some ApplicationProtocol {
        Application(router: router(), configuration: .init(address: .hostname(host, port: port), serverName: "BulkRA repository"),
                    onServerRunning: { channel in onListening(channel.localAddress?.port ?? 0) }, logger: logger)
    }
}
