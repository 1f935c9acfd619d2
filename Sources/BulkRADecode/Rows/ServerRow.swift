import BulkRAModel

/// A raw server-certificate line: 13 columns (Specs/server-tsv.md, SRV-01).
public struct ServerRow: UploadRow, Hashable {
    public static let kind = UploadKind.server
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
    /// Column 4: serial of the certificate to renew or revoke.
    public var targetSerial: String { fields[3] }
    /// Column 5: revocation reason.
    public var reason: String { fields[4] }
    /// Column 6: revocation comment.
    public var comment: String { fields[5] }
    /// Column 7: CSR (one-line base64).
    public var csr: String { fields[6] }
    /// Column 8: user-administrator name.
    public var administratorName: String { fields[7] }
    /// Column 9: user-administrator affiliation.
    public var administratorAffiliation: String { fields[8] }
    /// Column 10: user-administrator e-mail.
    public var administratorEmail: String { fields[9] }
    /// Column 11: server FQDN.
    public var fqdn: String { fields[10] }
    /// Column 12: server software and version.
    public var serverSoftware: String { fields[11] }
    /// Column 13: dNSName list.
    public var dnsNames: String { fields[12] }
}
