/// A failure of the machinery rather than of the upload: database, key, file system (RES-06).
///
/// Upload problems are ``Diagnostic`` values; only these are thrown.
public struct OperationalError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure this is.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        let name: String
        /// The registry could not be opened, read or written.
        public static let database = Code(name: "database")
        /// A referenced record (institution, officer) does not exist.
        public static let notFound = Code(name: "not-found")
        /// The request cannot be carried out as asked.
        public static let invalidRequest = Code(name: "invalid-request")
        /// A file could not be read or written.
        public static let io = Code(name: "io")
        /// A key could not be made, read or used, or signing failed.
        public static let key = Code(name: "key")
        /// Text conversion machinery failed.
        public static let encoding = Code(name: "encoding")
        /// The registry file is read-only (file mode, mount) (REG-19).
        public static let registryReadOnly = Code(name: "registry-read-only")
        /// Another process held the registry's write lock past the timeout (REG-19).
        public static let registryBusy = Code(name: "registry-busy")
        /// The registry file is damaged or not a registry (REG-19).
        public static let registryCorrupt = Code(name: "registry-corrupt")
        /// The registry was written by a newer BulkRA (REG-19).
        public static let registryTooNew = Code(name: "registry-too-new")
        /// An input path names something that is not a regular file (FIFO, device, folder) (CLI-06).
        public static let notAFile = Code(name: "not-a-file")
        public var description: String { name }
    }

    /// The failure's kind.
    public let code: Code
    /// What happened, in both languages.
    public let message: LocalizedText

    /// Creates an operational error.
    public init(_ code: Code, _ message: LocalizedText) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message.ja) / \(message.en)" }
}
