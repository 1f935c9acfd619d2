import Foundation
import GRDB
import GRDBSQLite

/// The registry's statements on one GRDB connection (REG-20): cached prepared statements, rows read by name.
struct SQLiteSession: SQLSession {
    let db: Database

    var dialect: SQLDialect { .sqlite }

    func rows(_ sql: String, _ arguments: [SQLValue]) throws -> [SQLRow] {
        var result: [SQLRow] = []
        try forEachRow(sql, arguments) { result.append($0) }
        return result
    }

    func forEachRow(_ sql: String, _ arguments: [SQLValue], _ body: (SQLRow) throws -> Void) throws {
        let statement = try db.cachedStatement(sql: sql)
        let columns = SQLRow.Columns(statement.columnNames)
        let cursor = try Row.fetchCursor(statement, arguments: Self.arguments(arguments))
        // PERF-17: GRDB steps the statement (and keeps its bookkeeping); the values are read straight from the stepped
        // statement, without a `DatabaseValue` and a `Data` per column in between.
        let handle = statement.sqliteStatement
        let count = Int32(columns.names.count)
        while try cursor.next() != nil {
            var values: [SQLValue] = []
            values.reserveCapacity(Int(count))
            for index in 0..<count { values.append(Self.column(index, of: handle)) }
            try body(SQLRow(columns: columns, values: values))
        }
    }

    /// PERF-17: column `index` of the row `handle` has just stepped to, as GRDB would read it (a REAL is truncated to an
    /// integer, as the registry stores none; text and blobs by their byte counts).
    private static func column(_ index: Int32, of handle: OpaquePointer) -> SQLValue {
        switch sqlite3_column_type(handle, index) {
        case SQLITE_NULL:
            return .null
        case SQLITE_INTEGER:
            return .integer(sqlite3_column_int64(handle, index))
        case SQLITE_FLOAT:
            return .integer(Int64(sqlite3_column_double(handle, index)))
        case SQLITE_TEXT:
            guard let text = sqlite3_column_text(handle, index) else { return .text("") }
            let count = Int(sqlite3_column_bytes(handle, index))
            return .text(String(decoding: UnsafeBufferPointer(start: text, count: count), as: UTF8.self))
        default:
            let start = sqlite3_column_blob(handle, index)
            let count = Int(sqlite3_column_bytes(handle, index))
            guard let start, count > 0 else { return .bytes([]) }
            return .bytes(Array(UnsafeRawBufferPointer(start: start, count: count)))
        }
    }

    func execute(_ sql: String, _ arguments: [SQLValue]) throws {
        try db.cachedStatement(sql: sql).execute(arguments: Self.arguments(arguments))
    }

    func insert(_ sql: String, _ arguments: [SQLValue]) throws -> Int64 {
        try execute(sql, arguments)
        return db.lastInsertedRowID
    }

    /// PERF-80, PERF-84: a batch's row sets one after another, with room for their changed pages beside the pages they read
    /// once a set of many rows comes.
    func insertRowSets(_ sets: [SQLRowSet]) throws {
        var restore: Int?
        defer { if let restore { setCacheSize(restore) } }
        for set in sets {
            let rows = try set.rows()
            if restore == nil, rows.count >= Self.manyRows { restore = try makeRoomForChanges() }
            try insertRowsInPlace(into: set.table, columns: set.columns, rows: rows)
        }
    }

    /// PERF-84: makes the connection's page cache as large as the changed pages a transaction may keep (PERF-07: 64 MiB) plus
    /// SQLite's default 2 MB for the pages it only reads; returns the size to set back. With the default alone, a batch's
    /// changed pages filled the cache, so every page it only read — the institution's key page, looked up by each certificate's
    /// foreign key; in a larger registry every index's inner pages, at each insert — was dropped right after use and read from
    /// the file again: 10,000 reads of one page for a 10,000-line batch (≈ 20 ms).
    private func makeRoomForChanges() throws -> Int {
        let previous = try Int.fetchOne(db, sql: "PRAGMA cache_size") ?? -2_000
        try db.execute(sql: "PRAGMA cache_size = \(Self.roomForChanges)")
        return previous
    }

    /// PERF-84: sets the page cache back (`cache_size` as SQLite counts it: pages, or KiB when negative).
    private func setCacheSize(_ size: Int) {
        try? db.execute(sql: "PRAGMA cache_size = \(size)")
    }

    /// PERF-84: the page cache while many rows go in, in KiB as `cache_size` counts them when negative.
    static let roomForChanges = -((SQLiteRegistry.spillBytes >> 10) + 2_000)

    /// PERF-84: from how many rows a statement gets room for its changes (fewer rows change less than the default cache holds;
    /// a statement of one row, an ACME order's, runs no pragma at all).
    static let manyRows = 500

    /// PERF-13: many rows through one prepared single-row INSERT, each value bound straight from its `SQLValue` and the
    /// statement stepped and reset per row — no SQL text of hundreds of tuples, no GRDB argument values in between.
    ///
    /// PERF-69: a row's text and bytes are copied into one buffer, reused from row to row, and bound in place
    /// (`SQLITE_STATIC`): the buffer is sized before the row's first bind and neither grows nor is freed until the row has
    /// stepped (and, after the last row, until the statement is reset and its bindings cleared). Bound as copies
    /// (`SQLITE_TRANSIENT`), each value cost SQLite an allocation, a copy and a free (≈ 600 instructions a value).
    private func insertRowsInPlace(into table: String, columns: [String], rows: [[SQLValue]]) throws {
        guard !rows.isEmpty else { return }
        let sql = insertStatement(into: table, columns: columns, rows: 1)
        let handle = try db.cachedStatement(sql: sql).sqliteStatement
        var buffer = BindingBuffer()
        // Declared first, run last: the bindings are cleared before the buffer they point into is freed.
        defer { buffer.free() }
        defer {
            sqlite3_reset(handle)
            sqlite3_clear_bindings(handle)
        }
        for row in rows {
            sqlite3_reset(handle)
            // PERF-73: the values are read where they lie, through the row's buffer; a value taken out of the array (to
            // count its bytes, to bind it, to copy it) retained its text or bytes and released them again, four times a value.
            try row.withUnsafeBufferPointer { values in
                let base = buffer.base(byteCount: values.reduce(0) { $0 + $1.boundByteCount })
                var offset = 0
                for index in values.indices {
                    let position = Int32(index + 1)
                    let code: Int32
                    switch values[index] {
                    case .null:
                        code = sqlite3_bind_null(handle, position)
                    case .integer(let number):
                        code = sqlite3_bind_int64(handle, position, number)
                    case .text(let text):
                        let count = BindingBuffer.copy(text, to: base + offset)
                        code = sqlite3_bind_text(handle, position, UnsafeRawPointer(base + offset).assumingMemoryBound(to: CChar.self),
                                                 Int32(count), Self.static)
                        offset += count
                    case .bytes(let bytes) where bytes.isEmpty:
                        code = sqlite3_bind_zeroblob(handle, position, 0)
                    case .bytes(let bytes):
                        let count = BindingBuffer.copy(bytes, to: base + offset)
                        code = sqlite3_bind_blob(handle, position, base + offset, Int32(count), Self.static)
                        offset += count
                    }
                    guard code == SQLITE_OK else { throw failure(code, sql: sql) }
                }
            }
            let code = sqlite3_step(handle)
            guard code == SQLITE_DONE else { throw failure(code, sql: sql) }
        }
    }

    /// PERF-69: SQLite reads what is bound in place, until the statement is reset, rebound or its bindings cleared.
    private static var `static`: sqlite3_destructor_type? { nil }

    /// The failure of a row as GRDB reports its own (REG-19 classifies it: a UNIQUE constraint is REG-17's last guard).
    private func failure(_ code: Int32, sql: String) -> DatabaseError {
        let connection = db.sqliteConnection
        let extended = connection.map { sqlite3_extended_errcode($0) } ?? code
        let message = connection.map { String(cString: sqlite3_errmsg($0)) }
        return DatabaseError(resultCode: ResultCode(rawValue: extended), message: message, sql: sql)
    }

    static func arguments(_ values: [SQLValue]) -> StatementArguments {
        StatementArguments(values.map { value -> DatabaseValue in
            switch value {
            case .null: .null
            case .integer(let number): number.databaseValue
            case .text(let text): text.databaseValue
            case .bytes(let bytes): Data(bytes).databaseValue
            }
        })
    }
}
