import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOSSL
import NIOTLS
import Synchronization

/// DESK-50: the desk cannot be starved by connections. Every connection must finish its TLS handshake within
/// `handshakeTimeout`; one peer address may hold at most `maximumPendingPerPeer` connections still in their handshake
/// (its oldest are closed first). At `maximumConnections` the desk applies backpressure. A newcomer is accepted only if
/// it can take the place of a connection that is worth less: first the oldest still in its handshake (an attacker's
/// idle sockets), then, among connections on which no request has logged in an officer and no request is
/// running, the one used least recently (an attacker holding handshaken sockets, or a link page left open). An
/// officer's connection, or one with a request running, is never evicted. When nothing can make room the desk stops
/// accepting: newcomers wait in the kernel's listen queue and are accepted as soon as a connection closes, instead of
/// being accepted and dropped. After the handshake, HTTP's idle timeout closes connections nobody uses.
///
/// The guard is also the server channel's `AvailableConnectionsDelegate`: Hummingbird asks it before each accept.
final class ConnectionGuard: AvailableConnectionsDelegate {
    struct Limits: Sendable {
        var maximumConnections = 512
        var maximumPendingPerPeer = 64
        var handshakeTimeout: TimeAmount = .seconds(10)
    }

    /// What a connection is worth keeping, lowest first.
    enum Standing: Comparable {
        /// Still in its TLS handshake.
        case pending
        /// Handshaken; no request on it has logged in an officer.
        case stranger
        /// A request on it logged in an officer.
        case officer
    }

    struct Entry {
        let channel: any Channel
        let peer: String
        let opened: Int
        var standing = Standing.pending
        /// The tick of the last request's start (the opening tick before the first).
        var used: Int
        var running = 0

        /// Whether a newcomer may take this connection's place: ranked by standing, then least recently used.
        var evictionRank: (Standing, Int)? {
            switch standing {
            case .pending: (.pending, opened)
            case .stranger where running == 0: (.stranger, used)
            case .stranger, .officer: nil
            }
        }
    }

    struct State {
        /// Connections accepted by the server channel and not yet closed (counted before their pipeline is set up).
        var accepted = 0
        var open: [ObjectIdentifier: Entry] = [:]
        var tick = 0
        var evicted = 0
        var held = 0

        mutating func nextTick() -> Int {
            tick += 1
            return tick
        }

        /// The connection a newcomer would replace, other than `excluded`.
        func victim(excluding excluded: Set<ObjectIdentifier>) -> ObjectIdentifier? {
            open.compactMap { id, entry in excluded.contains(id) ? nil : entry.evictionRank.map { (id, $0) } }
                .min { $0.1 < $1.1 }?.0
        }
    }

    let limits: Limits
    private let state = Mutex(State())

    init(limits: Limits) {
        self.limits = limits
    }

    /// Logs, once per call, how often the cap was reached since the last call: connections evicted and accepts held
    /// back. Nothing is logged when neither happened.
    func logPressure(_ logger: Logger) {
        let (open, pending, evicted, held) = state.withLock { state in
            defer { (state.evicted, state.held) = (0, 0) }
            return (state.open.count, state.open.values.filter { $0.standing == .pending }.count, state.evicted, state.held)
        }
        guard evicted + held > 0 else { return }
        logger.warning("desk.connections.capped", metadata: [
            "desk.connections.open": "\(open)", "desk.connections.pending": "\(pending)",
            "desk.connections.evicted": "\(evicted)", "desk.connections.held": "\(held)",
            "desk.connections.maximum": "\(limits.maximumConnections)",
        ])
    }

    func connectionOpened() {
        state.withLock { $0.accepted += 1 }
    }

    func connectionClosed() {
        state.withLock { $0.accepted -= 1 }
    }

    /// Below the cap, accept; at the cap, accept only if some connection can make room.
    func isAcceptingNewConnections() -> Bool {
        state.withLock { state in
            if state.accepted < limits.maximumConnections || state.victim(excluding: []) != nil { return true }
            state.held += 1
            return false
        }
    }

    /// Registers a new connection; returns the connections to close to make room. The newcomer itself is never among
    /// them: it was accepted because there was room or a connection to evict, and if that one changed in between (its
    /// handshake finished, a request started), the cap is exceeded by at most one accept burst until connections close.
    func opened(_ channel: any Channel) -> [any Channel] {
        let peer = channel.remoteAddress?.ipAddress ?? "?"
        return state.withLock { state in
            let id = ObjectIdentifier(channel)
            let tick = state.nextTick()
            state.open[id] = Entry(channel: channel, peer: peer, opened: tick, used: tick)
            var victims: Set<ObjectIdentifier> = []
            let pendingOfPeer = state.open.filter { $0.value.standing == .pending && $0.value.peer == peer }.sorted { $0.value.opened < $1.value.opened }
            if pendingOfPeer.count > limits.maximumPendingPerPeer {
                victims.formUnion(pendingOfPeer.prefix(pendingOfPeer.count - limits.maximumPendingPerPeer).map(\.key))
            }
            if state.open.count - victims.count > limits.maximumConnections, let victim = state.victim(excluding: victims.union([id])) {
                victims.insert(victim)
            }
            state.evicted += victims.count
            return victims.compactMap { state.open.removeValue(forKey: $0)?.channel }
        }
    }

    /// The connection finished its TLS handshake: it is no longer pending.
    func handshaken(_ channel: any Channel) {
        state.withLock { state in
            guard let entry = state.open[ObjectIdentifier(channel)], entry.standing == .pending else { return }
            state.open[ObjectIdentifier(channel)]?.standing = .stranger
        }
    }

    /// Whether the connection is still waiting for its handshake.
    func isPending(_ channel: any Channel) -> Bool {
        state.withLock { state in state.open[ObjectIdentifier(channel)]?.standing == .pending }
    }

    /// A request started on the connection.
    func began(_ channel: any Channel) {
        state.withLock { state in
            let tick = state.nextTick()
            guard state.open[ObjectIdentifier(channel)] != nil else { return }
            state.open[ObjectIdentifier(channel)]?.running += 1
            state.open[ObjectIdentifier(channel)]?.used = tick
        }
    }

    /// A request ended.
    func ended(_ channel: any Channel) {
        state.withLock { state in
            guard let entry = state.open[ObjectIdentifier(channel)] else { return }
            state.open[ObjectIdentifier(channel)]?.running = max(0, entry.running - 1)
        }
    }

    /// A request on the connection logged in an officer. The client certificate belongs to the connection, so the
    /// connection is an officer's from now on.
    func loggedIn(_ channel: any Channel) {
        state.withLock { state in state.open[ObjectIdentifier(channel)]?.standing = .officer }
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
    /// RA-05: the TLS context current when a connection comes (the trusted RA CAs may change while the desk runs).
    let context: @Sendable () -> NIOSSLContext
    let owner: ConnectionGuard

    init(base: Base, context: @escaping @Sendable () -> NIOSSLContext, owner: ConnectionGuard) {
        self.base = base
        self.context = context
        self.owner = owner
    }

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.eventLoop.makeCompletedFuture {
            let operations = channel.pipeline.syncOperations
            // DESK-01: any client certificate (or none) passes the TLS layer; the desk judges it and says why on a page.
            try operations.addHandler(NIOSSLServerHandler(context: context(), customVerificationCallback: { _, promise in
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

/// DESK-50: tells the connection guard when requests start and end, so that a connection with a request running is
/// never evicted and idle ones go least recently used first.
struct ConnectionActivity: RouterMiddleware {
    typealias Context = DeskContext

    let connections: ConnectionGuard

    func handle(_ request: Request, context: DeskContext, next: (Request, DeskContext) async throws -> Response) async throws -> Response {
        connections.began(context.channel)
        defer { connections.ended(context.channel) }
        return try await next(request, context)
    }
}
