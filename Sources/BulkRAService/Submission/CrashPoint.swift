import BulkRAModel
import Foundation
import Glibc
import X509

/// Named points where a test makes the process die as `kill -9` would (REG-18 tests, Specs/registry.md).
///
/// `BULKRA_CRASH_AT=<point>` kills the process with SIGKILL when it reaches the point — only when every CA under
/// the data folder is the TEST hierarchy made by `bulkra init`; with real CAs the switch does nothing.
public enum CrashPoint: String, CaseIterable {
    /// Certificates are signed, the transaction not yet committed.
    case afterSigning = "after-signing"
    /// The batch is committed, nothing delivered yet.
    case afterCommit = "after-commit"
    /// One delivery written, not yet marked done.
    case midDelivery = "mid-delivery"

    /// CLI-64: dies here when the switch names this point and the data folder holds only TEST CAs.
    public func reach(data: String) {
        // One variable read with getenv: `ProcessInfo.environment` copies the whole environment into a dictionary, at every
        // point of every upload the desk runs.
        guard let named = getenv("BULKRA_CRASH_AT"), String(cString: named) == rawValue, Self.onlyTestAuthorities(data: data) else {
            return
        }
        FileHandle.standardError.write(Data("bulkra: crash switch at \(rawValue)\n".utf8))
        kill(getpid(), SIGKILL)
    }

    /// Whether every CA certificate under `DATA/ca` names the TEST hierarchy's organisation.
    static func onlyTestAuthorities(data: String) -> Bool {
        let folder = data + "/ca"
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return false }
        let certificates = names.filter { $0.hasSuffix(".pem") && !$0.hasSuffix(".key.pem") }
        guard !certificates.isEmpty else { return false }
        return certificates.allSatisfy { name in
            guard let text = try? String(contentsOfFile: folder + "/" + name, encoding: .utf8),
                  let certificate = try? Certificate(pemEncoded: text) else { return false }
            return AuthorityStore.isTest(certificate)
        }
    }
}
