import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// A plain-HTTP/1.1 load generator for the repository bench: `connections` keep-alive connections, each sending GETs of
/// `paths` in turn, one at a time, until `total` answers have come back between them. Development tool.
enum HTTPLoadClient {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// The answers per second over the whole run, and how many were not 200 or not of `expectedType`.
    static func run(port: Int, paths: [String], connections: Int, total: Int, expectedType: String) async throws -> (perSecond: Double, wrong: Int) {
        let group = MultiThreadedEventLoopGroup.singleton
        let share = total / connections
        let started = Date()
        let wrong = try await withThrowingTaskGroup(of: Int.self) { tasks in
            for index in 0..<connections {
                tasks.addTask {
                    let promise = group.next().makePromise(of: Int.self)
                    let rotated = Array(paths[(index % paths.count)...] + paths[..<(index % paths.count)])
                    _ = try await ClientBootstrap(group: group)
                        .channelInitializer { channel in
                            channel.eventLoop.makeCompletedFuture {
                                try channel.pipeline.syncOperations.addHTTPClientHandlers()
                                try channel.pipeline.syncOperations.addHandler(
                                    Repeater(port: port, paths: rotated, count: share, expectedType: expectedType, promise: promise))
                            }
                        }
                        .connect(host: "127.0.0.1", port: port).get()
                    return try await promise.futureResult.get()
                }
            }
            var wrong = 0
            for try await count in tasks { wrong += count }
            return wrong
        }
        return (Double(share * connections) / Date().timeIntervalSince(started), wrong)
    }

    /// Sends the next request each time an answer ends; completes with the number of wrong answers.
    final class Repeater: ChannelInboundHandler {
        typealias InboundIn = HTTPClientResponsePart
        typealias OutboundOut = HTTPClientRequestPart

        let port: Int
        let paths: [String]
        let count: Int
        let expectedType: String
        let promise: EventLoopPromise<Int>
        var sent = 0
        var received = 0
        var wrong = 0
        var finished = false

        init(port: Int, paths: [String], count: Int, expectedType: String, promise: EventLoopPromise<Int>) {
            self.port = port
            self.paths = paths
            self.count = count
            self.expectedType = expectedType
            self.promise = promise
        }

        func channelActive(context: ChannelHandlerContext) {
            send(context)
        }

        func send(_ context: ChannelHandlerContext) {
            var head = HTTPRequestHead(version: .http1_1, method: .GET, uri: paths[sent % paths.count])
            head.headers.add(name: "Host", value: "127.0.0.1:\(port)")
            sent += 1
            context.write(wrapOutboundOut(.head(head)), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let head):
                if head.status != .ok || head.headers.first(name: "Content-Type") != expectedType { wrong += 1 }
            case .body:
                break
            case .end:
                received += 1
                if received == count {
                    finish(.success(wrong))
                    context.close(promise: nil)
                } else {
                    send(context)
                }
            }
        }

        func errorCaught(context: ChannelHandlerContext, error: Error) {
            finish(.failure(error))
            context.close(promise: nil)
        }

        func channelInactive(context: ChannelHandlerContext) {
            finish(.failure(Failure(description: "connection closed after \(received) of \(count) answers")))
        }

        func finish(_ result: Result<Int, Error>) {
            guard !finished else { return }
            finished = true
            promise.completeWith(result)
        }
    }
}
