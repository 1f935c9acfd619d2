/// A message in Japanese and English; every result and error carries both (RES-03).
public struct LocalizedText: Sendable, Hashable, Codable {
    /// The Japanese text, shown first.
    public let ja: String
    /// The English text.
    public let en: String

    /// Creates a message from its two languages.
    public init(ja: String, en: String) {
        self.ja = ja
        self.en = en
    }

    /// Appends a detail sentence to both languages.
    public func adding(_ detail: LocalizedText?) -> LocalizedText {
        guard let detail else { return self }
        return LocalizedText(ja: ja + detail.ja, en: en + " " + detail.en)
    }
}
