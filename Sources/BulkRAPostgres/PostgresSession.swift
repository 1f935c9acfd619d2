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
    /// row), encoded here on both cores (PERF-22) and sent in pieces of 500 rows; fewer rows by multi-row INSERTs. A
    /// failing row fails the COPY, and with it the transaction, as a failing INSERT would.
    ///
    /// PERF-80: the sets in order, each set's rows made and encoded while the server works through the COPY of the set before
    /// (on this connection, which runs one statement at a time, the next COPY starts when that one is done). A set of fewer
    /// rows than `copyThreshold` goes by INSERTs once the COPY before it is done. Nothing is left running when this throws.
    ///
    /// postgres-nio offers COPY only as an async call. It runs as a task whose jobs the connection's event loop executes
    /// (`EventLoopTaskExecutor`), never the cooperative threads, while this thread — one where blocking is allowed, as for
    /// every statement of the session — waits for its future.
    func insertRowSets(_ sets: [SQLRowSet]) throws {
        var running: EventLoopFuture<Void>?
        // Waiting again for a COPY already waited for returns at once.
        defer { _ = try? running?.wait() }
        for set in sets {
            let rows = try set.rows()
            let pieces = rows.count >= Self.copyThreshold ? Self.copyPieces(rows) : nil
            try running?.wait()
            running = pieces.map { copy($0, into: set.table, columns: set.columns) }
            if pieces == nil { try insertRowsByStatements(into: set.table, columns: set.columns, rows: rows) }
        }
        try running?.wait()
    }

    /// PERF-22: the rows in COPY's text format, encoded on both cores, a slice of rows to a piece of the stream, the pieces in
    /// row order.
    static func copyPieces(_ rows: [[SQLValue]]) -> [ByteBuffer] {
        parallelMap(Array(stride(from: 0, to: rows.count, by: rowsPerPiece))) { start in
            var buffer = ByteBuffer()
            buffer.reserveCapacity(64 * 1024)
            for row in rows[start..<min(start + rowsPerPiece, rows.count)] { appendCopyLine(row, to: &buffer) }
            return buffer
        }
    }

    /// PERF-10: starts `COPY table (columns) FROM STDIN` with `pieces` as a task on the connection's event loop; the future
    /// completes when the server has taken every row (or fails with its error).
    func copy(_ pieces: [ByteBuffer], into table: String, columns: [String]) -> EventLoopFuture<Void> {
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
        return done.futureResult
    }

    /// PERF-22: rows encoded per piece of the COPY stream (a 10,000-line batch's certificates make pieces of about 1 MiB).
    static let rowsPerPiece = 500

    /// PERF-10: one row in COPY's text format: fields separated by tabs, the row ended by a newline; NULL as `\N`; text with
    /// backslash, tab, newline and carriage return escaped; bytes as bytea hex (`\\x…`, its backslash escaped in turn).
    /// PERF-22: a text without those four bytes is copied whole, and digits and hex are written straight into the buffer.
    static func appendCopyLine(_ row: [SQLValue], to buffer: inout ByteBuffer) {
        for (index, value) in row.enumerated() {
            if index > 0 { buffer.writeInteger(UInt8(ascii: "\t")) }
            switch value {
            case .null:
                buffer.writeStaticString("\\N")
            case .integer(let number):
                appendDecimal(number, to: &buffer)
            case .text(var text):
                text.withUTF8 { utf8 in
                    guard utf8.contains(where: { $0 <= 0x0D || $0 == 0x5C }) else {
                        buffer.writeBytes(UnsafeRawBufferPointer(utf8))
                        return
                    }
                    for byte in utf8 {
                        switch byte {
                        case UInt8(ascii: "\\"): buffer.writeStaticString("\\\\")
                        case UInt8(ascii: "\t"): buffer.writeStaticString("\\t")
                        case UInt8(ascii: "\n"): buffer.writeStaticString("\\n")
                        case UInt8(ascii: "\r"): buffer.writeStaticString("\\r")
                        default: buffer.writeInteger(byte)
                        }
                    }
                }
            case .bytes(let bytes):
                buffer.writeStaticString("\\\\x")
                buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: bytes.count * 2) { target in
                    var offset = 0
                    for byte in bytes {
                        target[offset] = hexDigits[Int(byte >> 4)]
                        target[offset + 1] = hexDigits[Int(byte & 0x0F)]
                        offset += 2
                    }
                    return offset
                }
            }
        }
        buffer.writeInteger(UInt8(ascii: "\n"))
    }

    /// An integer's decimal digits (with a leading minus), written without an intermediate string.
    static func appendDecimal(_ number: Int64, to buffer: inout ByteBuffer) {
        if number < 0 { buffer.writeInteger(UInt8(ascii: "-")) }
        var magnitude = number.magnitude
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: 20) { target in
            var digits = 0
            repeat {
                target[digits] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
                digits += 1
            } while magnitude > 0
            // Written least significant first: reversed in place.
            var (low, high) = (0, digits - 1)
            while low < high {
                target.swapAt(low, high)
                low += 1
                high -= 1
            }
            return digits
        }
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

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
