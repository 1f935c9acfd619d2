/// RES-06: an operational failure travels between desk instances as JSON (the upload queue, DESK-61).
extension OperationalError: Codable {
    enum CodingKeys: String, CodingKey {
        case code
        case ja
        case en
    }

    /// RES-06: decodes `{"code", "ja", "en"}`.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(Code(name: try container.decode(String.self, forKey: .code)),
                  LocalizedText(ja: try container.decode(String.self, forKey: .ja), en: try container.decode(String.self, forKey: .en)))
    }

    /// RES-06: encodes `{"code", "ja", "en"}`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(code.name, forKey: .code)
        try container.encode(message.ja, forKey: .ja)
        try container.encode(message.en, forKey: .en)
    }
}
