import BulkRAModel

/// A raw client or S/MIME line: 15 columns, 14-column legacy lines padded (Specs/client-tsv.md, CLT-01).
public struct ClientRow: UploadRow, Hashable {
    public static let kind = UploadKind.client
    public let line: Int
    let fields: [String]

    public init(_ record: TSVRecord) {
        line = record.line
        fields = record.fields
    }

    public func value(_ column: Int) -> String { fields[column - 1] }

    /// Column 1: subject DN.
    public var subjectDN: String { fields[0] }
    /// Column 2: profile ID.
    public var profile: String { fields[1] }
    /// Column 3: download method.
    public var downloadMethod: String { fields[2] }
    /// Column 4: serial of the certificate to renew or revoke.
    public var targetSerial: String { fields[3] }
    /// Column 5: revocation reason.
    public var reason: String { fields[4] }
    /// Column 6: revocation comment.
    public var comment: String { fields[5] }
    /// Column 8: user-administrator name.
    public var administratorName: String { fields[7] }
    /// Column 9: user-administrator affiliation.
    public var administratorAffiliation: String { fields[8] }
    /// Column 10: user-administrator e-mail.
    public var administratorEmail: String { fields[9] }
    /// Column 11: user name.
    public var userName: String { fields[10] }
    /// Column 12: PKCS#12 file name.
    public var p12FileName: String { fields[11] }
    /// Column 13: user affiliation.
    public var userAffiliation: String { fields[12] }
    /// Column 14: user e-mail.
    public var userEmail: String { fields[13] }
    /// Column 15: access PIN (empty: the service makes one).
    public var accessPIN: String { fields[14] }
}
