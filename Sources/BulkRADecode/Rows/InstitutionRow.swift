import BulkRAModel

/// A raw institution-information line, one per registration officer: 14 columns (Specs/institution-tsv.md, INS-01).
public struct InstitutionRow: UploadRow, Hashable {
    public static let kind = UploadKind.institution
    public let record: TSVRecord

    public init(_ record: TSVRecord) {
        self.record = record
    }

    /// Column 1: 1 add, 2 update, 3 remove officer.
    public var operation: String { value(1) }
    /// Column 2: institution ID.
    public var institutionID: String { value(2) }
    /// Column 3: institution name (Japanese).
    public var name: String { value(3) }
    /// Column 4: institution name in English (the certificates' O).
    public var englishName: String { value(4) }
    /// Column 5: ST (prefecture, romaji).
    public var stateOrProvince: String { value(5) }
    /// Column 6: L (city, romaji).
    public var locality: String { value(6) }
    /// Column 7: comma-separated target domains of the officer.
    public var domains: String { value(7) }
    /// Column 8: head of institution.
    public var headName: String { value(8) }
    /// Column 9: head of institution e-mail.
    public var headEmail: String { value(9) }
    /// Column 10: officer name.
    public var officerName: String { value(10) }
    /// Column 11: officer name in romaji.
    public var officerRomaji: String { value(11) }
    /// Column 12: officer e-mail.
    public var officerEmail: String { value(12) }
    /// Column 13: institution state (1 active, 0 inactive).
    public var state: String { value(13) }
    /// Column 14: remarks.
    public var remarks: String { value(14) }
}
