import BulkRAModel
@testable import BulkRARegistry
import Foundation
import Testing

extension RegistryContractTests {
    /// `count` audit rows of `event` (serials 0, 1, …) for `batch`, made when their set's turn comes; `made` counts the calls.
    static func auditRowSet(_ event: String, _ count: Int, batch: Int64, made: Counter? = nil) -> SQLRowSet {
        SQLRowSet(into: "audit_event", columns: RegistryStatements.auditColumns) {
            made?.count += 1
            return (0..<count).map { [.integer(batch), .text(event), .text("\($0)"), .text(""), .text("2026-12-07T00:00:00Z")] }
        }
    }

    /// How often a set's rows were made (on the session's thread).
    final class Counter {
        var count = 0
    }

    @Test("PERF-80 REG-20 row sets go in in order, by COPY (1,000 rows and more on PostgreSQL) or INSERTs; a set the database refuses fails the transaction and nothing of it or of later sets stays (at most the next set is made meanwhile); rows that cannot be made fail it after the COPY before them, and the connection goes on",
          arguments: Backend.allCases)
    func rowSets(backend: Backend) throws {
        let database = try Self.database(backend, "row-sets")
        let batch = try database.writing(.registry, durable: true) { try Self.parentRows($0, institution: "rows-u") }
        try database.writing(.registry, durable: true) { session in
            try session.insertRowSets([Self.auditRowSet("a", 1_500, batch: batch), Self.auditRowSet("b", 3, batch: batch),
                                       Self.auditRowSet("c", 1_200, batch: batch)])
        }
        func events() throws -> [String] {
            try database.reading { session in
                try session.rows("SELECT event, serial FROM audit_event ORDER BY id", []).map { "\($0.text("event") ?? "")\($0.text("serial") ?? "")" }
            }
        }
        let expected = (0..<1_500).map { "a\($0)" } + (0..<3).map { "b\($0)" } + (0..<1_200).map { "c\($0)" }
        #expect(try events() == expected)

        // A set naming a batch that does not exist is refused (by COPY on PostgreSQL): of the sets after it, at most the next one
        // is made (while the server works through the refused one) and none goes in.
        let made = Counter()
        #expect(throws: (any Error).self) {
            try database.writing(.registry, durable: true) { session in
                try session.insertRowSets([Self.auditRowSet("d", 1_100, batch: batch), Self.auditRowSet("e", 1_000, batch: batch + 1_000),
                                           Self.auditRowSet("f", 1_000, batch: batch, made: made)])
            }
        }
        #expect(made.count <= (backend == .postgres ? 1 : 0))
        #expect(try events() == expected)

        // Rows that cannot be made: the COPY before them finishes, the transaction fails, and the connection writes again.
        struct Unmade: Error {}
        let failure = #expect(throws: (any Error).self) {
            try database.writing(.registry, durable: true) { session in
                try session.insertRowSets([Self.auditRowSet("g", 1_100, batch: batch),
                                           SQLRowSet(into: "audit_event", columns: RegistryStatements.auditColumns) { throw Unmade() }])
            }
        }
        #expect("\(failure.map { String(describing: $0) } ?? "")".contains("Unmade"))
        try database.writing(.registry, durable: true) { session in
            try session.insertRowSets([Self.auditRowSet("h", 2, batch: batch)])
        }
        #expect(try events() == expected + ["h0", "h1"])
    }
}
