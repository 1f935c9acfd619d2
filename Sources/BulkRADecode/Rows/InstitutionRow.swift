import BulkRAModel

/// A raw institution-information line, one per registration officer: 14 columns (Specs/institution-tsv.md, INS-01).
public struct InstitutionRow: UploadRow, Hashable {
    public static let kind = UploadKind.institution
    public let line: Int
    let fields: [String]

    public init(_ record: TSVRecord) {
        line = record.line
        fields = record.fields
    }

    public func value(_ column: Int) -> String { fields[column - 1] }

    /// Column 1: 1 add, 2 update, 3 remove officer.
    public var operation: String { fields[0] }
    /// Column 2: institution ID.
    public var institutionID: String { fields[1] }
    /// Column 3: institution name (Japanese).
    public var name: String { fields[2] }
    /// Column 4: institution name in English (the certificates' O).
    public var englishName: String { fields[3] }
    /// Column 5: ST (prefecture, romaji).
    public var stateOrProvince: String { fields[4] }
    /// Column 6: L (city, romaji).
    public var locality: String { fields[5] }
    /// Column 7: comma-separated target domains of the officer.
    public var domains: String { fields[6] }
    /// Column 8: head of institution.
    public var headName: String { fields[7] }
    /// Column 9: head of institution e-mail.
    public var headEmail: String { fields[8] }
    /// Column 10: officer name.
    public var officerName: String { fields[9] }
    /// Column 11: officer name in romaji.
    public var officerRomaji: String { fields[10] }
    /// Column 12: officer e-mail.
    public var officerEmail: String { fields[11] }
    /// Column 13: institution state (1 active, 0 inactive).
    public var state: String { fields[12] }
    /// Column 14: remarks.
    public var remarks: String { fields[13] }
}
