import Foundation
import NIOSSL
import Synchronization
import X509

/// RA-05, DESK-01: the RA CAs the desk trusts now — the installed one and retired ones whose certificates still live — and
/// the TLS context whose CA name list offers them to browsers. Set at start and brought up to date by every maintenance
/// run, so a rollover reaches a running desk without a restart; each new connection takes the context current then.
final class OfficerTrust: Sendable {
    private let state: Mutex<(authorities: [Certificate], context: NIOSSLContext)>
    private let base: TLSConfiguration

    /// RA-05: trust in `authorities`, over the desk's TLS configuration `base` (identity, versions, client-certificate request).
    init(base: TLSConfiguration, authorities: [Certificate]) throws {
        self.base = base
        state = Mutex((authorities, try Self.context(base, authorities)))
    }

    /// RA-05: the RA CAs trusted now, the installed one first.
    var authorities: [Certificate] { state.withLock { $0.authorities } }

    /// DESK-01: the TLS context for a new connection.
    var context: NIOSSLContext { state.withLock { $0.context } }

    /// RA-05: trusts exactly `authorities` from now on; true when that changed what was trusted.
    func update(_ authorities: [Certificate]) throws -> Bool {
        guard authorities != self.authorities else { return false }
        let context = try Self.context(base, authorities)
        state.withLock { $0 = (authorities, context) }
        return true
    }

    static func context(_ base: TLSConfiguration, _ authorities: [Certificate]) throws -> NIOSSLContext {
        var tls = base
        tls.trustRoots = .certificates(try authorities.map { try NIOSSLCertificate(bytes: Array($0.serializeAsPEM().derBytes), format: .der) })
        tls.sendCANameList = true
        return try NIOSSLContext(configuration: tls)
    }
}
