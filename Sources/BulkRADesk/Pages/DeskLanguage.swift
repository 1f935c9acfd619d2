/// The page language (DESK-31): Japanese first; `?lang=en` switches a page to English.
enum DeskLanguage: String, Sendable {
    case ja
    case en

    init(query: String?) {
        self = query == "en" ? .en : .ja
    }

    /// Picks the text of this language.
    func text(_ ja: String, _ en: String) -> String {
        self == .ja ? ja : en
    }

    /// A desk path in this language (adds `lang=en` when English).
    func path(_ path: String) -> String {
        guard self == .en else { return path }
        return path + (path.contains("?") ? "&" : "?") + "lang=en"
    }
}
