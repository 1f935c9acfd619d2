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
        while let row = try cursor.next() {
            var values: [SQLValue] = []
            values.reserveCapacity(row.count)
            for value in row.databaseValues { values.append(Self.value(value)) }
            try body(SQLRow(columns: columns, values: values))
        }
    }

    func execute(_ sql: String, _ arguments: [SQLValue]) throws {
        try db.cachedStatement(sql: sql).execute(arguments: Self.arguments(arguments))
    }

    func insert(_ sql: String, _ arguments: [SQLValue]) throws -> Int64 {
        try execute(sql, arguments)
        return db.lastInsertedRowID
    }

    /// PERF-13: many rows through one prepared single-row INSERT, each value bound straight from its `SQLValue` and the
    /// statement stepped and reset per row — no SQL text of hundreds of tuples, no GRDB argument values in between.
    func insertRows(into table: String, columns: [String], rows: [[SQLValue]]) throws {
        guard !rows.isEmpty else { return }
        let sql = insertStatement(into: table, columns: columns, rows: 1)
        let handle = try db.cachedStatement(sql: sql).sqliteStatement
        defer {
            sqlite3_reset(handle)
            sqlite3_clear_bindings(handle)
        }
        for row in rows {
            sqlite3_reset(handle)
            for (offset, value) in row.enumerated() {
                let index = Int32(offset + 1)
                let code: Int32 = switch value {
                case .null: sqlite3_bind_null(handle, index)
                case .integer(let number): sqlite3_bind_int64(handle, index, number)
                case .text(let text) where text.isEmpty: sqlite3_bind_text(handle, index, "", 0, Self.transient)
                case .text(var text): text.withUTF8 { sqlite3_bind_text(handle, index, $0.baseAddress, Int32($0.count), Self.transient) }
                case .bytes(let bytes) where bytes.isEmpty: sqlite3_bind_zeroblob(handle, index, 0)
                case .bytes(let bytes): bytes.withUnsafeBytes { sqlite3_bind_blob(handle, index, $0.baseAddress, Int32($0.count), Self.transient) }
                }
                guard code == SQLITE_OK else { throw failure(code, sql: sql) }
            }
            let code = sqlite3_step(handle)
            guard code == SQLITE_DONE else { throw failure(code, sql: sql) }
        }
    }

    /// SQLite copies what is bound (the values live only during the bind).
    private static var transient: sqlite3_destructor_type { unsafeBitCast(-1, to: sqlite3_destructor_type.self) }

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

    static func value(_ value: DatabaseValue) -> SQLValue {
        switch value.storage {
        case .null: .null
        case .int64(let number): .integer(number)
        case .double(let number): .integer(Int64(number))
        case .string(let text): .text(text)
        case .blob(let data): .bytes(Array(data))
        }
    }
}
