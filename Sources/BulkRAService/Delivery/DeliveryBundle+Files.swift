import BulkRAReport
import Glibc

extension DeliveryBundle {
    /// REG-18, PERF-78: the bundle's files as a delivery writes them — each under `folder`, with `mode` when given (the
    /// outbox's mails) or else its own — for the delivery and for the files staged ahead of it alike.
    func files(in folder: String, mode: mode_t? = nil) -> [(path: String, mode: mode_t, bytes: ArraySlice<UInt8>)] {
        entries.map { (folder + "/" + $0.path, mode ?? mode_t($0.mode), $0.bytes) }
    }
}
