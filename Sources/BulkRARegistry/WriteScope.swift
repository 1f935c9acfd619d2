import Foundation

/// What a write transaction may touch, and so whom it must exclude (REG-17, REG-20).
///
/// On SQLite every writer takes the one write lock whatever its scope. On PostgreSQL the scopes let writers that
/// cannot conflict run side by side: institution submissions of different institutions at once, while a change to
/// institutions, officers or domains (``registry``) still excludes everyone.
public enum WriteScope: Sendable, Hashable {
    /// Institutions, officers, domains, or anything across institutions: excludes every other writer.
    case registry
    /// One institution's certificates, allow-list or enrolments: excludes writers of the same institution and of
    /// the whole registry.
    case institution(String)
    /// Row-level work (outbox claims, link uses, audit entries) whose statements lock the rows they read.
    case rows
}
