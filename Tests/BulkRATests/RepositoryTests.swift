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
            #expect(entry["ocsp"] == "http://127.0.0.1:8480/ocsp" && entry["crlDistributionPoint"]??.hasPrefix("http://127.0.0.1:8480/crl/") == true)
        }
    }

    @Test("REP-04 OCSP-05 serve answers at the URLs its certificates carry: openssl ocsp at the AIA URL says good, unknown for a serial never issued, then revoked after a revocation batch; openssl verify -crl_download fetches the CRL from the distribution point and refuses the revoked certificate")
    func urlsLeadToServe() throws {
        let data = try CLITests.dataFolder("repository-walk")
        let out = data + "-out"
        defer { try? FileManager.default.removeItem(atPath: data); try? FileManager.default.removeItem(atPath: out) }
        let port = PostgresCluster.freePort()
        let base = "http://127.0.0.1:\(port)"
        let reinit = try CLITests.run(["init", "--data", data, "--repository-url", base])
        #expect(reinit.status == 0, "\(reinit.error)")
        #expect(try CLITests.run(["init", "--data", data, "--repository-url", "https://127.0.0.1/"]).status == 2)
        let issue = try CLITests.run(["submit", "server/issue-valid.tsv", "--data", data, "--institution", "example-u", "--family", "server",
                                      "--operation", "issue", "--out", out])
        #expect(issue.status == 0, "\(issue.output)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/result.json"))) as? [String: Any])
        let serials = ((object["lines"] as? [[String: Any]]) ?? []).compactMap { $0["serial"] as? String }
        #expect(serials.count == 3)
        let certificate = "\(out)/certificates/\(serials[0]).pem"
        let uri = try runTool("/usr/bin/openssl", ["x509", "-in", certificate, "-noout", "-ocsp_uri"]).output
            .trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(uri == base + "/ocsp")
        // No --repository-port: serve listens where urls.json points (REP-04).
        let desk = try DeskHarness(data: data, defaultRepository: true)
        _ = desk
        var ready = ""
        for _ in 0..<50 where ready != "200" {
            ready = try runTool("/usr/bin/curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "5", base + "/ca/server.cer"]).output
            if ready != "200" { Thread.sleep(forTimeInterval: 0.1) }
        }
        #expect(ready == "200")
        func ocsp() throws -> String {
            try runTool("/usr/bin/openssl", ["ocsp", "-issuer", data + "/ca/server.pem", "-cert", certificate, "-url", uri,
                                             "-CAfile", data + "/ca/root.pem"]).output
        }
        func verify() throws -> (status: Int32, output: String) {
            try runTool("/usr/bin/openssl", ["verify", "-CAfile", data + "/ca/root.pem", "-untrusted", data + "/ca/server.pem",
                                             "-crl_download", "-crl_check", certificate])
        }
        let good = try ocsp()
        #expect(good.contains("Response verify OK") && good.contains(": good") && !good.contains("WARNING"), "\(good)")
        // A serial the CA never issued: unknown, from the same running desk.
        let unknown = try runTool("/usr/bin/openssl", ["ocsp", "-issuer", data + "/ca/server.pem", "-serial", "123456789987654321", "-url", uri,
                                                       "-CAfile", data + "/ca/root.pem"]).output
        #expect(unknown.contains("Response verify OK") && unknown.contains(": unknown"), "\(unknown)")
        let valid = try verify()
        #expect(valid.status == 0 && valid.output.contains(": OK"), "\(valid.output)")
        let dn = "CN=mail.example.ac.jp,O=Example University,L=Chiyoda-ku,ST=Tokyo,C=JP"  // line 1 of server/issue-valid.tsv
        let revocation = data + "-revoke.tsv"
        defer { try? FileManager.default.removeItem(atPath: revocation) }
        try "\(dn)\t\t\t\(serials[0])\t1\t\t\t\t\t\t\t\t\n".write(toFile: revocation, atomically: true, encoding: .utf8)
        let revoked = try CLITests.run(["submit", revocation, "--data", data, "--institution", "example-u", "--family", "server", "--operation", "revoke"])
        #expect(revoked.status == 0, "\(revoked.output)")
        let after = try ocsp()
        #expect(after.contains(": revoked") && after.contains("Reason: keyCompromise"), "\(after)")
        let refused = try verify()
        #expect(refused.status != 0 && refused.output.contains("certificate revoked"), "\(refused.output)")
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
