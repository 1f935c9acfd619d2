import Foundation
import GRDB

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
