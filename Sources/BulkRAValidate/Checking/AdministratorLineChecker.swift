import BulkRADecode
import BulkRAModel

/// Local rules of a user-administrator update line (Specs/admin-tsv.md, ADM-01..ADM-03).
struct AdministratorLineChecker: Sendable {
    let layout = ColumnLayout.administrator

    struct Draft: Sendable {
        var check: LineCheck
        var subject: SubjectDistinguishedName?
        var serial: SerialNumber?
        var name: TextValue?
        var affiliation: TextValue?
        var email: EmailAddress?

        var request: AdministratorUpdate? {
            guard check.isClean, let serial, let name, let affiliation, let email else { return nil }
            return AdministratorUpdate(line: check.line, serial: serial, name: name, affiliation: affiliation, email: email)
        }
    }

    func draft(_ row: AdministratorUpdateRow) -> Draft {
        var draft = Draft(check: LineCheck(line: row.line, layout: layout))
        draft.check.checkPresence(ColumnPresence.table(.administrator, operation: .update), values: row.value)
        draft.subject = draft.check.parse(1, row.subjectDN) { raw throws(ValueError) in
            try checkLength(raw, maximum: 250)
            return try SubjectDistinguishedName(raw)
        }
        draft.serial = draft.check.parse(4, row.serial) { raw throws(ValueError) in try SerialNumber(raw) }
        draft.name = draft.check.parse(8, row.administratorName) { raw throws(ValueError) in try TextValue(raw, maximumLength: 64) }
        draft.affiliation = draft.check.parse(9, row.administratorAffiliation) { raw throws(ValueError) in
            try TextValue(raw, maximumLength: 64)
        }
        draft.email = draft.check.parse(10, row.administratorEmail) { raw throws(ValueError) in try EmailAddress(raw) }
        return draft
    }
}
