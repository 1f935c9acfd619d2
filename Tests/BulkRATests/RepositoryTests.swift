import BulkRADesk
import BulkRAModel
import BulkRAService
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Testing
import X509

/// The CRLs and CA certificates served over plain HTTP at the URLs certificates carry (Specs/repository.md).
@Suite("Revocation repository (Specs/repository.md)")
struct RepositoryTests {
    static let logger = Logger(label: "bulkra.tests.repository")

    @Test("REP-01 REP-02 every CA's CRL and certificate are served as DER with their media types, cacheable until the CRL's nextUpdate")
    func served() async throws {
        let (path, _) = try ServiceTests.dataFolder("repository")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let now = Date()
        let repository = RepositoryServer(dataFolder: path, host: "127.0.0.1", port: 0, logger: Self.logger, clock: { now })
        let app = Application(router: repository.router())
        try await app.test(.router) { client in
            for role in AuthorityRole.allCases {
                let crl = try Data(contentsOf: URL(fileURLWithPath: "\(path)/crl/\(role.rawValue).crl"))
                try await client.execute(uri: "/crl/\(role.rawValue).crl", method: .get) { response in
                    #expect(response.status == .ok && response.headers[.contentType] == "application/pkix-crl")
                    #expect(Data(buffer: response.body) == crl)
                    let control = try #require(response.headers[.cacheControl])
                    let age = try #require(Int(control.split(separator: "=").last?.split(separator: ",").first ?? ""))
                    // CRLs live 7 days (ISS-09) and are signed again before half their life (CRL-01).
                    #expect(control.hasPrefix("public, max-age=") && age > 3 * 86_400 && age <= 7 * 86_400, "\(control)")
                    #expect(response.headers[.expires]?.hasSuffix(" GMT") == true && response.headers[.lastModified] != nil)
                }
                try await client.execute(uri: "/ca/\(role.rawValue).cer", method: .get) { response in
                    #expect(response.status == .ok && response.headers[.contentType] == "application/pkix-cert")
                    let certificate = try Certificate(derEncoded: Array(Data(buffer: response.body)))
                    let stored = try Certificate(pemEncoded: String(contentsOfFile: "\(path)/ca/\(role.rawValue).pem", encoding: .utf8))
                    #expect(certificate == stored && response.headers[.cacheControl] == "public, max-age=86400, no-transform")
                }
                try await client.execute(uri: "/crl/\(role.rawValue).crl", method: .head) { response in
                    #expect(response.status == .ok && response.body.readableBytes == 0)
                    #expect(response.headers[.contentLength] == String(crl.count))
                }
            }
            for wrong in ["/crl/nobody.crl", "/crl/server.cer", "/ca/server.crl", "/crl/../registry.sqlite", "/crl", "/ca/server.cer/x", "/"] {
                try await client.execute(uri: wrong, method: .get) { response in
                    #expect(response.status == .notFound, "\(wrong)")
                }
            }
        }
    }

    @Test("REP-01 the paths served are those of the CRL distribution point and caIssuers URLs in the certificates the CAs issue")
    func pathsOfIssuedCertificates() throws {
        let (path, _) = try ServiceTests.dataFolder("repository-urls")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let repository = RevocationRepository(dataFolder: path)
        let urls = try JSONDecoder().decode([String: [String: String?]].self,
                                            from: Data(contentsOf: URL(fileURLWithPath: "\(path)/ca/urls.json")))
        #expect(urls.count == AuthorityRole.allCases.count)
        for (_, entry) in urls {
            for key in ["crlDistributionPoint", "caIssuers"] {
                let text = try #require(entry[key] ?? nil)
                let url = try #require(URL(string: text))
                #expect(url.scheme == "http", "RFC 5280: plain HTTP")
                #expect(try repository.file(atPath: url.path) != nil, "\(url)")
            }
        }
    }

    @Test("REP-03 CLI-100 serve --repository-port answers plain HTTP beside the desk: curl fetches a CRL that openssl verifies under its CA")
    func servedByServe() throws {
        let port = PostgresCluster.freePort()
        let desk = try DeskHarness(arguments: ["--repository-port", String(port)])
        let crl = desk.folder + "/server.crl"
        var fetched = (status: Int32(-1), output: "")
        for _ in 0..<50 where fetched.output != "200" {
            fetched = try runTool("/usr/bin/curl", ["-s", "-o", crl, "-w", "%{http_code}", "--max-time", "5", "http://127.0.0.1:\(port)/crl/server.crl"])
            if fetched.output != "200" { Thread.sleep(forTimeInterval: 0.1) }
        }
        #expect(fetched.output == "200", "\(fetched)")
        let verified = try runTool("/usr/bin/openssl", ["crl", "-inform", "DER", "-in", crl, "-CAfile", desk.data + "/ca/server.pem", "-noout"])
        #expect(verified.status == 0 && verified.output.contains("verify OK"), "\(verified.output)")
        let tls = try runTool("/usr/bin/curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "5", "https://127.0.0.1:\(port)/crl/server.crl"])
        #expect(tls.output != "200", "the repository speaks plain HTTP only")
    }
}
