import BulkRAModel
@testable import BulkRARegistry
import Foundation
import Testing

extension RegistryContractTests {
    /// A fresh registry of `backend`, as the database its statements run on.
    static func database(_ backend: Backend, _ name: String) throws -> any RegistryDatabase {
        try #require(try registry(backend, name) as? any RegistryDatabase)
    }

    /// Texts that COPY's text format must escape or could misread, and some it must leave alone.
    static let awkwardTexts = ["", "a\tb", "line\nbreak", "cr\rhere", "back\\slash", "\\.", "\\N", "end\\", "\\x41", "登録担当者",
                               "tab\t\tand\\t", "\u{1F600}"]

    @Test("PERF-10 PERF-22 rows added in bulk read back as written on both registries — by INSERT below 1,000 rows, by COPY from 1,000 (PostgreSQL, encoded on both cores): NULLs, awkward texts, every byte value, the extreme integers",
          arguments: Backend.allCases)
    func bulkInsertRoundTrip(backend: Backend) throws {
        let database = try Self.database(backend, "bulk-insert")
        var indices = SeededIndices(0x5EED_0010)
        func next(_ bound: Int) -> Int { indices.next(bound) }
        for count in [10, 999, 1_000, 2_500] {
            let rows: [[SQLValue]] = (0..<count).map { index in
                let text: SQLValue = index % 7 == 3 ? .null : .text(Self.awkwardTexts[next(Self.awkwardTexts.count)] + "#\(index)")
                let bytes: SQLValue = switch index % 5 {
                case 0: .null
                case 1: .bytes([])
                case 2: .bytes((0...255).map(UInt8.init))
                default: .bytes((0..<next(3_000)).map { _ in UInt8(next(256)) })
                }
                let number: SQLValue = index % 11 == 4 ? .null : index % 13 == 6 ? .integer(.min) : index % 13 == 7 ? .integer(.max)
                    : .integer(Int64(index) * (index.isMultiple(of: 2) ? -1 : 1) << 40)
                return [.integer(Int64(index)), number, text, bytes]
            }
            let table = "bulk_check_\(count)"
            let read = try database.writing(.registry, durable: true) { session -> [[SQLValue]] in
                let bytesType = session.dialect == .postgres ? "BYTEA" : "BLOB"
                try session.execute("CREATE TABLE \(table) (position BIGINT PRIMARY KEY, number BIGINT, words TEXT, data \(bytesType))", [])
                try session.insertRows(into: table, columns: ["position", "number", "words", "data"], rows: rows)
                let read = try session.rows("SELECT position, number, words, data FROM \(table) ORDER BY position", []).map(\.values)
                try session.execute("DROP TABLE \(table)", [])
                return read
            }
            #expect(read.count == rows.count)
            for (got, wanted) in zip(read, rows) where got != wanted {
                Issue.record("\(backend) \(count) rows: read \(got.prefix(3)), wrote \(wanted.prefix(3))")
                break
            }
        }
    }

    @Test("PERF-10 a bulk insert that breaks a constraint fails as REG-17's last guard and leaves nothing of its transaction, by bound rows (SQLite, PERF-13), INSERT and COPY",
          arguments: Backend.allCases)
    func bulkInsertFailure(backend: Backend) throws {
        let database = try Self.database(backend, "bulk-insert-failure")
        try database.writing(.registry, durable: true) { session in
            try session.execute("CREATE TABLE bulk_unique (position BIGINT PRIMARY KEY, words TEXT)", [])
        }
        for count in [10, 1_200] {
            // The last row repeats the first one's key.
            let rows: [[SQLValue]] = (0..<count).map { [.integer(Int64($0)), .text("row \($0)")] } + [[.integer(0), .text("again")]]
            // REG-17's last guard: the failure is classified as a concurrent submission's, whichever way the rows went.
            let failure = #expect(throws: OperationalError.self) {
                try database.writing(.registry, durable: true) { session in
                    try session.execute("INSERT INTO bulk_unique (position, words) VALUES (?, ?)", [.integer(-1), .text("before")])
                    try session.insertRows(into: "bulk_unique", columns: ["position", "words"], rows: rows)
                }
            }
            #expect(failure?.code == .registryBusy, "\(backend), \(count) rows: \(String(describing: failure))")
            let left = try database.writing(.registry, durable: true) { session in
                try session.rows("SELECT count(*) AS n FROM bulk_unique", []).first?.integer("n")
            }
            #expect(left == 0, "\(backend), \(count) rows")
        }
    }

    @Test("PERF-69, PERF-73 rows bound in place from one reused buffer, each value read where it lies, read back as written: several texts (small, large, non-ASCII) and bytes a row, rows growing and shrinking, empty text stays '' (not NULL), the statement reused afterwards",
          arguments: Backend.allCases)
    func boundInPlace(backend: Backend) throws {
        let database = try Self.database(backend, "bound-in-place")
        var indices = SeededIndices(0x5EED_0069)
        // Sizes jump up and down so that the buffer grows in the middle of the insert and later rows are shorter than it.
        let sizes = [0, 1, 5, 300, 2, 70_000, 3, 0, 150_000, 17, 1, 9_000]
        let rows: [[SQLValue]] = (0..<600).map { index in
            let size = sizes[index % sizes.count]
            let text = String((0..<size).map { _ in Self.awkwardTexts[indices.next(Self.awkwardTexts.count)] }.joined().prefix(size))
            let bytes = (0..<size).map { _ in UInt8(indices.next(256)) }
            let other = Self.awkwardTexts[index % Self.awkwardTexts.count] + String(repeating: "登", count: size % 97)
            return [.integer(Int64(index)), .text(text), .bytes(bytes), .text(other), index % 3 == 0 ? .null : .integer(Int64(size)),
                    .text(""), .bytes(Array(bytes.reversed()))]
        }
        let columns = ["position", "first", "data", "second", "number", "empty", "reversed"]
        let read = try database.writing(.registry, durable: true) { session -> [[SQLValue]] in
            let bytesType = session.dialect == .postgres ? "BYTEA" : "BLOB"
            try session.execute("""
                CREATE TABLE bound_in_place (position BIGINT PRIMARY KEY, first TEXT, data \(bytesType), second TEXT, number BIGINT,
                  empty TEXT, reversed \(bytesType))
                """, [])
            try session.insertRows(into: "bound_in_place", columns: columns, rows: rows)
            // The same statement once more, after the buffer it was bound from is gone: its bindings were cleared.
            try session.insertRows(into: "bound_in_place", columns: columns,
                                   rows: [[.integer(10_000), .text("after"), .bytes([1, 2]), .text("x"), .null, .text(""), .bytes([2, 1])]])
            return try session.rows("SELECT \(columns.joined(separator: ", ")) FROM bound_in_place ORDER BY position", []).map(\.values)
        }
        #expect(read.count == rows.count + 1)
        var mismatches = 0
        for (got, wanted) in zip(read, rows) where got != wanted {
            mismatches += 1
            if mismatches == 1 { Issue.record("\(backend): read \(got.prefix(2)), wrote \(wanted.prefix(2))") }
        }
        #expect(mismatches == 0, "\(backend)")
        #expect(read.last == [.integer(10_000), .text("after"), .bytes([1, 2]), .text("x"), .null, .text(""), .bytes([2, 1])])
        #expect(read.allSatisfy { $0[5] == .text("") }, "an empty text is '', never NULL (\(backend))")
    }
}

/// Indices below a bound from a seeded linear congruential sequence: the bulk-insert tests write the same rows every run.
struct SeededIndices {
    private var state: UInt64

    init(_ seed: UInt64) {
        state = seed
    }

    mutating func next(_ bound: Int) -> Int {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return Int((state >> 33) % UInt64(bound))
    }
}
