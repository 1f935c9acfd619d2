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

    /// PERF-25: the value of `name`, looked for first at `position` (where a declared layout selects it): one comparison of
    /// names instead of hashing one; a result that puts it elsewhere is read by name.
    public subscript(_ name: String, at position: Int) -> SQLValue {
        if position < values.count, position < columns.names.count, columns.names[position] == name { return values[position] }
        return self[name]
    }

    /// The text of `name`, or nil when NULL.
    public func text(_ name: String) -> String? { Self.text(self[name]) }

    /// PERF-25: the text of `name` at its declared `position`, or nil when NULL.
    public func text(_ name: String, at position: Int) -> String? { Self.text(self[name, at: position]) }

    static func text(_ value: SQLValue) -> String? {
        switch value {
        case .text(let text): text
        case .integer(let number): String(number)
        case .bytes(let bytes): String(decoding: bytes, as: UTF8.self)
        case .null: nil
        }
    }

    /// The integer of `name`, or nil when NULL or not a number.
    public func integer(_ name: String) -> Int64? { Self.integer(self[name]) }

    /// PERF-25: the integer of `name` at its declared `position`, or nil.
    public func integer(_ name: String, at position: Int) -> Int64? { Self.integer(self[name, at: position]) }

    static func integer(_ value: SQLValue) -> Int64? {
        switch value {
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
    public func bytes(_ name: String) -> [UInt8]? { Self.bytes(self[name]) }

    /// PERF-25: the bytes of `name` at its declared `position`, or nil.
    public func bytes(_ name: String, at position: Int) -> [UInt8]? { Self.bytes(self[name, at: position]) }

    static func bytes(_ value: SQLValue) -> [UInt8]? {
        switch value {
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
