import BulkRADecode
import BulkRAModel

/// Rules of institution-information rows (Specs/institution-tsv.md, INS-01..INS-12).
///
/// Sequential: each row is checked against the registry and the earlier rows of the same file.
struct InstitutionLineChecker {
    let directory: any ValidationDirectory
    let layout = ColumnLayout.institution

    /// Columns whose values describe the institution and must agree between its rows (INS-09).
    static let institutionColumns = [3, 4, 5, 6, 8, 9, 13]

    private var firstRows: [String: InstitutionRow] = [:]
    private var officersSeen: Set<String> = []
    private var domainClaims: [DomainName: String] = [:]

    init(directory: any ValidationDirectory) {
        self.directory = directory
    }

    mutating func check(_ row: InstitutionRow) throws -> (LineCheck, InstitutionChange?) {
        var check = LineCheck(line: row.line, layout: layout)
        let action = check.parse(1, row.operation) { raw throws(ValueError) -> InstitutionChange.Action in
            if CharacterRepertoire.digits.firstViolation(in: raw) != nil { throw ValueError(.nonDigit) }
            try checkLength(raw, maximum: 1)
            guard let action = InstitutionChange.Action(rawValue: Int(raw) ?? -1) else {
                throw ValueError(.valueNotInSet, ja: "（1 追加、2 変更、3 登録担当者削除）", en: "(1 add, 2 update, 3 remove officer)")
            }
            return action
        }
        let removing = action == .removeOfficer
        check.checkPresence(removing ? ColumnPresence.institutionOfficerRemoval : ColumnPresence.table(.institution, operation: .apply),
                            values: row.value)

        let id = check.parse(2, row.institutionID) { raw throws(ValueError) -> String in
            if let bad = CharacterRepertoire.institutionID.firstViolation(in: raw) { throw ValueError(.characterNotAllowed, CharacterRepertoire.describe(bad)) }
            try checkLength(raw, maximum: 32)
            return raw
        }
        let name = check.parse(3, row.name) { raw throws(ValueError) in try TextValue(raw, maximumLength: 64) }
        let english = check.parse(4, row.englishName) { raw throws(ValueError) in try Self.organizationValue(raw) }
        let state = check.parse(5, row.stateOrProvince) { raw throws(ValueError) in try Self.organizationValue(raw) }
        let locality = check.parse(6, row.locality) { raw throws(ValueError) -> String in
            let value = try Self.organizationValue(raw)
            if CertificateLineChecker.isForbiddenLocality(value) {
                throw ValueError(.forbiddenLocality, ja: "（「Academe」「Default」を含む値や「City」は使用できません）",
                                 en: "(must not contain 'Academe' or 'Default' and must not be just 'City')")
            }
            return value
        }
        let domains = check.parse(7, row.domains) { raw throws(ValueError) -> [DomainName] in
            try checkLength(raw, maximum: 250)
            var result: [DomainName] = []
            for part in raw.split(separator: ",", omittingEmptySubsequences: false) {
                do throws(ValueError) {
                    let domain = try DomainName(String(part))
                    if !result.contains(domain) { result.append(domain) }
                } catch {
                    throw ValueError(.syntaxViolated, LocalizedText(ja: "（「\(part)」）", en: "('\(part)')").adding(error.detail))
                }
            }
            return result
        }
        let headName = check.parse(8, row.headName) { raw throws(ValueError) in try TextValue(raw, maximumLength: 64) }
        let headEmail = check.parse(9, row.headEmail) { raw throws(ValueError) in try EmailAddress(raw) }
        let officerName = check.parse(10, row.officerName) { raw throws(ValueError) in try TextValue(raw, maximumLength: 64) }
        let romaji = check.parse(11, row.officerRomaji) { raw throws(ValueError) -> String in
            if let bad = CharacterRepertoire.commonName.firstViolation(in: raw) { throw ValueError(.syntaxViolated, CharacterRepertoire.describe(bad)) }
            try checkLength(raw, maximum: 64)
            return raw
        }
        let officerEmail = check.parse(12, row.officerEmail) { raw throws(ValueError) in try EmailAddress(raw) }
        let active = check.parse(13, row.state) { raw throws(ValueError) -> Bool in
            if CharacterRepertoire.digits.firstViolation(in: raw) != nil { throw ValueError(.nonDigit) }
            try checkLength(raw, maximum: 1)
            guard raw == "0" || raw == "1" else { throw ValueError(.valueNotInSet, ja: "（1 有効、0 無効）", en: "(1 active, 0 inactive)") }
            return raw == "1"
        }
        let remarks = check.parse(14, row.remarks) { raw throws(ValueError) in try TextValue(raw, maximumLength: 128) }

        guard let action, let id else { return (check, nil) }

        // INS-09: rows of one institution agree on its values.
        if let first = firstRows[id] {
            for column in Self.institutionColumns where !row.value(column).isEmpty && !first.value(column).isEmpty
                && row.value(column) != first.value(column) {
                check.report(.registeredValueMismatch, column: column, detail: LocalizedText(
                    ja: "（\(first.line)行目の同じ機関の値と異なります）", en: "(differs from line \(first.line) of the same institution)"))
            }
        } else if !removing {
            firstRows[id] = row
        }

        let registered = try directory.institution(id: id)
        let knownInFile = firstRows[id].map { $0.line != row.line } ?? false
        switch action {
        case .add:
            // INS-10: adding to an existing institution repeats its registered values.
            if let registered {
                let pairs: [(Int, String?, String)] = [
                    (3, name?.text, registered.name), (4, english, registered.englishName),
                    (5, state, registered.stateOrProvince), (6, locality, registered.locality),
                    (8, headName?.text, registered.headName), (9, headEmail?.address, registered.headEmail),
                    (13, active.map { $0 ? "1" : "0" }, registered.isActive ? "1" : "0"),
                ]
                for (column, given, stored) in pairs where given != nil && given != stored {
                    check.report(.registeredValueMismatch, column: column, detail: LocalizedText(
                        ja: "（登録値と異なります。変更は処理区分2で行ってください）",
                        en: "(differs from the registered value; use operation 2 to change it)"))
                }
            }
        case .update, .removeOfficer:
            if registered == nil && !knownInFile {
                check.report(.serialNotOwned, column: 2, message: LocalizedText(
                    ja: "機関IDが登録されていません。", en: "The institution ID is not registered."))
            }
        }

        // INS-11: officers are keyed by e-mail.
        let institutionKnown = registered != nil || knownInFile || action == .add
        if let officerEmail, institutionKnown {
            let key = officerEmail.normalized
            let known = try directory.officer(email: key)
            if !officersSeen.insert(key).inserted {
                check.report(.duplicateInFile, column: 12)
            } else if let known, known.institutionID != id {
                check.report(.serialNotOwned, column: 12, message: LocalizedText(
                    ja: "この登録担当者は他の機関に登録されています。", en: "This officer is registered to another institution."))
            } else if action == .add, known != nil {
                check.report(.identityAlreadyIssued, column: 12, message: LocalizedText(
                    ja: "この登録担当者はすでに登録されています。変更は処理区分2で行ってください。",
                    en: "This officer is already registered; use operation 2 to change them."))
            } else if action != .add, known == nil {
                check.report(.serialNotOwned, column: 12, message: LocalizedText(
                    ja: "この登録担当者は登録されていません。", en: "This officer is not registered."))
            }
        }

        // INS-12: a domain belongs to one institution.
        for domain in domains ?? [] {
            let owner = try domainClaims[domain] ?? directory.institutionOwning(domain: domain)
            if let owner, owner != id {
                check.report(.domainNotRegistered, column: 7, message: LocalizedText(
                    ja: "ドメイン\(domain)は他の機関に登録されています。", en: "The domain \(domain) is registered to another institution."))
            } else {
                domainClaims[domain] = id
            }
        }

        guard check.isClean, let officerEmail else { return (check, nil) }
        let domainSet = Set(domains ?? [])
        let profile = InstitutionProfile(
            id: id, name: name?.text ?? registered?.name ?? "", englishName: english ?? registered?.englishName ?? "",
            stateOrProvince: state ?? registered?.stateOrProvince ?? "", locality: locality ?? registered?.locality ?? "",
            headName: headName?.text ?? registered?.headName ?? "", headEmail: headEmail?.address ?? registered?.headEmail ?? "",
            isActive: active ?? registered?.isActive ?? true, domains: domainSet, allowList: [:], officers: [:])
        let officer = KnownOfficer(email: officerEmail.normalized, institutionID: id, name: officerName?.text ?? "",
                                   romaji: romaji ?? "", domains: domainSet)
        return (check, InstitutionChange(line: row.line, action: action, institution: profile, officer: officer,
                                         remarks: remarks?.text ?? ""))
    }

    /// INS-04: O, ST and L use the O/OU character set (206) and at most 64 characters (202).
    static func organizationValue(_ raw: String) throws(ValueError) -> String {
        if let bad = CharacterRepertoire.organization.firstViolation(in: raw) {
            throw ValueError(.syntaxViolated, CharacterRepertoire.describe(bad))
        }
        try checkLength(raw, maximum: 64)
        return raw
    }
}
