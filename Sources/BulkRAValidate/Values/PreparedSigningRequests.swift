import BulkRADecode
import BulkRAModel

/// PERF-09: the CSRs of an upload parsed and their signatures verified before the registry's write lock is taken, so
/// that the lock is held for the checks that read the registry, not for signature arithmetic.
///
/// A CSR's parse and verification depend on its column-7 text alone (CSR-01, CSR-02), so the checks under the lock take
/// the outcome prepared for their line when the line's text is the one prepared, and the same outcome they would have
/// computed; a line not prepared, or with other text, is parsed there as before. PERF-32: outcomes are kept by line number
/// (the text compared on lookup) rather than hashed by their text of about 1.6 KB.
public struct PreparedSigningRequests: Sendable {
    /// A line's column-7 text and what it parsed to.
    struct Prepared: Sendable {
        let text: String
        let outcome: Result<SigningRequest, ValueError>
    }

    private let outcomes: [Int: Prepared]

    /// PERF-09: nothing prepared; every CSR is parsed where it is checked.
    public static let none = PreparedSigningRequests(outcomes: [:])

    init(outcomes: [Int: Prepared]) {
        self.outcomes = outcomes
    }

    /// PERF-09: parses and verifies, on the cores as `share` says (PERF-90), the CSR of each well-formed line of `upload` that
    /// the line checks of `context` would read: issue and renew lines of server and code-signing files.
    public init(_ upload: DecodedUpload, context: UploadContext, share: CoreShare = .all) {
        guard !upload.isRejected, context.operation == .issue || context.operation == .renew else {
            self = .none
            return
        }
        switch context.kind {
        case .server: self.init(upload, ServerRow.self, share: share)
        case .codeSigning: self.init(upload, CodeSigningRow.self, share: share)
        case .institution, .allowList, .client, .administrator, .acme: self = .none
        }
    }

    private init<Row: UploadRow>(_ upload: DecodedUpload, _ rowType: Row.Type, share: CoreShare) {
        let column = CertificateLineChecker.csrColumn
        let prepared = parallelMap(upload.recordCount, share: share) { index -> (line: Int, Prepared)? in
            guard case .row(let row) = upload.row(Row.self, at: index) else { return nil }
            let raw = row.value(column)
            guard !raw.isEmpty else { return nil }
            return (row.line, Prepared(text: raw, outcome: Result { () throws(ValueError) in try SigningRequest(raw) }))
        }
        var outcomes: [Int: Prepared] = [:]
        outcomes.reserveCapacity(prepared.count)
        for case let (line, outcome)? in prepared { outcomes[line] = outcome }
        self.init(outcomes: outcomes)
    }

    /// PERF-09: how many lines had a CSR prepared.
    public var count: Int { outcomes.count }

    /// CSR-01..CSR-02: the request `raw` (the text of line `line`) parses to — prepared, or parsed now.
    func request(_ raw: String, line: Int) throws(ValueError) -> SigningRequest {
        guard let prepared = outcomes[line], prepared.text == raw else { return try SigningRequest(raw) }
        return try prepared.outcome.get()
    }
}
