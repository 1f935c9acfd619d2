import Foundation

/// One result row of a registry statement, read by column name on both backends (REG-20).
public struct SQLRow: Sendable {
    /// The result's column names and their positions, shared by every row of one result.
    public final class Columns: Sendable {
        let positions: [String: Int]
        /// The names in result order.
        public let names: [String]

        /// REG-20: the columns in result order.
        public init(_ names: [String]) {
            self.names = names
            var positions: [String: Int] = [:]
            for (index, name) in names.enumerated() where positions[name] == nil { positions[name] = index }
            self.positions = positions
        }
    }

    let columns: Columns
    let values: [SQLValue]

    /// REG-20: a row of `columns`.
    public init(columns: Columns, values: [SQLValue]) {
        self.columns = columns
        self.values = values
    }

    /// The value of `name`; NULL for a column the result lacks.
    public subscript(_ name: String) -> SQLValue {
        guard let index = columns.positions[name], index < values.count else { return .null }
        return values[index]
    }

    /// The text of `name`, or nil when NULL.
    public func text(_ name: String) -> String? {
        switch self[name] {
        case .text(let text): text
        case .integer(let number): String(number)
        case .bytes(let bytes): String(decoding: bytes, as: UTF8.self)
        case .null: nil
        }
    }

    /// The integer of `name`, or nil when NULL or not a number.
    public func integer(_ name: String) -> Int64? {
        switch self[name] {
        case .integer(let number): number
        case .text(let text): Int64(text)
        case .bytes, .null: nil
        }
    }

    /// The integer of `name` as an `Int`, or nil.
    public func int(_ name: String) -> Int? {
        integer(name).map { Int($0) }
    }

    /// The bytes of `name`, or nil when NULL.
    public func bytes(_ name: String) -> [UInt8]? {
        switch self[name] {
        case .bytes(let bytes): bytes
        case .text(let text): Array(text.utf8)
        case .integer, .null: nil
        }
    }

    /// Whether `name` holds a true flag (1, or PostgreSQL's boolean `t`).
    public func flag(_ name: String) -> Bool {
        switch self[name] {
        case .integer(let number): number != 0
        case .text(let text): text == "t" || text == "true" || text == "1"
        case .bytes, .null: false
        }
    }
}
