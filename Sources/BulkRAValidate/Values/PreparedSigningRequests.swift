import BulkRADecode
import BulkRAModel

/// PERF-09: the CSRs of an upload parsed and their signatures verified before the registry's write lock is taken, so
/// that the lock is held for the checks that read the registry, not for signature arithmetic.
///
/// A CSR's parse and verification depend on its column-7 text alone (CSR-01, CSR-02), so the checks under the lock
/// look each value up by that text and take the same outcome they would have computed; a text not prepared is parsed
/// there as before.
public struct PreparedSigningRequests: Sendable {
    private let outcomes: [String: Result<SigningRequest, ValueError>]

    /// PERF-09: nothing prepared; every CSR is parsed where it is checked.
    public static let none = PreparedSigningRequests(outcomes: [:])

    init(outcomes: [String: Result<SigningRequest, ValueError>]) {
        self.outcomes = outcomes
    }

    /// PERF-09: parses and verifies, on every core, the CSR of each well-formed line of `upload` that the line checks of
    /// `context` would read: issue and renew lines of server and code-signing files.
    public init(_ upload: DecodedUpload, context: UploadContext) {
        guard !upload.isRejected, context.operation == .issue || context.operation == .renew else {
            self = .none
            return
        }
        switch context.kind {
        case .server: self.init(upload, ServerRow.self)
        case .codeSigning: self.init(upload, CodeSigningRow.self)
        case .institution, .allowList, .client, .administrator, .acme: self = .none
        }
    }

    private init<Row: UploadRow>(_ upload: DecodedUpload, _ rowType: Row.Type) {
        let column = CertificateLineChecker.csrColumn
        let prepared = parallelMap(upload.recordCount) { index -> (String, Result<SigningRequest, ValueError>)? in
            guard case .row(let row) = upload.row(Row.self, at: index) else { return nil }
            let raw = row.value(column)
            guard !raw.isEmpty else { return nil }
            return (raw, Result { () throws(ValueError) in try SigningRequest(raw) })
        }
        self.init(outcomes: Dictionary(prepared.compactMap { $0 }, uniquingKeysWith: { first, _ in first }))
    }

    /// PERF-09: how many distinct CSR texts were prepared.
    public var count: Int { outcomes.count }

    /// CSR-01..CSR-02: the request `raw` parses to — prepared, or parsed now.
    func request(_ raw: String) throws(ValueError) -> SigningRequest {
        guard let outcome = outcomes[raw] else { return try SigningRequest(raw) }
        return try outcome.get()
    }
}
