import BulkRAModel
import BulkRAValidate

/// A registration officer logged in with an RA certificate (DESK-01): the officer, the institution and the domains.
struct DeskOfficer: Sendable {
    let email: String
    let name: String
    let romaji: String
    let institutionID: String
    let institutionName: String
    let domains: [String]
    /// The serial of the RA certificate used (CSRF tokens and audit records are bound to it).
    let certificateSerial: SerialNumber
}
