import Foundation

/// TERM-02: what the desk reads and writes of an institution's termination (async, off the cooperative threads).
public protocol TerminationStore: Sendable {
    /// TERM-02: the institution's termination, if one is scheduled or done.
    func termination(institutionID: String) async throws -> TerminationRecord?
    /// TERM-02: records that `officerEmail` confirmed the list of a termination not yet done; false when there is none to
    /// confirm.
    func confirmTermination(institutionID: String, officerEmail: String, at now: Date) async throws -> Bool
}
