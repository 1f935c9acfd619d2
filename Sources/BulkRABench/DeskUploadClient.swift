import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// An HTTPS/1.1 client for the desk bench: one TLS connection per request, presenting an officer's RA
/// certificate, trusting the data folder's root (the desk's test server identity). Development tool.
struct DeskUploadClient: Sendable {
    struct Reply: Sendable {
        let status: Int
        let body: [UInt8]
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    let group: MultiThreadedEventLoopGroup
    let port: Int
    let context: NIOSSLContext

    /// A client for one officer: `certificate` holds their RA certificate, `key` its private key (PEM files).
    init(group: MultiThreadedEventLoopGroup, port: Int, root: String, certificate: String, key: String) throws {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.trustRoots = .file(root)
        configuration.certificateVerification = .noHostnameVerification
        configuration.certificateChain = try NIOSSLCertificate.fromPEMFile(certificate).map { .certificate($0) }
        configuration.privateKey = .privateKey(try NIOSSLPrivateKey(file: key, format: .pem))
        self.group = group
        self.port = port
        context = try NIOSSLContext(configuration: configuration)
    }

    /// Sends one request over a connection of its own and waits for the whole response.
    func send(_ method: HTTPMethod, _ path: String, headers: [(String, String)] = [], body: [UInt8] = []) async throws -> Reply {
        let connection = try await BenchHTTPSConnection.open(group: group, port: port, context: context)
        do {
            let reply = try await connection.send(method, path, headers: headers + [("Connection", "close")], body: body)
            await connection.close()
            return Reply(status: reply.status, body: reply.body)
        } catch {
            await connection.close()
            throw error
        }
    }
}
