import BulkRADecode
import BulkRAModel
import Foundation

/// Rules of OU allow-list rows (Specs/allowlist-tsv.md, ALW-01..ALW-04).
struct AllowListLineChecker: Sendable {
    let institution: InstitutionProfile
    let layout = ColumnLayout.allowList

    /// Checks one row; `seen` holds the pairs of earlier rows of the file.
    func check(_ row: AllowListRow, seen: inout Set<AllowListKey>) -> (LineCheck, AllowListEntry?) {
        var check = LineCheck(line: row.line, layout: layout)
        check.checkPresence(ColumnPresence.table(.allowList, operation: .apply), values: row.value)
        let domain = check.parse(1, row.domain) { raw throws(ValueError) in try DomainName(raw) }
        if let domain, !institution.domains.contains(domain) {
            check.report(.domainNotRegistered, column: 1, detail: LocalizedText(ja: "（\(domain)）", en: "(\(domain))"))
        }
        let ou = check.parse(2, row.organizationalUnit) { raw throws(ValueError) -> String in
            try Self.checkOrganizationalUnit(raw)
        }
        guard let domain, let ou, check.isClean else { return (check, nil) }
        let key = AllowListKey(domain: domain, organizationalUnit: ou)
        if institution.allowList[domain]?.contains(ou) == true {
            check.report(.duplicateInFile, column: 2, detail: LocalizedText(ja: "（すでに登録されています）", en: "(already on the allow list)"))
        } else if !seen.insert(key).inserted {
            check.report(.duplicateInFile, column: 2)
        }
        guard check.isClean else { return (check, nil) }
        return (check, AllowListEntry(line: row.line, domain: domain, organizationalUnit: ou))
    }

    /// ALW-03: O/OU characters, at most 64, not one character, not only digits and symbols. NFC-normalised.
    static func checkOrganizationalUnit(_ raw: String) throws(ValueError) -> String {
        if let bad = CharacterRepertoire.organization.firstViolation(in: raw) {
            throw ValueError(.characterNotAllowed, CharacterRepertoire.describe(bad))
        }
        try checkLength(raw, maximum: 64)
        if raw.unicodeScalars.count == 1 {
            throw ValueError(.characterNotAllowed, ja: "（1文字のOUは登録できません）", en: "(a one-character OU cannot be registered)")
        }
        let hasLetter = raw.unicodeScalars.contains { (0x41...0x5A).contains($0.value) || (0x61...0x7A).contains($0.value) }
        if !hasLetter {
            throw ValueError(.characterNotAllowed, ja: "（数字や記号だけのOUは登録できません）",
                             en: "(an OU of only digits and symbols cannot be registered)")
        }
        return raw.precomposedStringWithCanonicalMapping
    }
}

/// A (domain, OU) pair, the identity of an allow-list row.
struct AllowListKey: Hashable, Sendable {
    let domain: DomainName
    let organizationalUnit: String
}
