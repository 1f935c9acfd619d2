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

    /// PERF-10: at least this many rows go by COPY; fewer by multi-row INSERTs (one statement up to 500 rows). Measured:
    /// a 10,000-line batch commits faster by COPY, the desk's 100-line uploads slower (COPY's extra round trips).
    static let copyThreshold = 1_000

    /// PERF-10: many rows by `COPY … FROM STDIN` in text format (one statement, no parameter binding or planning per
    /// row), encoded here and sent in pieces of about 1 MiB; fewer rows by multi-row INSERTs. A failing row fails the COPY,
    /// and with it the transaction, as a failing INSERT would.
    ///
    /// postgres-nio offers COPY only as an async call. It runs as a task whose jobs the connection's event loop executes
    /// (`EventLoopTaskExecutor`), never the cooperative threads, while this thread — one where blocking is allowed, as for
    /// every statement of the session — waits for its future.
    func insertRows(into table: String, columns: [String], rows: [[SQLValue]]) throws {
        guard rows.count >= Self.copyThreshold else {
            return try insertRowsByStatements(into: table, columns: columns, rows: rows)
        }
        var pieces: [ByteBuffer] = []
        var buffer = ByteBuffer()
        for row in rows {
            Self.appendCopyLine(row, to: &buffer)
            if buffer.readableBytes >= 1 << 20 {
                pieces.append(buffer)
                buffer = ByteBuffer()
            }
        }
        if buffer.readableBytes > 0 { pieces.append(buffer) }
        let (connection, logger, loop) = (connection, logger, connection.eventLoop)
        let done = loop.makePromise(of: Void.self)
        Task(executorPreference: EventLoopTaskExecutor(loop)) {
            do {
                try await connection.copyFrom(table: table, columns: columns, format: .text(.init()), logger: logger) { writer in
                    for piece in pieces { try await writer.write(piece) }
                }
                done.succeed()
            } catch {
                done.fail(error)
            }
        }
        try done.futureResult.wait()
    }

    /// PERF-10: one row in COPY's text format: fields separated by tabs, the row ended by a newline; NULL as `\N`; text with
    /// backslash, tab, newline and carriage return escaped; bytes as bytea hex (`\\x…`, its backslash escaped in turn).
    static func appendCopyLine(_ row: [SQLValue], to buffer: inout ByteBuffer) {
        for (index, value) in row.enumerated() {
            if index > 0 { buffer.writeInteger(UInt8(ascii: "\t")) }
            switch value {
            case .null:
                buffer.writeStaticString("\\N")
            case .integer(let number):
                buffer.writeString(String(number))
            case .text(let text):
                for byte in text.utf8 {
                    switch byte {
                    case UInt8(ascii: "\\"): buffer.writeStaticString("\\\\")
                    case UInt8(ascii: "\t"): buffer.writeStaticString("\\t")
                    case UInt8(ascii: "\n"): buffer.writeStaticString("\\n")
                    case UInt8(ascii: "\r"): buffer.writeStaticString("\\r")
                    default: buffer.writeInteger(byte)
                    }
                }
            case .bytes(let bytes):
                buffer.writeStaticString("\\\\x")
                for byte in bytes {
                    buffer.writeInteger(Self.hexDigits[Int(byte >> 4)])
                    buffer.writeInteger(Self.hexDigits[Int(byte & 0x0F)])
                }
            }
        }
        buffer.writeInteger(UInt8(ascii: "\n"))
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

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
