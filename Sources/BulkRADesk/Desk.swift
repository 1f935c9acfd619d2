import BulkRAIssue
import BulkRAModel
import BulkRARegistry
import BulkRAReport
import BulkRAService
import BulkRAValidate
import Crypto
import Foundation
import Hummingbird
import Logging
import NIOCore
import NIOPosix
import X509

/// The officers' web desk (Specs/desk.md): TLS client-certificate login, the screens of manual
/// section 3-3 as pages and JSON endpoints, and the one-time links for administrators and users.
/// A thin edge: every check, issue and report goes through the same stages as the CLI.
struct Desk: Sendable {
    let data: String
    let registry: any Registry
    let authenticator: OfficerAuthenticator
    let settings: DeskSettings
    let forms: FormGuard
    let logger: Logger
    /// DESK-51: refused requests per peer and minute.
    let refusals: RefusalCounter
    /// DESK-50: the connections, told which ones belong to officers.
    let connections: ConnectionGuard
    /// REG-15, DESK-42: the one-time links (the registry's link store: SQLite or PostgreSQL).
    let links: any DeliveryLinkStore
    /// REG-15, DESK-11, DESK-51: the audit log (logins, logouts, refusals).
    let auditLog: any AuditLog
    /// The threads the upload-queue workers (one each) block on, and four more for short blocking work that must not wait
    /// behind them (enrolments), off the event loops and the cooperative threads;
    /// a batch is checked and committed in one transaction (DESK-21, DESK-61).
    let uploads: NIOThreadPool
    /// ACME-11: the RFC 8555 server under `/acme/`, on the desk's port, without client certificates.
    let acme: ACMEServer
    /// DESK-61, PERF-67: this instance's requests waiting for their uploads' results.
    let waiters: UploadWaiters

    /// ISS-01, PERF-91: the issuing CAs, loaded once for all of this instance's uploads, enrolments and ACME orders (and
    /// again when their files change).
    let authorities: LoadedAuthorities

    /// CLI-60: what the pipeline is given for this desk's uploads and enrolments.
    var environment: ServiceEnvironment {
        ServiceEnvironment(dataFolder: data, registry: registry, logger: logger, authorities: authorities)
    }

    /// The clock (the desk's only source of time).
    var now: Date { Date() }

    /// Runs blocking work (registry, signing) on the upload threads.
    func serially<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await uploads.runIfActive(work)
    }

    /// The officer behind a request, or why there is none (DESK-01, DESK-02). Refusals are counted per peer and minute
    /// (DESK-51): the first of a minute is audited, the minute's total when it is over; `limited` when a peer refused too often.
    func officer(_ context: DeskContext) async -> (result: Result<DeskOfficer, LoginRefusal>, limited: Bool) {
        let now = self.now
        let result = await authenticator.authenticate(await context.peerCertificate(), now: now)
        if case .success = result { connections.loggedIn(context.channel) }
        guard case .failure(let refusal) = result, refusal != .noCertificate else { return (result, false) }
        let peer = context.channel.remoteAddress?.ipAddress ?? "?"
        let counted = refusals.count(peer: peer, reason: refusal.rawValue, now: now)
        for finished in counted.finished {
            try? await auditLog.audit(AuditEvent(event: "desk-refused-minute", serial: nil,
                                                 detail: RefusalCounter.summary(peer: finished.peer, window: finished.window), at: now))
        }
        if counted.verdict == .audit {
            try? await auditLog.audit(AuditEvent(event: "desk-refused", serial: nil, detail: "\(refusal.rawValue) peer \(peer)", at: now))
        }
        return (result, counted.verdict == .limited)
    }

    /// DESK-51: writes the refusal totals of finished minutes (the maintenance timer).
    func flushRefusals() async {
        let now = self.now
        for finished in refusals.drain(now: now) {
            try? await auditLog.audit(AuditEvent(event: "desk-refused-minute", serial: nil,
                                                 detail: RefusalCounter.summary(peer: finished.peer, window: finished.window), at: now))
        }
    }
}

/// CSRF tokens (DESK-33): an HMAC under a per-process key of what the form acts for (the officer's RA
/// certificate, or a one-time link), compared in constant time.
struct FormGuard: Sendable {
    let key: SymmetricKey

    func token(for subject: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Array(subject.utf8), using: key)
        return Data(mac).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    func accepts(_ candidate: String?, for subject: String) -> Bool {
        guard let candidate else { return false }
        let expected = Array(token(for: subject).utf8)
        let given = Array(candidate.utf8)
        guard expected.count == given.count else { return false }
        var difference: UInt8 = 0
        for index in 0..<expected.count { difference |= expected[index] ^ given[index] }
        return difference == 0
    }

    func officerToken(_ officer: DeskOfficer) -> String { token(for: "officer:" + officer.certificateSerial.decimal) }
    func accepts(_ candidate: String?, officer: DeskOfficer) -> Bool { accepts(candidate, for: "officer:" + officer.certificateSerial.decimal) }
}
