import BulkRADecode
import BulkRAModel
import Foundation

/// The line rules of server, client/S/MIME and code-signing uploads that need no registry lookup
/// beyond the institution profile (Specs/server-tsv.md, client-tsv.md, codesign-tsv.md).
struct CertificateLineChecker: Sendable {
    let family: CertificateFamily
    let operation: UploadOperation
    let institution: InstitutionProfile
    let officer: KnownOfficer?
    let layout: ColumnLayout
    /// REV-07: the moment the upload is checked at.
    let now: Date
    /// ACME-T01: the ACME layout — column 3 the account ID, column 7 empty, no CSR; suspend lines read like revocations.
    var isACME = false
    /// PERF-09: CSRs parsed and verified before the write lock; the rest are parsed here.
    var signingRequests = PreparedSigningRequests.none

    /// REV-01, ACME-T05: revoke and suspend lines name something that exists rather than apply for something new.
    var namesExisting: Bool { operation == .revoke || operation == .suspend }

    /// A line after the local checks: its diagnostics so far and the values that parsed.
    struct Draft: Sendable {
        var check: LineCheck
        var subject: SubjectDistinguishedName?
        var identity: String?
        var domain: DomainName?
        var profile: CertificateProfile?
        var signingRequest: SigningRequest?
        var dnsNames: [DomainName] = []
        var serverSoftware: TextValue?
        var administratorName: TextValue?
        var administratorAffiliation: TextValue?
        var administratorEmail: EmailAddress?
        var userName: TextValue?
        var userAffiliation: TextValue?
        var userEmail: EmailAddress?
        var downloadMethod: DownloadMethod?
        var pkcs12FileName: Token?
        var accessPIN: AccessPIN?
        var targetSerial: SerialNumber?
        var revocationReason: RevocationReason?
        var revocationComment: TextValue?
        var scheduledRevocation: ScheduledRevocation?

        /// The accepted request of a clean line (VAL-R01); `nil` when the line has a fault.
        ///
        /// Presence (VAL-C01) and the value checks guarantee every value a case needs; should one be
        /// missing all the same, the line is refused with 201 on its column rather than accepted half-filled.
        mutating func accept() -> CertificateRequest? {
            guard check.isClean else { return nil }
            if let request = build() { return request }
            // Never dropped silently either: a line with no request has a result that says so.
            if check.isClean { check.report(.requiredValueMissing, column: 0) }
            return nil
        }

        private mutating func build() -> CertificateRequest? {
            typealias C = CertificateLineChecker
            var missing = false
            func required<T>(_ value: T?, _ column: Int) -> T? {
                if value == nil, !missing {
                    missing = true
                    check.report(.requiredValueMissing, column: column)
                }
                return value
            }
            let subject = required(subject, C.dnColumn)
            if operation == .revoke {
                let serial = required(targetSerial, C.serialColumn), reason = required(revocationReason, C.reasonColumn)
                guard let subject, let serial, let reason else { return nil }
                return .revoke(RevocationRequest(line: check.line, family: family, subject: subject, serial: serial, reason: reason,
                                                 comment: revocationComment, domain: domain, administratorEmail: administratorEmail,
                                                 userEmail: userEmail, scheduled: scheduledRevocation))
            }
            let profile = required(profile, C.profileColumn), email = required(administratorEmail, C.adminEmailColumn)
            let replaced = operation == .renew ? required(targetSerial, C.serialColumn) : nil
            guard let subject, let profile, let email, operation == .issue || replaced != nil else { return nil }
            let administrator = Contact(name: administratorName, affiliation: administratorAffiliation, email: email)
            let application: CertificateApplication
            switch family {
            case .server:
                let domain = required(domain, C.fqdnColumn), csr = required(signingRequest, C.csrColumn)
                let software = required(serverSoftware, C.softwareColumn)
                let names = required(dnsNames.isEmpty ? nil : dnsNames, C.dnsColumn)
                guard let domain, let csr, let software, let names else { return nil }
                application = .server(ServerApplication(line: check.line, subject: subject, domain: domain, profile: profile,
                                                        signingRequest: csr, dnsNames: names, serverSoftware: software,
                                                        administrator: administrator))
            case .client:
                let method = required(downloadMethod, C.methodColumn)
                let adminName = required(administratorName, C.adminNameColumn)
                let adminAffiliation = required(administratorAffiliation, C.adminAffiliationColumn)
                let userName = required(userName, C.userNameColumn), userAffiliation = required(userAffiliation, C.userAffiliationColumn)
                let userEmail = required(userEmail, C.userEmailColumn)
                let fileName = method?.makesKey == true ? required(pkcs12FileName, C.p12Column) : pkcs12FileName
                guard let method, adminName != nil, adminAffiliation != nil, let userName, let userAffiliation, let userEmail,
                      !method.makesKey || fileName != nil else { return nil }
                application = .client(ClientApplication(
                    line: check.line, subject: subject, domain: domain, profile: profile, downloadMethod: method,
                    pkcs12FileName: fileName, accessPIN: accessPIN, administrator: administrator,
                    user: Contact(name: userName, affiliation: userAffiliation, email: userEmail)))
            case .codeSigning:
                guard let csr = required(signingRequest, C.csrColumn) else { return nil }
                application = .codeSigning(CodeSigningApplication(line: check.line, subject: subject, domain: domain, profile: profile,
                                                                  signingRequest: csr, administrator: administrator))
            case .registrationOfficer:
                check.report(.requiredValueMissing, column: C.profileColumn)
                return nil
            }
            if let replaced { return .renew(application, replacing: replaced) }
            return .issue(application)
        }
        let family: CertificateFamily
        let operation: UploadOperation
    }

    // Column numbers shared by the layouts.
    static let dnColumn = 1, profileColumn = 2, serialColumn = 4, reasonColumn = 5, commentColumn = 6
    static let csrColumn = 7, adminNameColumn = 8, adminAffiliationColumn = 9, adminEmailColumn = 10
    static let fqdnColumn = 11, softwareColumn = 12, dnsColumn = 13
    static let methodColumn = 3, userNameColumn = 11, p12Column = 12, userAffiliationColumn = 13
    static let userEmailColumn = 14, pinColumn = 15

    /// VAL-C01 / SRV-02 / CLT-02 / COD-02 / ACME-T01: which columns each operation fills.
    var presence: [ColumnPresence] {
        family == .registrationOfficer ? [] : ColumnPresence.table(layout.kind, operation: operation)
    }

    /// A line with the wrong number of columns: its 224 result and nothing else.
    func draft(malformed diagnostic: Diagnostic) -> Draft {
        var draft = Draft(check: LineCheck(line: diagnostic.line ?? 0, layout: layout), family: family, operation: operation)
        draft.check.add(diagnostic)
        return draft
    }

    func draft<Row: UploadRow>(_ row: Row) -> Draft {
        var draft = Draft(check: LineCheck(line: row.line, layout: layout), family: family, operation: operation)
        draft.check.checkPresence(presence, values: row.value)
        let revoking = namesExisting

        // Column 1: the subject DN (DN-01..DN-09).
        let rawDN = row.value(Self.dnColumn)
        if !rawDN.isEmpty {
            if rawDN.hasMoreScalars(than: 250) {
                draft.check.report(.valueTooLong, column: Self.dnColumn,
                                   detail: LocalizedText(ja: "（250文字以内）", en: "(at most 250 characters)"))
            } else if let dn = draft.check.parse(Self.dnColumn, rawDN, { raw throws(ValueError) in try SubjectDistinguishedName(raw) }) {
                draft.subject = checkSubject(dn, check: &draft.check)
            }
        }

        if !revoking {
            draft.profile = draft.check.parse(Self.profileColumn, row.value(Self.profileColumn)) { raw throws(ValueError) in
                try CertificateProfile(raw, family: family)
            }
        } else {
            draft.revocationReason = draft.check.parse(Self.reasonColumn, row.value(Self.reasonColumn)) { raw throws(ValueError) in
                try RevocationReason(raw)
            }
            let comment = row.value(Self.commentColumn)
            draft.revocationComment = draft.check.parse(Self.commentColumn, comment) { raw throws(ValueError) in
                try TextValue(raw, maximumLength: 128)
            }
            // REV-02: reason 0 needs a comment that says something.
            if draft.revocationReason == .unspecified,
               comment.unicodeScalars.allSatisfy({ $0 == " " || $0 == "\u{3000}" }) {
                draft.check.report(.reasonWithoutComment, column: Self.commentColumn)
            }
            // REV-07: a time in column 7 schedules the revocation, at most one month ahead (ACME lines keep column 7 empty).
            if !isACME {
                draft.scheduledRevocation = draft.check.parse(Self.csrColumn, row.value(Self.csrColumn)) { [now] raw throws(ValueError) in
                    try ScheduledRevocation(raw, now: now)
                }
            }
        }
        if operation == .revoke || (operation == .renew && !isACME) {
            draft.targetSerial = draft.check.parse(Self.serialColumn, row.value(Self.serialColumn)) { raw throws(ValueError) in
                try SerialNumber(raw)
            }
        }

        // Contact columns 8–10 (checked whenever filled; presence decides when they must be).
        draft.administratorName = draft.check.parse(Self.adminNameColumn, row.value(Self.adminNameColumn)) { raw throws(ValueError) in
            try TextValue(raw, maximumLength: 64)
        }
        draft.administratorAffiliation = draft.check.parse(Self.adminAffiliationColumn, row.value(Self.adminAffiliationColumn)) { raw throws(ValueError) in
            try TextValue(raw, maximumLength: 64)
        }
        draft.administratorEmail = draft.check.parse(Self.adminEmailColumn, row.value(Self.adminEmailColumn)) { raw throws(ValueError) in
            try EmailAddress(raw)
        }

        switch family {
        case .server: checkServerColumns(row, draft: &draft)
        case .client: checkClientColumns(row, draft: &draft)
        case .codeSigning: checkCodeSigningColumns(draft: &draft)
        case .registrationOfficer: break
        }
        if !revoking, family != .client, !isACME {
            checkSigningRequest(row.value(Self.csrColumn), draft: &draft)
        }
        if !revoking, family != .server, let subject = draft.subject {
            checkAllowList(subject, domain: draft.domain, check: &draft.check)
        }
        if let subject = draft.subject {
            draft.identity = CertificateRequest.identity(of: subject, family: family)
        }
        return draft
    }

    // MARK: - Subject DN

    /// DN-04..DN-09: attribute order, character sets, lengths and registered values per family.
    private func checkSubject(_ dn: SubjectDistinguishedName, check: inout LineCheck) -> SubjectDistinguishedName? {
        let column = Self.dnColumn
        let revoking = namesExisting
        var clean = true
        func fail(_ code: ResultCode, _ ja: String, _ en: String) {
            check.report(code, column: column, detail: LocalizedText(ja: ja, en: en))
            clean = false
        }
        // Order (DN-05).
        typealias T = SubjectDistinguishedName.AttributeType
        let hasOU = !dn.values(.organizationalUnit).isEmpty
        switch family {
        case .server where !revoking:
            if hasOU {
                check.report(.organizationalUnitForbidden, column: column)
                clean = false
            }
            // PERF-66: a DN without OU (nearly every server DN) is its own OU-less form; filtering grew a new array each line.
            let withoutOU = hasOU ? SubjectDistinguishedName(attributes: dn.attributes.filter { $0.type != .organizationalUnit }) : dn
            if !withoutOU.matchesOrder([(T.commonName, 1, 1), (.organization, 1, 1), (.locality, 1, 1), (.stateOrProvince, 1, 1), (.country, 1, 1)]) {
                fail(.syntaxViolated, "（CN,O,L,ST,Cの順にすべて指定してください）", "(give CN, O, L, ST, C, in this order)")
            }
        case .server, .client:
            if !dn.matchesOrder([(T.commonName, 1, 1), (.organizationalUnit, 0, 16), (.organization, 1, 1), (.locality, 0, 1), (.stateOrProvince, 0, 1), (.country, 1, 1)]) {
                fail(.syntaxViolated, "（CN,OU(0個以上),O,L,ST,Cの順に指定してください）", "(give CN, OU (zero or more), O, L, ST, C, in this order)")
            } else if family == .client, dn.value(.locality) == nil, dn.value(.stateOrProvince) == nil {
                fail(.syntaxViolated, "（LとSTの少なくとも一方が必要です）", "(at least one of L and ST is required)")
            }
        case .codeSigning:
            if !dn.matchesOrder([(T.commonName, 1, 1), (.organizationalUnit, 0, 16), (.organization, 1, 1), (.locality, 1, 1), (.stateOrProvince, 1, 1), (.country, 1, 1)]) {
                fail(.syntaxViolated, "（CN,OU(0個以上),O,L,ST,Cの順にすべて指定してください）", "(give CN, OU (zero or more), O, L, ST, C, in this order)")
            }
        case .registrationOfficer:
            break
        }
        var attributes: [SubjectDistinguishedName.Attribute] = []
        attributes.reserveCapacity(dn.attributes.count)  // PERF-40
        for attribute in dn.attributes {
            let name = attribute.type.rawValue
            var value = attribute.value
            switch attribute.type {
            case .commonName:
                if value.hasMoreScalars(than: 64) {
                    check.report(.valueTooLong, column: column, detail: LocalizedText(ja: "（CNは64文字以内）", en: "(CN has at most 64 characters)"))
                    clean = false
                } else if family == .server {
                    do throws(ValueError) {
                        value = try DomainName(value).name
                    } catch {
                        check.report(.syntaxViolated, column: column,
                                     detail: LocalizedText(ja: "（CNはFQDNで指定してください）", en: "(CN must be an FQDN)").adding(error.detail))
                        clean = false
                    }
                } else if let bad = (family == .codeSigning ? CharacterRepertoire.codeSigningCommonName : .commonName).firstViolation(in: value) {
                    check.report(.syntaxViolated, column: column,
                                 detail: LocalizedText(ja: "（CN）", en: "(CN)").adding(CharacterRepertoire.describe(bad)))
                    clean = false
                }
            case .organizationalUnit, .organization, .locality, .stateOrProvince:
                if value.hasMoreScalars(than: 64) {
                    check.report(.valueTooLong, column: column, detail: LocalizedText(ja: "（\(name)は64文字以内）", en: "(\(name) has at most 64 characters)"))
                    clean = false
                } else if let bad = CharacterRepertoire.organization.firstViolation(in: value) {
                    check.report(.syntaxViolated, column: column,
                                 detail: LocalizedText(ja: "（\(name)）", en: "(\(name))").adding(CharacterRepertoire.describe(bad)))
                    clean = false
                }
            case .country:
                if value != "JP" {
                    fail(.syntaxViolated, "（C=JPを指定してください）", "(C must be JP)")
                }
            }
            attributes.append(SubjectDistinguishedName.Attribute(attribute.type, value))
        }
        // Registered values (DN-07, DN-08); revocation names an existing certificate instead (REV-04).
        // These faults leave the DN usable for the remaining checks (CN = FQDN, CSR match, identity).
        let structurallyClean = clean
        if !revoking {
            if let o = dn.value(.organization), o != institution.englishName {
                fail(.registeredValueMismatch, "（Oは登録された機関名(英語表記)「\(institution.englishName)」です）",
                     "(O must be the registered English name '\(institution.englishName)')")
            }
            if let l = dn.value(.locality) {
                if Self.isForbiddenLocality(l) {
                    check.report(.forbiddenLocality, column: column, detail: LocalizedText(
                        ja: "（Lに「Academe」「Default」を含む値や「City」は使用できません）",
                        en: "(L must not contain 'Academe' or 'Default' and must not be just 'City')"))
                    clean = false
                } else if l != institution.locality {
                    fail(.registeredValueMismatch, "（Lは登録値「\(institution.locality)」です）", "(L must be the registered '\(institution.locality)')")
                }
            }
            if let st = dn.value(.stateOrProvince), st != institution.stateOrProvince {
                fail(.registeredValueMismatch, "（STは登録値「\(institution.stateOrProvince)」です）",
                     "(ST must be the registered '\(institution.stateOrProvince)')")
            }
        }
        return structurallyClean ? SubjectDistinguishedName(attributes: attributes) : nil
    }

    /// DN-08: L must not contain "Academe" or "Default", and must not be just "City".
    static func isForbiddenLocality(_ value: String) -> Bool {
        var text = value
        // PERF-23: ASCII text (nearly every L) is compared byte by byte with its letters folded; other text is lowered in full
        // (a non-ASCII letter may lower to an ASCII one, as the Kelvin sign does to k).
        if let verdict = text.withUTF8({ Self.isForbiddenASCIILocality($0) }) { return verdict }
        let lowercased = value.lowercased()
        let lowered = Array(lowercased.utf8)
        func contains(_ word: String) -> Bool {
            let needle = Array(word.utf8)
            guard lowered.count >= needle.count else { return false }
            return (0...(lowered.count - needle.count)).contains { lowered[$0..<$0 + needle.count].elementsEqual(needle) }
        }
        return contains("academe") || contains("default") || lowercased.trimmingSpaces == "city"
    }

    /// DN-08 for ASCII bytes: the verdict of ``isForbiddenLocality(_:)``; nil when a byte is not ASCII.
    static func isForbiddenASCIILocality(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool? {
        guard bytes.allSatisfy({ $0 < 0x80 }) else { return nil }
        func matches(_ word: StaticString, at start: Int) -> Bool {
            (0..<word.utf8CodeUnitCount).allSatisfy { bytes[start + $0].asciiLowercased == word.utf8Start[$0] }
        }
        func contains(_ word: StaticString) -> Bool {
            bytes.count >= word.utf8CodeUnitCount && (0...(bytes.count - word.utf8CodeUnitCount)).contains { matches(word, at: $0) }
        }
        if contains("academe") || contains("default") { return true }
        // Just "City" once the spaces around it are dropped.
        guard let first = bytes.firstIndex(where: { $0 != 0x20 }), let last = bytes.lastIndex(where: { $0 != 0x20 }) else { return false }
        return last - first + 1 == 4 && matches("city", at: first)
    }

    // MARK: - Family columns

    /// SRV-10..SRV-14: FQDN, software, dNSName list, CN = FQDN, registered domains.
    private func checkServerColumns<Row: UploadRow>(_ row: Row, draft: inout Draft) {
        guard !namesExisting else {
            if let cn = draft.subject?.commonName, let name = try? DomainName(cn) {
                draft.domain = name.registeredDomain(in: institution.domains)
            }
            return
        }
        let fqdn = draft.check.parse(Self.fqdnColumn, row.value(Self.fqdnColumn)) { raw throws(ValueError) -> DomainName in
            try checkLength(raw, maximum: 64)
            return try DomainName(raw)
        }
        draft.serverSoftware = draft.check.parse(Self.softwareColumn, row.value(Self.softwareColumn)) { raw throws(ValueError) in
            try TextValue(raw, maximumLength: 128)
        }
        let commonName = draft.subject?.commonName.flatMap { try? DomainName($0) }
        if let fqdn, let commonName, fqdn != commonName {
            draft.check.report(.commonNameMismatch, column: Self.fqdnColumn)
        }
        let host = fqdn ?? commonName
        if let host {
            if let registered = host.registeredDomain(in: institution.domains) {
                draft.domain = registered
                if let officer, !officer.domains.contains(registered) {
                    draft.check.reportNotAssigned(registered, column: fqdn != nil ? Self.fqdnColumn : Self.dnColumn)
                }
            } else {
                draft.check.report(.domainNotRegistered, column: fqdn != nil ? Self.fqdnColumn : Self.dnColumn,
                                   detail: LocalizedText(ja: "（\(host)）", en: "(\(host))"))
            }
        }
        if let list = draft.check.parse(Self.dnsColumn, row.value(Self.dnsColumn), { raw throws(ValueError) in
            try DNSNameList(raw, commonName: commonName)
        }) {
            draft.dnsNames = list.names
            for name in list.names where name != host {
                guard let registered = name.registeredDomain(in: institution.domains) else {
                    draft.check.report(.domainNotRegistered, column: Self.dnsColumn, detail: LocalizedText(ja: "（\(name)）", en: "(\(name))"))
                    continue
                }
                if let officer, !officer.domains.contains(registered) {
                    draft.check.reportNotAssigned(name, column: Self.dnsColumn)
                }
            }
        } else if row.value(Self.dnsColumn).isEmpty, let commonName {
            draft.dnsNames = [commonName]
        }
    }

    /// CLT-03..CLT-08, SMM-01, SMM-02: download method, user columns, PKCS#12 name, PIN, S/MIME rules, domains.
    private func checkClientColumns<Row: UploadRow>(_ row: Row, draft: inout Draft) {
        let revoking = operation == .revoke
        draft.userEmail = draft.check.parse(Self.userEmailColumn, row.value(Self.userEmailColumn)) { raw throws(ValueError) in
            try EmailAddress(raw)
        }
        if revoking { return }
        draft.downloadMethod = draft.check.parse(Self.methodColumn, row.value(Self.methodColumn)) { raw throws(ValueError) in
            try DownloadMethod(raw)
        }
        draft.userName = draft.check.parse(Self.userNameColumn, row.value(Self.userNameColumn)) { raw throws(ValueError) in
            try TextValue(raw, maximumLength: 64)
        }
        draft.userAffiliation = draft.check.parse(Self.userAffiliationColumn, row.value(Self.userAffiliationColumn)) { raw throws(ValueError) in
            try TextValue(raw, maximumLength: 64)
        }
        let p12 = row.value(Self.p12Column)
        draft.pkcs12FileName = draft.check.parse(Self.p12Column, p12) { raw throws(ValueError) in
            try Token(raw, maximumLength: 64)
        }
        if p12.isEmpty, draft.downloadMethod?.makesKey == true {
            draft.check.report(.requiredValueMissing, column: Self.p12Column,
                               detail: LocalizedText(ja: "（ダウンロード方法1・2では必須）", en: "(required for download methods 1 and 2)"))
        }
        draft.accessPIN = draft.check.parse(Self.pinColumn, row.value(Self.pinColumn)) { raw throws(ValueError) in
            try AccessPIN(raw)
        }
        // Domain of the line: the registered domain of the user e-mail (ALW-05).
        if let email = draft.userEmail {
            draft.domain = email.domain.registeredDomain(in: institution.domains)
            if draft.profile?.isSMIME == true, draft.domain == nil {
                draft.check.report(.domainNotRegistered, column: Self.userEmailColumn,
                                   detail: LocalizedText(ja: "（S/MIMEは機関の登録ドメインのメールアドレスに限ります）",
                                                         en: "(S/MIME is only for mailboxes under the institution's registered domains)"))
            }
            if let domain = draft.domain, let officer, !officer.domains.contains(domain) {
                draft.check.reportNotAssigned(domain, column: Self.userEmailColumn)
            }
        }
        // SMM-01: S/MIME CN is the user e-mail.
        if draft.profile?.isSMIME == true, let cn = draft.subject?.commonName, let email = draft.userEmail,
           !cn.equalsIgnoringCase(email.address) {
            draft.check.report(.smimeCommonName, column: Self.dnColumn)
        }
    }

    /// COD-03: the line's domain is that of the administrator e-mail.
    private func checkCodeSigningColumns(draft: inout Draft) {
        if let email = draft.administratorEmail {
            draft.domain = email.domain.registeredDomain(in: institution.domains)
            if operation != .revoke, let domain = draft.domain, let officer, !officer.domains.contains(domain) {
                draft.check.reportNotAssigned(domain, column: Self.adminEmailColumn)
            }
        }
    }

    /// CSR-01..CSR-05: parse, verify, subject match, key per profile.
    private func checkSigningRequest(_ raw: String, draft: inout Draft) {
        let line = draft.check.line
        guard let request = draft.check.parse(Self.csrColumn, raw, { raw throws(ValueError) in try signingRequests.request(raw, line: line) })
        else { return }
        draft.signingRequest = request
        if let subject = draft.subject, !request.subjectMatches(subject, foldCommonName: family == .server) {
            draft.check.report(.csrSubjectMismatch, column: Self.csrColumn)
        }
        if let profile = draft.profile, !Self.keyAllowed(request.keyKind, for: profile) {
            draft.check.report(.keyNotAllowed, column: Self.csrColumn, detail: Self.keyNotAllowedDetail(request.keyKind, profile))
        }
    }

    /// CSR-05: the detail of 218, naming the key and what the profile takes.
    static func keyNotAllowedDetail(_ kind: PublicKeyKind, _ profile: CertificateProfile) -> LocalizedText {
        keyNotAllowedDetails[KeyAndProfile(kind: kind, profile: profile)] ?? makeKeyNotAllowedDetail(kind, profile)
    }

    private static func makeKeyNotAllowedDetail(_ kind: PublicKeyKind, _ profile: CertificateProfile) -> LocalizedText {
        LocalizedText(ja: "（\(kind)はプロファイル\(profile.rawValue)で使用できません。\(allowedKeys(profile))）",
                      en: "(\(kind) is not allowed for profile \(profile.rawValue); \(allowedKeys(profile)))")
    }

    /// PERF-65: the details of 218 for the usual key kinds and the profiles that take a CSR, made once (a file of keys of
    /// the wrong kind reports 218 on every line).
    private static let keyNotAllowedDetails: [KeyAndProfile: LocalizedText] = {
        var details: [KeyAndProfile: LocalizedText] = [:]
        let kinds: [PublicKeyKind] = [.p256, .p384, .p521, .ed25519] + [1024, 2048, 3072, 4096].map { .rsa(bits: $0) }
        for kind in kinds {
            for profile in [CertificateProfile.serverRSA, .serverECDSA, .codeSigning] {
                details[KeyAndProfile(kind: kind, profile: profile)] = makeKeyNotAllowedDetail(kind, profile)
            }
        }
        return details
    }()

    private struct KeyAndProfile: Hashable {
        let kind: PublicKeyKind
        let profile: CertificateProfile
    }

    /// CSR-05: profile 3 RSA-2048, profile 11 P-384, code signing RSA 3072 or more.
    static func keyAllowed(_ kind: PublicKeyKind, for profile: CertificateProfile) -> Bool {
        switch (profile, kind) {
        case (.serverRSA, .rsa(let bits)): return bits == 2048
        case (.serverECDSA, .p384): return true
        case (.codeSigning, .rsa(let bits)): return bits >= 3072 && bits <= 8192
        default: return false
        }
    }

    static func allowedKeys(_ profile: CertificateProfile) -> String {
        switch profile {
        case .serverRSA: return "RSA-2048"
        case .serverECDSA: return "ECDSA P-384"
        case .codeSigning: return "RSA-3072..8192"
        default: return "-"
        }
    }

    /// ALW-05..ALW-06: every OU must be on the allow-list of the line's domain (371, once per OU).
    private func checkAllowList(_ subject: SubjectDistinguishedName, domain: DomainName?, check: inout LineCheck) {
        for ou in subject.values(.organizationalUnit) {
            let normalized = ou.precomposedStringWithCanonicalMapping
            let allowed: Bool
            if let domain {
                allowed = institution.allowList[domain]?.contains(normalized) ?? false
            } else {
                allowed = institution.allowList.values.contains { $0.contains(normalized) }
            }
            if !allowed {
                check.report(.organizationalUnitNotAllowed, column: Self.dnColumn,
                             detail: LocalizedText(ja: "（OU=\(ou)）", en: "(OU=\(ou))"))
            }
        }
    }
}

extension String {
    var trimmingSpaces: String {
        String(unicodeScalars.drop { $0 == " " }.reversed().drop { $0 == " " }.reversed().map(Character.init))
    }
}
