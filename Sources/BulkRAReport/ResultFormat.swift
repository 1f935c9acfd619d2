/// The two forms of an upload result (RES-10, RES-11).
public enum ResultFormat: String, Sendable, CaseIterable {
    /// Machine-readable JSON.
    case json
    /// A TSV table for people.
    case tsv
}
