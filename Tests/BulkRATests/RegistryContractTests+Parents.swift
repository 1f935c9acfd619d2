import BulkRAModel
@testable import BulkRARegistry
import Foundation
import Testing

extension RegistryContractTests {
    /// An institution and one batch of it, written straight through the session; returns the batch's id.
    static func parentRows(_ session: any SQLSession, institution: String) throws -> Int64 {
        let stamp = "2026-12-07T00:00:00Z"
        try session.execute("""
            INSERT INTO institution (id, name, english_name, state_or_province, locality, head_name, head_email, active, created_at, updated_at)
            VALUES (?, '親機関', 'Parent University', 'Tokyo', 'Chiyoda-ku', 'Head', 'head@parent.ac.jp', 1, ?, ?)
            """, [.text(institution), .text(stamp), .text(stamp)])
        return try session.insert("""
            INSERT INTO batch (institution_id, kind, operation, officer_email, file_sha256, file_name, result_json, result_tsv, accepted,
                               rejected, outcome, applied, created_at)
            VALUES (?, 'server', 'issue', NULL, ?, 'parents.tsv', '{}', '', 1, 0, 'ok', 1, ?)
            """, [.text(institution), .text(String(repeating: "a", count: 64)), .text(stamp)])
    }

    /// Certificate rows of `institution` recorded by `batch`, `count` of them, serials starting at `first`.
    static func certificateRows(_ count: Int, first: Int, institution: String, batch: Int64) -> [[SQLValue]] {
        (0..<count).map { index in
            let serial = first + index
            return [.text("\(serial)"), .text(institution), .text("server"), .text("www\(serial).parent.ac.jp"),
                    .text("CN=www\(serial).parent.ac.jp"), .text("key-\(serial)"), .integer(4), .bytes([0x30, UInt8(index & 0x7F)]),
                    .text("2026-12-07T00:00:00Z"), .integer(batch)]
        }
    }

    static let certificateColumns = ["serial", "institution_id", "family", "identity", "subject_dn", "key_digest", "state", "der",
                                     "recorded_at", "batch_id"]

    @Test("PERF-76 REG-02 REG-20 a certificate, audit entry or delivery link naming no institution or batch is refused, by INSERT and by COPY, and leaves nothing of its transaction; an institution named by certificates is neither deleted nor renamed; a certificate's batch cannot be changed to none",
          arguments: Backend.allCases)
    func parentsChecked(backend: Backend) throws {
        let database = try Self.database(backend, "parents")
        let batch = try database.writing(.registry, durable: true) { try Self.parentRows($0, institution: "parent-u") }
        let missingBatch = batch + 1_000
        func count(_ table: String) throws -> Int64? {
            try database.writing(.registry, durable: true) { try $0.rows("SELECT count(*) AS n FROM \(table)", []).first?.integer("n") }
        }
        func refused(_ what: String, _ body: (any SQLSession) throws -> Void) {
            let failure = #expect(throws: OperationalError.self, "\(backend): \(what)") {
                try database.writing(.registry, durable: true) { session in
                    // Something good first, so that a refusal is seen to take the whole transaction back.
                    try session.execute("INSERT INTO audit_event (batch_id, event, detail, created_at) VALUES (?, 'before', '', 'now')",
                                        [.integer(batch)])
                    try body(session)
                }
            }
            #expect(failure?.code == .database, "\(backend): \(what): \(String(describing: failure))")
        }
        // Below and above the COPY threshold (PostgreSQL), the bad row last.
        for size in [10, 1_200] {
            let good = Self.certificateRows(size - 1, first: 100_000 * size, institution: "parent-u", batch: batch)
            refused("\(size) certificates, the last of no institution") { session in
                try session.insertRows(into: "certificate", columns: Self.certificateColumns,
                                       rows: good + Self.certificateRows(1, first: 100_000 * size + size, institution: "nowhere-u", batch: batch))
            }
            refused("\(size) certificates, the last of no batch") { session in
                try session.insertRows(into: "certificate", columns: Self.certificateColumns,
                                       rows: good + Self.certificateRows(1, first: 100_000 * size + size, institution: "parent-u", batch: missingBatch))
            }
            refused("\(size) audit entries, the last of no batch") { session in
                let rows: [[SQLValue]] = (0..<size).map { [.integer($0 == size - 1 ? missingBatch : batch), .text("issued"), .text("now")] }
                try session.insertRows(into: "audit_event", columns: ["batch_id", "event", "created_at"], rows: rows)
            }
            refused("\(size) delivery links, the last of no batch") { session in
                let rows: [[SQLValue]] = (0..<size).map { index in
                    [.text("token-\(size)-\(index)"), .text("certificate"), .integer(index == size - 1 ? missingBatch : batch), .text("parent-u"),
                     .text("admin@parent.ac.jp"), .text("c.pem"), .text("2027-01-07T00:00:00Z"), .text("now")]
                }
                try session.insertRows(into: "delivery_link", columns: ["token_sha256", "kind", "batch_id", "institution_id", "recipient_email",
                                                                       "file_name", "expires_at", "created_at"], rows: rows)
            }
            #expect(try count("certificate") == 0 && count("audit_event") == 0 && count("delivery_link") == 0, "\(backend), \(size) rows")
        }
        // The same rows with their parents present are kept, both ways.
        try database.writing(.registry, durable: true) { session in
            try session.insertRows(into: "certificate", columns: Self.certificateColumns,
                                   rows: Self.certificateRows(10, first: 1, institution: "parent-u", batch: batch))
            try session.insertRows(into: "certificate", columns: Self.certificateColumns,
                                   rows: Self.certificateRows(1_200, first: 1_000, institution: "parent-u", batch: batch))
        }
        #expect(try count("certificate") == 1_210, "\(backend)")
        refused("an institution named by certificates deleted") { session in
            try session.execute("DELETE FROM institution WHERE id = ?", [.text("parent-u")])
        }
        refused("an institution named by certificates renamed") { session in
            try session.execute("UPDATE institution SET id = ? WHERE id = ?", [.text("renamed-u"), .text("parent-u")])
        }
        refused("a certificate moved to no batch") { session in
            try session.execute("UPDATE certificate SET batch_id = ? WHERE serial = ?", [.integer(missingBatch), .text("1")])
        }
        refused("a certificate moved to no institution") { session in
            try session.execute("UPDATE certificate SET institution_id = ? WHERE serial = ?", [.text("nowhere-u"), .text("1")])
        }
        #expect(try count("institution") == 1 && count("certificate") == 1_210 && count("audit_event") == 0, "\(backend)")
    }
}
