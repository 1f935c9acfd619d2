import BulkRADesk
import BulkRAService
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

/// The desk as a library (BulkRADesk): its application driven in process through HummingbirdTesting, without TLS, so
/// every request arrives without a client certificate (pages and links that need none, refusals of those that do).
@Suite("Web desk library (BulkRADesk)")
struct DeskRouterTests {
    /// The JSON error of the API (DESK-10), read through Codable.
    struct APIError: Decodable {
        let error: String
        let message: String
        let messageEn: String
    }

    static func server(_ name: String) throws -> (server: DeskServer, path: String) {
        let (path, registry) = try ServiceTests.dataFolder("desk-router-\(name)")
        let server = try DeskServer(configuration: DeskConfiguration(dataFolder: path), registry: registry, logger: ServiceTests.logger)
        return (server, path)
    }

    @Test("DESK-02 without a client certificate every officer page answers 403 with the page that says why, and the API a JSON error")
    func refusals() async throws {
        let (server, path) = try Self.server("refusals")
        defer { try? FileManager.default.removeItem(atPath: path) }
        try await server.buildApplication().test(.router) { client in
            for page in ["/", "/server", "/statistics", "/downloads/certificates", "/results/1", "/timestamp"] {
                try await client.execute(uri: page, method: .get) { response in
                    #expect(response.status == .forbidden, "\(page)")
                    let text = String(buffer: response.body)
                    #expect(text.contains("クライアント証明書が提示されていません") && !text.contains("例示大学"), "\(page)")
                }
            }
            try await client.execute(uri: "/api/me", method: .get) { response in
                #expect(response.status == .forbidden)
                let body = try JSONDecoder().decode(APIError.self, from: Data(buffer: response.body))
                #expect(body.error == "no-certificate" && !body.message.isEmpty && !body.messageEn.isEmpty)
            }
        }
    }

    @Test("DESK-30 DESK-34 every response carries the strict policy headers; static assets may be cached, pages never")
    func headers() async throws {
        let (server, path) = try Self.server("headers")
        defer { try? FileManager.default.removeItem(atPath: path) }
        try await server.buildApplication().test(.router) { client in
            try await client.execute(uri: "/", method: .get) { response in
                let policy = try #require(response.headers[.contentSecurityPolicy])
                #expect(policy.contains("default-src 'none'") && !policy.contains("unsafe-inline"))
                #expect(response.headers[.cacheControl] == "no-store" && response.headers[HTTPField.Name("Referrer-Policy")!] == "no-referrer")
            }
            try await client.execute(uri: "/static/desk.css", method: .get) { response in
                #expect(response.status == .ok && response.headers[.cacheControl] == "max-age=3600")
                #expect(response.headers[.contentType]?.hasPrefix("text/css") == true)
            }
        }
    }

    @Test("DESK-42 an unknown one-time link says the address is wrong and changes nothing; a form POST without its token is refused")
    func unknownLink() async throws {
        let (server, path) = try Self.server("links")
        defer { try? FileManager.default.removeItem(atPath: path) }
        try await server.buildApplication().test(.router) { client in
            try await client.execute(uri: "/pin?p1=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", method: .get) { response in
                #expect(String(buffer: response.body).contains("URLが正しくありません"))
            }
            try await client.execute(uri: "/pin", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                                     body: ByteBuffer(string: "p1=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")) { response in
                #expect(response.status != .ok)
            }
        }
    }
}
