import BulkRAModel

/// A record of one upload kind with its columns named; values are still raw text (DEC-07).
public protocol UploadRow: Sendable {
    /// The upload kind the row belongs to.
    static var kind: UploadKind { get }
    /// The record, shaped to the kind's column count.
    var record: TSVRecord { get }
    /// Names the columns of a record already shaped to the kind's column count.
    init(_ record: TSVRecord)
}

extension UploadRow {
    /// The 1-based line number.
    public var line: Int { record.line }

    /// The raw value of a 1-based column.
    public func value(_ column: Int) -> String { record.fields[column - 1] }
}

/// The columns every certificate line shares: server, client and code-signing layouts (DEC-07).
public protocol CertificateLineRow: UploadRow {}

extension CertificateLineRow {
    /// Column 1: subject DN.
    public var subjectDN: String { value(1) }
    /// Column 2: profile ID.
    public var profile: String { value(2) }
    /// Column 4: serial of the certificate to renew or revoke.
    public var targetSerial: String { value(4) }
    /// Column 5: revocation reason.
    public var reason: String { value(5) }
    /// Column 6: revocation comment.
    public var comment: String { value(6) }
    /// Column 8: user-administrator name.
    public var administratorName: String { value(8) }
    /// Column 9: user-administrator affiliation.
    public var administratorAffiliation: String { value(9) }
    /// Column 10: user-administrator e-mail.
    public var administratorEmail: String { value(10) }
}
