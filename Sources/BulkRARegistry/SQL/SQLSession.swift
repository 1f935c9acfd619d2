import Foundation

/// One connection inside one transaction, as the registry's shared statements use it (REG-20).
///
/// Statements are written once with `?` placeholders in the SQL both SQLite and PostgreSQL accept; a session
/// translates what differs (placeholders, how a new row's id comes back, the name of the row-order column).
public protocol SQLSession {
    /// Which database the session talks to.
    var dialect: SQLDialect { get }
    /// Runs a query and returns its rows.
    func rows(_ sql: String, _ arguments: [SQLValue]) throws -> [SQLRow]
    /// Runs a query and hands each row to `body` as it is read (long listings).
    func forEachRow(_ sql: String, _ arguments: [SQLValue], _ body: (SQLRow) throws -> Void) throws
    /// Runs a statement.
    func execute(_ sql: String, _ arguments: [SQLValue]) throws
    /// Runs an INSERT into a table whose key is `id` and returns the new row's id.
    func insert(_ sql: String, _ arguments: [SQLValue]) throws -> Int64
    /// PERF-10, PERF-80: adds each set's rows (values in `columns` order), the sets in order — a prepared INSERT on SQLite,
    /// multi-row INSERTs or COPY for many rows on PostgreSQL; a set's rows are made once the set before it is handed over (on
    /// PostgreSQL while the server works through that set's COPY).
    func insertRowSets(_ sets: [SQLRowSet]) throws
}

/// What differs between the two databases in the registry's SQL (REG-20).
public enum SQLDialect: Sendable {
    case sqlite
    case postgres

    /// The column that orders certificates as they were recorded (paging cursors).
    public var recordingOrder: String {
        switch self {
        case .sqlite: "rowid"
        case .postgres: "seq"
        }
    }

    /// What follows a SELECT whose rows the transaction will update, so that a concurrent writer of the same rows waits
    /// (PostgreSQL); SQLite's writers never run side by side.
    public var lockingRows: String {
        switch self {
        case .sqlite: ""
        case .postgres: " FOR UPDATE"
        }
    }

    /// What follows a SELECT that claims rows: rows another writer holds are passed over, not waited for.
    public var claimingRows: String {
        switch self {
        case .sqlite: ""
        case .postgres: " FOR UPDATE SKIP LOCKED"
        }
    }

    /// `values` joined with spaces, as an aggregate.
    public func joined(_ column: String) -> String {
        switch self {
        case .sqlite: "GROUP_CONCAT(\(column), ' ')"
        case .postgres: "string_agg(\(column), ' ' ORDER BY \(column))"
        }
    }
}

extension SQLSession {
    /// The first row, or nil.
    public func row(_ sql: String, _ arguments: [SQLValue] = []) throws -> SQLRow? {
        try rows(sql, arguments).first
    }

    /// The first column of every row, as text.
    public func texts(_ sql: String, _ arguments: [SQLValue] = []) throws -> [String] {
        try rows(sql, arguments).compactMap { $0.values.first.flatMap(Self.text) }
    }

    /// PERF-10: adds `rows` (values in `columns` order) to `table`: one row set.
    public func insertRows(into table: String, columns: [String], rows: [[SQLValue]]) throws {
        try insertRowSets([SQLRowSet(into: table, columns: columns) { rows }])
    }

    /// PERF-10: `rows` added by multi-row INSERT statements of at most 500 rows and 30,000 arguments each.
    public func insertRowsByStatements(into table: String, columns: [String], rows: [[SQLValue]]) throws {
        let perStatement = max(1, min(500, 30_000 / max(1, columns.count)))
        var start = rows.startIndex
        while start < rows.endIndex {
            let end = min(start + perStatement, rows.endIndex)
            var arguments: [SQLValue] = []
            arguments.reserveCapacity(columns.count * (end - start))
            for row in rows[start..<end] { arguments += row }
            try execute(insertStatement(into: table, columns: columns, rows: end - start), arguments)
            start = end
        }
    }

    /// PERF-10, PERF-13: the INSERT of `count` rows of `columns` into `table`, with `?` placeholders.
    public func insertStatement(into table: String, columns: [String], rows count: Int) -> String {
        let tuple = "(" + marks(columns.count) + ")"
        return "INSERT INTO \(table) (\(columns.joined(separator: ", "))) VALUES " + Array(repeating: tuple, count: count).joined(separator: ", ")
    }

    /// `?, ?, …` for `count` arguments.
    public func marks(_ count: Int) -> String {
        Array(repeating: "?", count: count).joined(separator: ",")
    }

    private static func text(_ value: SQLValue) -> String? {
        switch value {
        case .text(let text): text
        case .integer(let number): String(number)
        case .bytes, .null: nil
        }
    }
}
