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

    /// Sends one request and waits for the whole response.
    func send(_ method: HTTPMethod, _ path: String, headers: [(String, String)] = [], body: [UInt8] = []) async throws -> Reply {
        let promise = group.next().makePromise(of: Reply.self)
        let context = self.context
        let channel = try await ClientBootstrap(group: group)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: context, serverHostname: nil))
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(ResponseCollector(promise: promise))
                }
            }
            .connect(host: "127.0.0.1", port: port).get()
        var head = HTTPRequestHead(version: .http1_1, method: method, uri: path)
        head.headers.add(name: "Host", value: "127.0.0.1:\(port)")
        head.headers.add(name: "Connection", value: "close")
        head.headers.add(name: "Content-Length", value: String(body.count))
        for (name, value) in headers { head.headers.add(name: name, value: value) }
        channel.write(HTTPClientRequestPart.head(head), promise: nil)
        if !body.isEmpty { channel.write(HTTPClientRequestPart.body(.byteBuffer(ByteBuffer(bytes: body))), promise: nil) }
        channel.writeAndFlush(HTTPClientRequestPart.end(nil), promise: nil)
        return try await promise.futureResult.get()
    }
}

/// Gathers one response and completes the promise once (at the end, on an error, or when the peer closes early).
final class ResponseCollector: ChannelInboundHandler {
    typealias InboundIn = HTTPClientResponsePart

    let promise: EventLoopPromise<DeskUploadClient.Reply>
    var status = 0
    var body: [UInt8] = []
    var done = false

    init(promise: EventLoopPromise<DeskUploadClient.Reply>) { self.promise = promise }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head): status = Int(head.status.code)
        case .body(var buffer): body += buffer.readBytes(length: buffer.readableBytes) ?? []
        case .end:
            finish(.success(DeskUploadClient.Reply(status: status, body: body)))
            context.close(promise: nil)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        finish(.failure(error))
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        finish(.failure(DeskUploadClient.Failure(description: "connection closed before the response ended (status \(status))")))
    }

    func finish(_ result: Result<DeskUploadClient.Reply, Error>) {
        guard !done else { return }
        done = true
        promise.completeWith(result)
    }
}
