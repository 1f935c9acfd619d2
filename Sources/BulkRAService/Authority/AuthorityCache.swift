import BulkRAIssue
import BulkRAModel
import Foundation
import Synchronization

/// ISS-01, ACME-16: one issuing CA loaded once and reused while its files stay as they are. Each use compares the
/// modification time, size and inode of the CA's certificate, key, passphrase source, chain, root and URL files with those
/// it was loaded from, and loads it again when any differs: a CA replaced under a running desk signs from the next request.
final class AuthorityCache: Sendable {
    /// What one file looked like when the CA was loaded (a missing file is all zero).
    struct FileStamp: Hashable, Sendable {
        let inode: UInt64
        let size: Int64
        let modified: Int64
        let modifiedNanoseconds: Int64

        init(_ path: String) {
            var status = stat()
            guard stat(path, &status) == 0 else {
                (inode, size, modified, modifiedNanoseconds) = (0, 0, 0, 0)
                return
            }
            inode = UInt64(status.st_ino)
            size = Int64(status.st_size)
            modified = Int64(status.st_mtim.tv_sec)
            modifiedNanoseconds = Int64(status.st_mtim.tv_nsec)
        }
    }

    /// The CA as loaded, with what its files looked like and the PEM chain an ACME client downloads after its certificate.
    struct Loaded: Sendable {
        let stamps: [FileStamp]
        let authority: IssuingAuthority
        let chainPEM: String
    }

    let folder: String
    let role: AuthorityRole
    private let loaded = Mutex<Loaded?>(nil)

    /// ISS-01: the CA of `role` under the data folder `folder`, loaded on first use.
    init(dataFolder folder: String, role: AuthorityRole) {
        self.folder = folder
        self.role = role
    }

    /// ISS-01: the CA, loaded again when one of its files changed since.
    func authority() throws -> IssuingAuthority { try current().authority }

    /// ACME-16: the issuing CA's certificate and, when there is one, its chain file (PEM), as a download appends them.
    func chainPEM() throws -> String { try current().chainPEM }

    private func current() throws -> Loaded {
        let store = AuthorityStore(dataFolder: folder)
        let stamps = [store.certificatePath(role.rawValue), store.keyPath(role.rawValue), store.passphrasePath(role), store.chainPath(role),
                      store.certificatePath("root"), store.urlsPath].map(FileStamp.init)
        if let kept = loaded.withLock({ $0 }), kept.stamps == stamps { return kept }
        var pem = try AuthorityStore.read(store.certificatePath(role.rawValue))
        if let chain = try? String(contentsOfFile: store.chainPath(role), encoding: .utf8) { pem += chain }
        let fresh = Loaded(stamps: stamps, authority: try store.authority(role), chainPEM: pem)
        loaded.withLock { $0 = fresh }
        return fresh
    }
}
