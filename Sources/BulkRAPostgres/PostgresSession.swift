import BulkRAModel
import BulkRARegistry
import Foundation
import Logging
import NIOCore
import PostgresNIO

/// The registry's statements on one PostgreSQL connection (REG-20).
///
/// The registry's API is synchronous, like GRDB's: a session runs on a thread where blocking is allowed (never an
/// event loop, never a cooperative thread of its own accord) and waits for each answer of the connection's event loop.
struct PostgresSession: SQLSession {
    let connection: PostgresConnection
    let logger: Logger

    var dialect: SQLDialect { .postgres }

    func rows(_ sql: String, _ arguments: [SQLValue]) throws -> [SQLRow] {
        let result = try connection.query(Self.query(sql, arguments), logger: logger).wait()
        var rows: [SQLRow] = []
        rows.reserveCapacity(result.rows.count)
        var columns: SQLRow.Columns?
        for row in result.rows {
            let cells = Array(row)
            let shared = columns ?? SQLRow.Columns(cells.map(\.columnName))
            columns = shared
            rows.append(SQLRow(columns: shared, values: try cells.map(Self.value)))
        }
        return rows
    }

    func forEachRow(_ sql: String, _ arguments: [SQLValue], _ body: (SQLRow) throws -> Void) throws {
        for row in try rows(sql, arguments) { try body(row) }
    }

    func execute(_ sql: String, _ arguments: [SQLValue]) throws {
        _ = try connection.query(Self.query(sql, arguments), logger: logger).wait()
    }

    func insert(_ sql: String, _ arguments: [SQLValue]) throws -> Int64 {
        guard let id = try rows(sql + " RETURNING id", arguments).first?.integer("id") else {
            throw PostgresFailure.unexpected("INSERT returned no id")
        }
        return id
    }

    /// The statement with `?` placeholders numbered (`$1`, `$2`, …) and its arguments bound.
    static func query(_ sql: String, _ arguments: [SQLValue]) -> PostgresQuery {
        var numbered = ""
        numbered.reserveCapacity(sql.utf8.count + arguments.count * 2)
        var next = 1
        for character in sql {
            if character == "?" {
                numbered += "$\(next)"
                next += 1
            } else {
                numbered.append(character)
            }
        }
        var bindings = PostgresBindings(capacity: arguments.count)
        for argument in arguments {
            switch argument {
            case .null: bindings.appendNull()
            case .integer(let number): bindings.append(number)
            case .text(let text): bindings.append(text)
            case .bytes(let bytes): bindings.append(ByteBuffer(bytes: bytes))
            }
        }
        return PostgresQuery(unsafeSQL: numbered, binds: bindings)
    }

    static func value(_ cell: PostgresCell) throws -> SQLValue {
        guard cell.bytes != nil else { return .null }
        switch cell.dataType {
        case .int2, .int4, .int8, .oid:
            return .integer(try cell.decode(Int64.self))
        case .bool:
            return .integer(try cell.decode(Bool.self) ? 1 : 0)
        case .bytea:
            let buffer = try cell.decode(ByteBuffer.self)
            return .bytes(Array(buffer.readableBytesView))
        default:
            return .text(try cell.decode(String.self))
        }
    }
}
