import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOSSL
import NIOTLS
import Synchronization

/// DESK-50: the desk cannot be starved by connections. Every connection must finish its TLS handshake within
/// `handshakeTimeout`; when `maximumConnections` are open, a new one evicts the oldest that has not finished its
/// handshake (an attacker's idle sockets go before anyone's working connection); one peer address may hold at most
/// `maximumPendingPerPeer` connections still in their handshake (its oldest are closed first). After the handshake,
/// HTTP's idle timeout closes connections nobody uses.
final class ConnectionGuard: Sendable {
    struct Limits: Sendable {
        var maximumConnections = 512
        var maximumPendingPerPeer = 64
        var handshakeTimeout: TimeAmount = .seconds(10)
    }

    struct Entry {
        let channel: any Channel
        let peer: String
        let order: Int
        var handshaken: Bool
    }

    struct State {
        var open: [ObjectIdentifier: Entry] = [:]
        var next = 0
        var evicted = 0
    }

    let limits: Limits
    private let state = Mutex(State())

    init(limits: Limits) {
        self.limits = limits
    }

    /// Open connections, and how many are still in their handshake.
    var counts: (open: Int, pending: Int, evicted: Int) {
        state.withLock { state in (state.open.count, state.open.values.filter { !$0.handshaken }.count, state.evicted) }
    }

    /// Registers a new connection; returns the connections to close to make room (possibly the new one itself).
    func opened(_ channel: any Channel) -> [any Channel] {
        let peer = channel.remoteAddress?.ipAddress ?? "?"
        return state.withLock { state in
            let id = ObjectIdentifier(channel)
            state.open[id] = Entry(channel: channel, peer: peer, order: state.next, handshaken: false)
            state.next += 1
            var victims: [ObjectIdentifier] = []
            let pendingOfPeer = state.open.filter { !$0.value.handshaken && $0.value.peer == peer }.sorted { $0.value.order < $1.value.order }
            if pendingOfPeer.count > limits.maximumPendingPerPeer {
                victims += pendingOfPeer.prefix(pendingOfPeer.count - limits.maximumPendingPerPeer).map(\.key)
            }
            if state.open.count - victims.count > limits.maximumConnections {
                let pending = state.open.filter { !$0.value.handshaken && !victims.contains($0.key) }.sorted { $0.value.order < $1.value.order }
                victims.append(pending.first?.key ?? id)
            }
            state.evicted += victims.count
            return victims.compactMap { state.open.removeValue(forKey: $0)?.channel }
        }
    }

    /// The connection finished its TLS handshake: it is no longer a candidate for eviction.
    func handshaken(_ channel: any Channel) {
        state.withLock { state in state.open[ObjectIdentifier(channel)]?.handshaken = true }
    }

    /// Whether the connection is still waiting for its handshake.
    func isPending(_ channel: any Channel) -> Bool {
        state.withLock { state in state.open[ObjectIdentifier(channel)].map { !$0.handshaken } ?? false }
    }

    func closed(_ channel: any Channel) {
        _ = state.withLock { state in state.open.removeValue(forKey: ObjectIdentifier(channel)) }
    }

    /// The pipeline handler, placed right after the TLS handler so it sees the handshake's completion.
    final class Handler: ChannelInboundHandler, RemovableChannelHandler {
        typealias InboundIn = NIOAny

        let owner: ConnectionGuard
        var timeout: Scheduled<Void>?
        var registered = false

        init(owner: ConnectionGuard) {
            self.owner = owner
        }

        func handlerAdded(context: ChannelHandlerContext) {
            if context.channel.isActive { activate(context) }
        }

        func channelActive(context: ChannelHandlerContext) {
            activate(context)
            context.fireChannelActive()
        }

        private func activate(_ context: ChannelHandlerContext) {
            guard !registered else { return }
            registered = true
            for victim in owner.opened(context.channel) { victim.close(promise: nil) }
            let channel = context.channel
            let owner = self.owner
            timeout = context.eventLoop.scheduleTask(in: owner.limits.handshakeTimeout) {
                if owner.isPending(channel) { channel.close(promise: nil) }
            }
        }

        func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
            if case TLSUserEvent.handshakeCompleted = event {
                owner.handshaken(context.channel)
                timeout?.cancel()
            }
            context.fireUserInboundEventTriggered(event)
        }

        func channelInactive(context: ChannelHandlerContext) {
            timeout?.cancel()
            owner.closed(context.channel)
            context.fireChannelInactive()
        }
    }
}

/// A child channel with TLS and the connection guard right behind it (DESK-50). Both handlers are added in one
/// synchronous step while the channel is set up, before any byte is read, so the guard always sees the handshake end.
struct GuardedTLSChannel<Base: ServerChildChannel>: ServerChildChannel {
    typealias Value = Base.Value

    let base: Base
    let context: NIOSSLContext
    let owner: ConnectionGuard

    init(base: Base, context: NIOSSLContext, owner: ConnectionGuard) {
        self.base = base
        self.context = context
        self.owner = owner
    }

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.eventLoop.makeCompletedFuture {
            let operations = channel.pipeline.syncOperations
            // DESK-01: any client certificate (or none) passes the TLS layer; the desk judges it and says why on a page.
            try operations.addHandler(NIOSSLServerHandler(context: context, customVerificationCallback: { _, promise in
                promise.succeed(.certificateVerified)
            }, configuration: .init()))
            try operations.addHandler(ConnectionGuard.Handler(owner: owner))
        }.flatMap {
            base.setup(channel: channel, logger: logger)
        }
    }

    func handle(value: Value, logger: Logger) async {
        await base.handle(value: value, logger: logger)
    }
}

extension GuardedTLSChannel: HTTPChannelHandler where Base: HTTPChannelHandler {
    var responder: HTTPChannelHandler.Responder { base.responder }
}
