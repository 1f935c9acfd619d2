import BulkRAIssue
import BulkRAModel
import BulkRARegistry
import BulkRAReport
import Foundation
import Glibc
import Logging
import Synchronization

/// Carries out what committed batches must deliver, exactly once (REG-18, DLV-10, Specs/delivery.md).
///
/// Every command that opens the data folder runs it after its own work, and `serve` at start and on a timer:
/// a delivery left pending by a crash is finished by whoever comes next. Deliveries are claimed under a lease
/// (a dead claimant on this host is taken over at once), written, synced, and only then marked done. Writing
/// again after a crash between write and mark is harmless: files get the same bytes under the same name, and a
/// mail is written only when neither `DATA/outbox/` nor `DATA/outbox/sent/` has it.
public struct OutboxDelivery: Sendable {
    let data: String
    let registry: any Registry
    let logger: Logger
    /// The key the payloads are sealed under (`DATA/outbox.key`).
    let sealing: OutboxPayload

    /// REG-18: a deliverer; `sealing` when the caller holds the outbox key already (it sealed this commit's payloads with it).
    public init(data: String, registry: any Registry, logger: Logger, sealing: OutboxPayload? = nil) throws {
        self.data = data
        self.registry = registry
        self.logger = logger
        self.sealing = try sealing ?? OutboxPayload.key(data: data)
        owner = Self.claimant()
    }

    /// REG-18: what one run delivered.
    public struct Summary: Sendable {
        /// REG-18: bundles of files written.
        public var files = 0
        /// REG-18: mails written.
        public var mails = 0
        /// REG-18: CRL refreshes done.
        public var crls = 0
        /// REG-18: deliveries completed.
        public var deliveries = 0
        /// REG-18: mails written in this run (the relay sends them when mail.json names one).
        public var mailPaths: [String] = []
        /// MAIL-09: what went wrong after the commit and is left for later (the relay did not take the mails).
        public var warnings: [LocalizedText] = []
    }

    /// REG-18: this deliverer's claimant name.
    let owner: String

    /// REG-18: a claimant name of this process — host, process id and a number of its own — so that deliverers running
    /// at once in one process (desk workers, the maintenance timer) never take each other's deliveries; a dead process's
    /// claims are recognised by host and process id.
    public static func claimant() -> String {
        "\(hostName):\(getpid()):\(claimants.wrappingAdd(1, ordering: .relaxed).newValue)"
    }

    private static let claimants = Atomic<Int>(0)

    static var hostName: String {
        var buffer = [CChar](repeating: 0, count: 256)
        gethostname(&buffer, buffer.count)
        return String(decoding: buffer.prefix { $0 != 0 }.map(UInt8.init(bitPattern:)), as: UTF8.self)
    }

    /// Claimants on this host whose process is gone.
    func deadClaimants() throws -> [String] {
        let prefix = Self.hostName + ":"
        return try registry.deliveryClaimants().filter { claimant in
            guard claimant.hasPrefix(prefix), let pid = claimant.dropFirst(prefix.count).split(separator: ":").first.flatMap({ Int32($0) }),
                  pid != getpid() else { return false }
            return kill(pid, 0) != 0 && errno == ESRCH
        }
    }

    /// REG-18: delivers what this process claimed in its commit (from memory), then whatever else is pending, then relays the new
    /// mails when SMTP is configured.
    @discardableResult
    public func run(claimed: [PendingDelivery] = [], now: Date) throws -> Summary {
        try run(claimed: claimed, opened: [:], now: now)
    }

    /// REG-18, PERF-47, PERF-50: the same, with the bundles of claimed deliveries this process still holds as made (`opened`,
    /// by outbox row: mails as composed, result files as committed) written as they are — payloads not opened, the registry
    /// not read back.
    /// PERF-78: `staged`, the files of `claimed` this process wrote unnamed before the commit, are named instead of written.
    func run(claimed: [PendingDelivery], opened: [Int64: DeliveryBundle], staged: StagedFiles? = nil, now: Date) throws -> Summary {
        var summary = Summary()
        if !claimed.isEmpty { try deliver(claimed, opened: opened, staged: staged, takenOver: false, now: now, into: &summary) }
        let dead = try deadClaimants()
        if try registry.hasClaimableDeliveries(owner: owner, deadOwners: dead) {
            try drain(dead: dead, now: now, into: &summary)
        }
        if summary.deliveries > 0 {
            logger.debug("outbox.delivered", metadata: ["outbox.deliveries": "\(summary.deliveries)", "outbox.files": "\(summary.files)",
                                                        "outbox.mails": "\(summary.mails)"])
        }
        if !summary.mailPaths.isEmpty {
            let settings = try MailSettings.load(data: data)
            if let warning = try Outbox(data: data).relay(summary.mailPaths, settings: settings, logger: logger) {
                summary.warnings.append(warning)
            }
        }
        return summary
    }

    /// PERF-47, PERF-50: the bundles this process keeps for its own claimed deliveries, by outbox row: the mails as composed
    /// and the result files as made from what was committed.
    static func ownBundles(mails: SealedMails?, results: DeliveryBundle?, claimed: [PendingDelivery]) -> [Int64: DeliveryBundle] {
        var bundles: [Int64: DeliveryBundle] = [:]
        for delivery in claimed {
            switch delivery.item.kind {
            case .mails: bundles[delivery.id] = mails?.bundle
            case .results: bundles[delivery.id] = results
            case .files, .crls: continue
            }
        }
        return bundles
    }

    private func drain(dead: [String], now: Date, into summary: inout Summary) throws {
        while true {
            let claimed = try registry.claimDeliveries(owner: owner, deadOwners: dead)
            if claimed.isEmpty { return }
            try deliver(claimed, takenOver: true, now: now, into: &summary)
        }
    }

    /// Writes claimed deliveries, syncs once, then marks done those that were written (REG-18). One that fails (a folder
    /// not writable, a payload that does not open) stays pending for the next run and never holds the others up; the
    /// first failure is thrown after the others are marked. Deliveries `takenOver` from another process first have their
    /// target folders swept of what it left there (this process's own targets were swept when it resolved them).
    private func deliver(_ claimed: [PendingDelivery], opened: [Int64: DeliveryBundle] = [:], staged: StagedFiles? = nil, takenOver: Bool,
                         now: Date, into summary: inout Summary) throws {
        if takenOver {
            for target in Set(claimed.map(\.item.target)) where !target.isEmpty { Leftovers.sweep(target) }
        }
        // PERF-05, PERF-34: each delivery is made ready on a core (its payload opened, its result files read from the
        // registry, its CRLs published) and its files written there in slices; a core done with its own delivery then takes
        // slices of the others that are ready, so the larger one (result files, mails) does not go on alone.
        let shared = Mutex(SharedWrite(count: claimed.count))
        let writeAll = {
            _ = parallelMap(claimed.count) { own -> Void in
                let ready = Result { () throws -> Ready in
                    try prepare(claimed[own], opened: opened[claimed[own].id], takenOver: takenOver, now: now)
                }
                shared.withLock { $0.ready[own] = ready }
                for delivery in [own] + claimed.indices.filter({ $0 != own }) {
                    while let (files, slice) = shared.withLock({ $0.claim(delivery, size: Self.sliceSize) }) {
                        var folders = OpenFolders()
                        var written = 0
                        var failure: (any Error)?
                        for index in slice {
                            do {
                                let file = files[index]
                                // PERF-78: a file written unnamed before the commit is only named now.
                                if try staged?.name(file.path, mode: file.mode, count: file.bytes.count, folders: &folders) != true {
                                    try OutputFolder.writeAtomically(file.bytes, to: file.path, mode: file.mode, durable: false, folders: &folders)
                                }
                                written += 1
                            } catch {
                                failure = error
                                break
                            }
                        }
                        let (count, failed) = (written, failure)
                        shared.withLock { $0.record(delivery, first: slice.lowerBound, written: count, failure: failed) }
                    }
                }
                CrashPoint.midDelivery.reach(data: data)
            }
        }
        // PERF-70: what takes longer than a round to write starts going to disk while it is written, not at the final sync.
        let writeBack = EarlyWriteBack()
        let (written, rounds) = withSideWork({ writeBack.run() }, main: { () -> DispatchTime in
            writeAll()
            writeBack.finish()
            return DispatchTime.now()
        })
        let outcome = shared.withLock { $0 }
        var done: [Int64] = []
        var failure: (any Error)?
        for (index, delivery) in claimed.enumerated() {
            if case .success(let ready) = outcome.ready[index] {
                summary.crls += ready.crls
                let runs = outcome.written[index]
                switch delivery.item.kind {
                case .mails:
                    // The relay sends them in file order.
                    let paths = runs.sorted { $0.first < $1.first }.flatMap { ready.files[$0.first..<($0.first + $0.count)].map(\.path) }
                    summary.mails += paths.count
                    summary.mailPaths += paths
                case .files, .results:
                    summary.files += runs.reduce(0) { $0 + $1.count }
                case .crls:
                    break
                }
            }
            if let error = outcome.failure(index) {
                logger.error("outbox.failed", metadata: ["outbox.id": "\(delivery.id)", "outbox.kind": "\(delivery.item.kind.rawValue)"])
                failure = failure ?? error
            } else {
                done.append(delivery.id)
            }
        }
        let synced = DispatchTime.now()
        Glibc.sync()
        logger.debug("outbox.synced", metadata: ["outbox.writeBack.rounds": "\(rounds)",
                                                 "outbox.wait.ms": "\(synced.milliseconds(since: written))",
                                                 "outbox.sync.ms": "\(DispatchTime.now().milliseconds(since: synced))"])
        try registry.markDelivered(done)
        summary.deliveries += done.count
        if let failure { throw Self.pending(failure) }
    }

    /// A delivery that failed after its batch was committed: said so, so nobody submits the file again to "retry".
    static func pending(_ error: any Error) -> OperationalError {
        let detail = (error as? OperationalError).map { LocalizedText(ja: $0.message.ja, en: $0.message.en) }
            ?? LocalizedText(ja: "\(error)", en: "\(error)")
        return OperationalError(.io, LocalizedText(
            ja: "登録は完了していますが、配信の一部ができませんでした（\(detail.ja)）。配信は保留され、次に実行するコマンドが再試行します。",
            en: "The batch is committed, but part of its delivery failed (\(detail.en)); it stays pending and the next command retries it."))
    }

    /// Files written per slice of the shared write (PERF-34): small enough for the two cores to even out, large enough
    /// that each slice opens its folders once for many files.
    static let sliceSize = 512

    /// PERF-34: the deliveries being written by both cores: each one's files once made ready, the next slice to take, and
    /// what was written (runs of files from a slice's start) or went wrong.
    private struct SharedWrite: Sendable {
        var ready: [Result<Ready, any Error>?]
        var next: [Int]
        var written: [[(first: Int, count: Int)]]
        var failures: [(any Error)?]

        init(count: Int) {
            ready = Array(repeating: nil, count: count)
            next = Array(repeating: 0, count: count)
            written = Array(repeating: [], count: count)
            failures = Array(repeating: nil, count: count)
        }

        /// The next slice of `delivery`'s files to write, or nil when it is not ready, failed, or has none left.
        mutating func claim(_ delivery: Int, size: Int) -> (files: [(path: String, mode: mode_t, bytes: ArraySlice<UInt8>)], slice: Range<Int>)? {
            guard case .success(let ready)? = self.ready[delivery], failures[delivery] == nil, next[delivery] < ready.files.count else { return nil }
            let slice = next[delivery]..<min(next[delivery] + size, ready.files.count)
            next[delivery] = slice.upperBound
            return (ready.files, slice)
        }

        mutating func record(_ delivery: Int, first: Int, written count: Int, failure: (any Error)?) {
            written[delivery].append((first, count))
            if let failure, failures[delivery] == nil { failures[delivery] = failure }
        }

        /// The delivery's first failure: made ready or written.
        func failure(_ delivery: Int) -> (any Error)? {
            if case .failure(let error)? = ready[delivery] { return error }
            return failures[delivery]
        }
    }

    /// A delivery made ready: the files it writes (absolute paths) and the CRL refreshes it did.
    private struct Ready: Sendable {
        var files: [(path: String, mode: mode_t, bytes: ArraySlice<UInt8>)] = []
        var crls = 0
    }

    /// Opens a delivery's payload (PERF-47: unless its bundle is `opened` already) or reads its result files (PERF-50: unless
    /// they are `opened`, made by the process that committed them); a CRL delivery is carried out here.
    private func prepare(_ delivery: PendingDelivery, opened: DeliveryBundle?, takenOver: Bool, now: Date) throws -> Ready {
        let item = delivery.item
        var ready = Ready()
        let started = DispatchTime.now()
        defer {
            logger.debug("outbox.delivery.ready", metadata: ["outbox.id": "\(delivery.id)", "outbox.kind": "\(item.kind.rawValue)",
                                                              "outbox.ms": "\(DispatchTime.now().milliseconds(since: started))"])
        }
        switch item.kind {
        case .files:
            guard let payload = item.payload.flatMap(sealing.unpacked), let bundle = DeliveryBundle(decoding: payload) else {
                throw Self.damaged(delivery)
            }
            ready.files = bundle.files(in: item.target)
        case .results:
            // PERF-50: the committing process's own result files as it made them from what it committed; anyone else's read
            // back from the registry.
            let bundle: DeliveryBundle
            if let opened {
                bundle = opened
            } else {
                guard let batchID = delivery.batchID else { throw Self.damaged(delivery) }
                bundle = ResultFiles.bundle(try ResultFiles(data: data, registry: registry).files(batchID: batchID))
            }
            ready.files = bundle.files(in: item.target)
        case .mails:
            guard let bundle = opened ?? item.payload.flatMap(sealing.unpacked).flatMap(DeliveryBundle.init(decoding:)) else {
                throw Self.damaged(delivery)
            }
            let outbox = Outbox(data: data)
            // Exactly once: a delivery taken over from a process that stopped may have written some of its mails (in the
            // outbox, or sent since); this process's own claims were never written before.
            ready.files = DeliveryBundle(bundle.entries.filter { !takenOver || !outbox.has($0.path) }).files(in: outbox.folder, mode: Outbox.mode)
        case .crls:
            try CRLPublisher(dataFolder: data, registry: registry).publishAll(now: now)
            ready.crls = 1
        }
        return ready
    }

    static func damaged(_ delivery: PendingDelivery) -> OperationalError {
        OperationalError(.database, LocalizedText(ja: "配信待ちの内容が壊れているか、DATA/outbox.key で開けません（outbox \(delivery.id)）",
                                                  en: "A pending delivery is damaged or does not open with DATA/outbox.key (outbox \(delivery.id))"))
    }
}
