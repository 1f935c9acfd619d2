/// PERF-80: rows for one table, made only when their turn comes in `SQLSession.insertRowSets` (values in `columns` order).
///
/// `rows` runs on the session's thread and must not use the session: on PostgreSQL the set before it may still be going
/// through the server's COPY on the same connection.
public struct SQLRowSet {
    /// The table the rows go into.
    public let table: String
    /// The columns, in the order of each row's values.
    public let columns: [String]
    /// Makes the rows.
    public let rows: () throws -> [[SQLValue]]

    /// PERF-80: rows for `table` that `rows` makes when they are inserted.
    public init(into table: String, columns: [String], rows: @escaping () throws -> [[SQLValue]]) {
        self.table = table
        self.columns = columns
        self.rows = rows
    }
}
