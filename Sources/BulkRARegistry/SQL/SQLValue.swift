import Foundation

/// One value bound to or read from a registry statement, the same on both backends (REG-20).
///
/// The registry stores four kinds only: integers (BIGINT / INTEGER), text (timestamps are ISO 8601 UTC text, REG-07),
/// bytes (BYTEA / BLOB) and NULL, so one set of statements reads and writes either database.
public enum SQLValue: Sendable, Hashable {
    case null
    case integer(Int64)
    case text(String)
    case bytes([UInt8])
}

/// A Swift value the registry binds as a statement argument (REG-20).
public protocol SQLArgument {
    /// The value as bound.
    var sqlValue: SQLValue { get }
}

extension String: SQLArgument {
    /// REG-20: text.
    public var sqlValue: SQLValue { .text(self) }
}

extension Int: SQLArgument {
    /// REG-20: an integer.
    public var sqlValue: SQLValue { .integer(Int64(self)) }
}

extension Int64: SQLArgument {
    /// REG-20: an integer.
    public var sqlValue: SQLValue { .integer(self) }
}

extension Bool: SQLArgument {
    /// REG-20: 1 or 0 (the registry's flags are integers on both backends).
    public var sqlValue: SQLValue { .integer(self ? 1 : 0) }
}

extension Array: SQLArgument where Element == UInt8 {
    /// REG-20: bytes.
    public var sqlValue: SQLValue { .bytes(self) }
}

extension SQLValue: SQLArgument {
    /// REG-20: itself.
    public var sqlValue: SQLValue { self }
}

extension Optional: SQLArgument where Wrapped: SQLArgument {
    /// REG-20: NULL when absent.
    public var sqlValue: SQLValue { self?.sqlValue ?? .null }
}
