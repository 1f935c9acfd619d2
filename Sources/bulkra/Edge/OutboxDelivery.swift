import BulkRAIssue
import BulkRAModel
import BulkRARegistry
import BulkRAReport
import Foundation
import Glibc
import Logging

/// Carries out what committed batches must deliver, exactly once (REG-18, DLV-10, Specs/delivery.md).
///
/// Every command that opens the data folder runs it after its own work, and `serve` at start and on a timer:
/// a delivery left pending by a crash is finished by whoever comes next. Deliveries are claimed under a lease
/// (a dead claimant on this host is taken over at once), written, synced, and only then marked done. Writing
/// again after a crash between write and mark is harmless: files get the same bytes under the same name, and a
/// mail is written only when neither `DATA/outbox/` nor `DATA/outbox/sent/` has it.
struct OutboxDelivery {
    let data: String
    let registry: SQLiteRegistry
    let logger: Logger

    /// What one run delivered.
    struct Summary {
        var files = 0
        var mails = 0
        var crls = 0
        var deliveries = 0
        /// Mails written in this run (the relay sends them when mail.json names one).
        var mailPaths: [String] = []
    }

    /// This process's claimant name: host and process id.
    static var owner: String { "\(hostName):\(getpid())" }

    static var hostName: String {
        var buffer = [CChar](repeating: 0, count: 256)
        gethostname(&buffer, buffer.count)
        return String(decoding: buffer.prefix { $0 != 0 }.map(UInt8.init(bitPattern:)), as: UTF8.self)
    }

    /// Claimants on this host whose process is gone.
    func deadClaimants() throws -> [String] {
        let prefix = Self.hostName + ":"
        return try registry.deliveryClaimants().filter { claimant in
            guard claimant.hasPrefix(prefix), let pid = Int32(claimant.dropFirst(prefix.count)), pid != getpid() else { return false }
            return kill(pid, 0) != 0 && errno == ESRCH
        }
    }

    /// Delivers what this process claimed in its commit (from memory), then whatever else is pending, then relays the new
    /// mails when SMTP is configured. `sweeping: false` leaves the data folder's sweep to the caller's own schedule (the
    /// desk's maintenance timer).
    @discardableResult
    func run(claimed: [PendingDelivery] = [], now: Date, sweeping: Bool = true) throws -> Summary {
        var summary = Summary()
        if sweeping { Self.sweepDataFolder(data) }
        if !claimed.isEmpty { try deliver(claimed, now: now, into: &summary) }
        let dead = try deadClaimants()
        if try registry.hasClaimableDeliveries(owner: Self.owner, deadOwners: dead) {
            try drain(dead: dead, now: now, into: &summary)
        }
        if summary.deliveries > 0 {
            logger.debug("outbox.delivered", metadata: ["outbox.deliveries": "\(summary.deliveries)", "outbox.files": "\(summary.files)",
                                                        "outbox.mails": "\(summary.mails)"])
        }
        if !summary.mailPaths.isEmpty {
            let settings = try MailSettings.load(data: data)
            try Outbox(data: data).relay(summary.mailPaths, settings: settings, logger: logger)
        }
        return summary
    }

    private func drain(dead: [String], now: Date, into summary: inout Summary) throws {
        while true {
            let claimed = try registry.claimDeliveries(owner: Self.owner, deadOwners: dead)
            if claimed.isEmpty { return }
            try deliver(claimed, now: now, into: &summary)
        }
    }

    /// Writes claimed deliveries, syncs once, then marks done those that were written (REG-18). One that fails (a folder
    /// not writable, a payload that does not open) stays pending for the next run and never holds the others up; the
    /// first failure is thrown after the others are marked.
    private func deliver(_ claimed: [PendingDelivery], now: Date, into summary: inout Summary) throws {
        let sealing = try OutboxPayload.key(data: data)
        var done: [Int64] = []
        var failure: (any Error)?
        for delivery in claimed {
            do {
                try deliver(delivery, sealing: sealing, now: now, into: &summary)
                done.append(delivery.id)
            } catch {
                logger.error("outbox.failed", metadata: ["outbox.id": "\(delivery.id)", "outbox.kind": "\(delivery.item.kind.rawValue)"])
                failure = failure ?? error
            }
            CrashPoint.midDelivery.reach(data: data)
        }
        Glibc.sync()
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

    private func deliver(_ delivery: PendingDelivery, sealing: OutboxPayload, now: Date, into summary: inout Summary) throws {
        let item = delivery.item
        switch item.kind {
        case .files:
            guard let payload = item.payload.flatMap(sealing.unpacked), let bundle = DeliveryBundle(decoding: payload) else {
                throw Self.damaged(delivery)
            }
            Self.sweepLeftovers(in: item.target)
            for entry in bundle.entries {
                try OutputFolder.writeAtomically(entry.bytes, to: item.target + "/" + entry.path, mode: mode_t(entry.mode), durable: false)
                summary.files += 1
            }
        case .results:
            guard let batchID = delivery.batchID else { throw Self.damaged(delivery) }
            Self.sweepLeftovers(in: item.target)
            summary.files += try ResultFiles(data: data, registry: registry).write(batchID: batchID, to: item.target)
        case .mails:
            guard let payload = item.payload.flatMap(sealing.unpacked), let bundle = DeliveryBundle(decoding: payload) else {
                throw Self.damaged(delivery)
            }
            let outbox = Outbox(data: data)
            for entry in bundle.entries where !outbox.has(entry.path) {
                let path = outbox.folder + "/" + entry.path
                try OutputFolder.writeAtomically(entry.bytes, to: path, mode: 0o600, durable: false)
                summary.mailPaths.append(path)
                summary.mails += 1
            }
        case .crls:
            try CRLCommand.publishAll(dataFolder: data, registry: registry, now: now)
            summary.crls += 1
        }
    }

    static func damaged(_ delivery: PendingDelivery) -> OperationalError {
        OperationalError(.database, LocalizedText(ja: "配信待ちの内容が壊れているか、DATA/outbox.key で開けません（outbox \(delivery.id)）",
                                                  en: "A pending delivery is damaged or does not open with DATA/outbox.key (outbox \(delivery.id))"))
    }

    /// REG-18: removes what dead processes left in `folder`: `.staging-<pid>` folders and `*.tmp-<pid>` files of processes
    /// no longer running on this host. Returns what it removed.
    @discardableResult
    static func sweepLeftovers(in folder: String) -> [String] {
        var removed: [String] = []
        for path in leftovers(in: folder) where (try? FileManager.default.removeItem(atPath: path)) != nil {
            removed.append(path)
        }
        return removed
    }

    /// REG-18: the data folder's own delivery folders (mails, CRLs, RA bundles) swept of dead processes' leftovers.
    static func sweepDataFolder(_ data: String) {
        for folder in ["outbox", "crl", "ra"] { sweepLeftovers(in: data + "/" + folder) }
    }

    /// The leftovers of dead processes in `folder` and its subfolders (two levels, where temporary files are written).
    /// Read with `readdir` and its entry types: no `stat` per file, so a folder of 100,000 mails costs one pass.
    static func leftovers(in folder: String) -> [String] {
        var found: [String] = []
        func scan(_ folder: String, depth: Int) {
            guard let directory = opendir(folder) else { return }
            defer { closedir(directory) }
            while let entry = readdir(directory) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                    String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
                }
                if name == "." || name == ".." { continue }
                if let pid = leftoverPID(name), pid != getpid(), kill(pid, 0) != 0, errno == ESRCH {
                    found.append(folder + "/" + name)
                } else if depth > 0, entry.pointee.d_type == UInt8(DT_DIR), !name.hasPrefix(".") {
                    scan(folder + "/" + name, depth: depth - 1)
                }
            }
        }
        scan(folder, depth: 2)
        return found.sorted()
    }

    /// The process id in a leftover's name: `.staging-<pid>` or `<name>.tmp-<pid>`.
    static func leftoverPID(_ name: String) -> Int32? {
        if name.hasPrefix(".staging-") { return Int32(name.dropFirst(".staging-".count)) }
        if let range = name.range(of: ".tmp-", options: .backwards) { return Int32(name[range.upperBound...]) }
        return nil
    }
}
