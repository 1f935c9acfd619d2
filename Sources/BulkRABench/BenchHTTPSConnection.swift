import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// One HTTPS/1.1 connection to the desk, one request at a time: kept alive between the requests of an ACME client's
/// orders, or used once for an upload (DeskUploadClient). Development tool.
struct BenchHTTPSConnection: Sendable {
    struct Reply: Sendable {
        let status: Int
        let headers: HTTPHeaders
        let body: [UInt8]
    }

    /// A request on its way out, with the promise its answer completes.
    struct Outgoing: Sendable {
        let head: HTTPRequestHead
        let body: [UInt8]
        let answer: EventLoopPromise<Reply>
    }

    let channel: any Channel
    let port: Int

    static func open(group: MultiThreadedEventLoopGroup, port: Int, context: NIOSSLContext) async throws -> BenchHTTPSConnection {
        let channel = try await ClientBootstrap(group: group)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: context, serverHostname: nil))
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(Exchange())
                }
            }
            .connect(host: "127.0.0.1", port: port).get()
        return BenchHTTPSConnection(channel: channel, port: port)
    }

    /// Sends one request and waits for its whole answer.
    func send(_ method: HTTPMethod, _ path: String, headers: [(String, String)] = [], body: [UInt8] = []) async throws -> Reply {
        var head = HTTPRequestHead(version: .http1_1, method: method, uri: path)
        head.headers.add(name: "Host", value: "127.0.0.1:\(port)")
        head.headers.add(name: "Content-Length", value: String(body.count))
        for (name, value) in headers { head.headers.add(name: name, value: value) }
        let answer = channel.eventLoop.makePromise(of: Reply.self)
        channel.writeAndFlush(Outgoing(head: head, body: body, answer: answer), promise: nil)
        return try await answer.futureResult.get()
    }

    func close() async {
        try? await channel.close()
    }

    /// Writes each request's parts and completes its promise with the answer that follows.
    final class Exchange: ChannelDuplexHandler {
        typealias InboundIn = HTTPClientResponsePart
        typealias OutboundIn = Outgoing
        typealias OutboundOut = HTTPClientRequestPart

        var pending: EventLoopPromise<Reply>?
        var status = 0
        var headers = HTTPHeaders()
        var body: [UInt8] = []

        func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
            let outgoing = unwrapOutboundIn(data)
            pending = outgoing.answer
            context.write(wrapOutboundOut(.head(outgoing.head)), promise: nil)
            if !outgoing.body.isEmpty { context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: outgoing.body)))), promise: nil) }
            context.write(wrapOutboundOut(.end(nil)), promise: promise)
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let head):
                status = Int(head.status.code)
                headers = head.headers
                body = []
            case .body(var buffer):
                body += buffer.readBytes(length: buffer.readableBytes) ?? []
            case .end:
                let answer = pending
                pending = nil
                answer?.succeed(Reply(status: status, headers: headers, body: body))
            }
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            pending?.fail(error)
            pending = nil
            context.close(promise: nil)
        }

        func channelInactive(context: ChannelHandlerContext) {
            pending?.fail(BenchFailure("the desk closed the connection"))
            pending = nil
        }
    }
}

/// The web server the desk validates http-01 against: `/.well-known/acme-challenge/<token>` answers the published key
/// authorization, anything else 404. Plain HTTP on a free loopback port. Development tool.
struct ChallengeWebServer {
    let channel: any Channel
    let port: Int

    static func start(store: ChallengeStore, group: MultiThreadedEventLoopGroup) async throws -> ChallengeWebServer {
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(Answer(store: store))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        return ChallengeWebServer(channel: channel, port: channel.localAddress?.port ?? 0)
    }

    func close() -> EventLoopFuture<Void> { channel.close() }

    final class Answer: ChannelInboundHandler {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart

        let store: ChallengeStore
        var uri = ""

        init(store: ChallengeStore) { self.store = store }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let head): uri = head.uri
            case .body: break
            case .end:
                let prefix = "/.well-known/acme-challenge/"
                let text = uri.hasPrefix(prefix) ? store.answer(String(uri.dropFirst(prefix.count))) : nil
                var head = HTTPResponseHead(version: .http1_1, status: text == nil ? .notFound : .ok)
                let body = Array((text ?? "").utf8)
                head.headers.add(name: "Content-Length", value: String(body.count))
                head.headers.add(name: "Content-Type", value: "text/plain")
                head.headers.add(name: "Connection", value: "close")
                context.write(wrapOutboundOut(.head(head)), promise: nil)
                context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: body)))), promise: nil)
                let closed = context.eventLoop.makePromise(of: Void.self)
                context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: closed)
                let channel = context.channel
                closed.futureResult.whenComplete { _ in channel.close(promise: nil) }
            }
        }
    }
}
