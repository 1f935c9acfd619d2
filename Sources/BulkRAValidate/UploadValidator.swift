import BulkRADecode
import BulkRAModel
import Foundation
import Logging
import Synchronization

/// The second pipeline stage: decoded rows to accepted requests and diagnostics (Specs/validation.md).
///
/// Pure apart from the registry it is given. Lines are checked in chunks: the rules that need no
/// lookup run on all cores, then each chunk makes a few batched registry queries, then duplicates
/// within the file are found in file order.
public struct UploadValidator {
    /// The upload's context.
    public let context: UploadContext
    let directory: any ValidationDirectory
    let logger: Logger
    /// Lines checked per chunk; bounds memory for very large files.
    let chunkSize: Int
    /// REV-07: the moment the upload is checked at (the injected clock): scheduled revocations are measured from it.
    let now: Date
    /// PERF-09: CSRs already parsed and verified (before the registry's write lock).
    let signingRequests: PreparedSigningRequests

    /// Creates a validator for one upload checked at `now`, taking the CSR outcomes in `signingRequests` (PERF-09).
    public init(context: UploadContext, directory: any ValidationDirectory, now: Date, signingRequests: PreparedSigningRequests = .none,
                logger: Logger = Logger(label: "bulkra.validate"), chunkSize: Int = 4096) {
        self.context = context
        self.directory = directory
        self.now = now
        self.signingRequests = signingRequests
        self.logger = logger
        self.chunkSize = max(1, chunkSize)
    }

    /// Checks every line of a decoded file and returns all results. Implements VAL-01..VAL-06.
    ///
    /// Throws only operational failures (registry, unknown institution or officer).
    public func validate(_ upload: DecodedUpload, retainingRequests: Bool = true) throws(OperationalError) -> ValidatedBatch {
        var header: BatchHeader?
        var lines: [LineResult] = []
        lines.reserveCapacity(upload.recordCount)
        _ = try validate(upload, retainingRequests: retainingRequests, start: { header = $0 }, lines: { lines += $0 })
        return ValidatedBatch(header: header!, lines: lines)
    }

    /// Checks every line of a decoded file, handing results over chunk by chunk in file order (VAL-04, VAL-05).
    ///
    /// `start` receives the header (with any file-level result) before the first line; `lines`
    /// receives each chunk's results. Memory stays bounded by one chunk when the caller writes the
    /// results out as they come. Errors thrown by the callbacks end validation and are rethrown as
    /// operational failures.
    public func validate(_ upload: DecodedUpload, retainingRequests: Bool,
                         start: (BatchHeader) throws -> Void,
                         lines: ([LineResult]) throws -> Void) throws(OperationalError) -> BatchSummary {
        var accepted = 0
        func header(_ fileDiagnostics: [Diagnostic]) -> BatchHeader {
            BatchHeader(context: context, fileName: upload.fileName, encoding: upload.encoding, lineEnding: upload.lineEnding,
                        fileDiagnostics: fileDiagnostics, recordCount: upload.recordCount)
        }
        do {
            if upload.isRejected {
                try start(header(upload.fileDiagnostics))
                return BatchSummary(recordCount: upload.recordCount, acceptedCount: 0, isFileRejected: true)
            }
            func emit(_ chunk: [LineResult]) throws {
                accepted += chunk.reduce(0) { $0 + ($1.isAccepted ? 1 : 0) }
                if logger.logLevel <= .trace {
                    for line in chunk where !line.isAccepted {
                        logger.trace("validate.line", metadata: [
                            "row.line": "\(line.line)",
                            "result.code": "\(line.diagnostics.map { String($0.code.rawValue) }.joined(separator: ","))",
                        ])
                    }
                }
                try lines(chunk)
            }
            if context.kind == .institution {
                try start(header([]))
                try emit(try validateInstitutions(upload, retainingRequests: retainingRequests))
            } else {
                let (institution, officer) = try resolveUploader()
                guard institution.isActive else {
                    logger.debug("validate.rejected", metadata: ["result.code": "215"])
                    try start(header([.file(.institutionInactive)]))
                    return BatchSummary(recordCount: upload.recordCount, acceptedCount: 0, isFileRejected: true)
                }
                try start(header([]))
                switch context.kind {
                case .server:
                    try validateCertificates(upload, ServerRow.self, family: .server, institution: institution, officer: officer,
                                             retainingRequests: retainingRequests, emit: emit)
                case .client:
                    try validateCertificates(upload, ClientRow.self, family: .client, institution: institution, officer: officer,
                                             retainingRequests: retainingRequests, emit: emit)
                case .codeSigning:
                    try validateCertificates(upload, CodeSigningRow.self, family: .codeSigning, institution: institution,
                                             officer: officer, retainingRequests: retainingRequests, emit: emit)
                case .administrator:
                    try validateAdministratorUpdates(upload, institution: institution, officer: officer,
                                                     retainingRequests: retainingRequests, emit: emit)
                case .allowList:
                    try emit(validateAllowList(upload, institution: institution, retainingRequests: retainingRequests))
                case .acme:
                    try validateACME(upload, institution: institution, officer: officer, retainingRequests: retainingRequests, emit: emit)
                case .institution:
                    break
                }
            }
            logger.debug("validate.done", metadata: ["file.records": "\(upload.recordCount)", "file.accepted": "\(accepted)"])
            return BatchSummary(recordCount: upload.recordCount, acceptedCount: accepted, isFileRejected: false)
        } catch let error as OperationalError {
            throw error
        } catch {
            throw OperationalError(.database, LocalizedText(ja: "登録データベースを読めないか、結果を書き出せません: \(error)",
                                                            en: "Cannot read the registry or write the results: \(error)"))
        }
    }

    /// VAL-02: the institution must exist; a named officer must belong to it.
    private func resolveUploader() throws -> (InstitutionProfile, KnownOfficer?) {
        guard let id = context.institutionID, let institution = try directory.institution(id: id) else {
            throw OperationalError(.notFound, LocalizedText(ja: "機関IDが登録されていません: \(context.institutionID ?? "")",
                                                            en: "Unknown institution ID: \(context.institutionID ?? "")"))
        }
        guard let email = context.officerEmail else { return (institution, nil) }
        let normalized = (try? EmailAddress(email).normalized) ?? email
        guard let officer = institution.officers[normalized] else {
            throw OperationalError(.notFound, LocalizedText(ja: "この機関の登録担当者ではありません: \(email)",
                                                            en: "Not a registration officer of this institution: \(email)"))
        }
        return (institution, officer)
    }

    // MARK: - Certificates

    private func validateCertificates<Row: UploadRow>(
        _ upload: DecodedUpload, _ rowType: Row.Type, family: CertificateFamily, institution: InstitutionProfile,
        officer: KnownOfficer?, retainingRequests: Bool, emit: ([LineResult]) throws -> Void
    ) throws {
        var configured = CertificateLineChecker(family: family, operation: context.operation, institution: institution,
                                                officer: officer, layout: .of(context.kind, operation: context.operation), now: now)
        configured.signingRequests = signingRequests
        let checker = configured
        var duplicates = DuplicateTracker()
        // The local checks of the next chunk run while this chunk's serial part (registry, duplicates,
        // writing) runs, so both cores stay busy (VAL-04).
        let chunks = stride(from: 0, to: upload.recordCount, by: chunkSize).map { $0..<min($0 + chunkSize, upload.recordCount) }
        let localChecks: @Sendable (Range<Int>) -> [CertificateLineChecker.Draft] = { indices in
            parallelMap(indices.count) { offset in
                switch upload.row(Row.self, at: indices.lowerBound + offset) {
                case .row(let row): return checker.draft(row)
                case .malformed(let diagnostic): return checker.draft(malformed: diagnostic)
                }
            }
        }
        var prefetch = chunks.first.map { Prefetch(localChecks, $0) }
        for position in chunks.indices {
            var drafts = prefetch!.take()
            prefetch = position + 1 < chunks.count ? Prefetch(localChecks, chunks[position + 1]) : nil
            try applyRegistryRules(to: &drafts, family: family, institution: institution, officer: officer)
            var results: [LineResult] = []
            results.reserveCapacity(drafts.count)
            for index in drafts.indices {
                duplicates.check(&drafts[index], operation: context.operation)
                let accepted = drafts[index].accept()
                let request = retainingRequests ? accepted.map(AcceptedRequest.certificate) : nil
                // PERF-40: read in place; a copy of the draft retained and released every value it holds.
                results.append(LineResult(line: drafts[index].check.line, diagnostics: drafts[index].check.sortedDiagnostics, request: request))
            }
            try emit(results)
        }
    }

    /// VAL-I02..VAL-I06: new-versus-renew (212), serial ownership (222), already revoked (223), key reuse (219).
    private func applyRegistryRules(to drafts: inout [CertificateLineChecker.Draft], family: CertificateFamily,
                                    institution: InstitutionProfile, officer: KnownOfficer?, acme: Bool = false) throws {
        let operation = context.operation
        let identities = Array(Set(drafts.compactMap(\.identity).filter { !$0.isEmpty }))
        var byIdentity: [String: [KnownCertificate]] = [:]
        if operation != .revoke, !identities.isEmpty {
            for certificate in try directory.certificates(family: family, identities: identities) {
                byIdentity[certificate.identity, default: []].append(certificate)
            }
        }
        var bySerial: [SerialNumber: KnownCertificate] = [:]
        let serials = Array(Set(drafts.compactMap(\.targetSerial)))
        if operation != .issue, !serials.isEmpty {
            for certificate in try directory.certificates(serials: serials) { bySerial[certificate.serial] = certificate }
        }
        let serialColumn = CertificateLineChecker.serialColumn
        func apply(_ draft: inout CertificateLineChecker.Draft) {
            switch operation {
            case .issue:
                if let identity = draft.identity, byIdentity[identity]?.isEmpty == false {
                    draft.check.report(.identityAlreadyIssued, column: CertificateLineChecker.dnColumn)
                }
            case .renew, .revoke:
                guard let serial = draft.targetSerial else { break }
                guard let stored = bySerial[serial], stored.institutionID == institution.id, stored.family == family else {
                    draft.check.report(.serialNotOwned, column: serialColumn)
                    break
                }
                if let subject = draft.subject {
                    let matches = operation == .renew
                        ? Self.sameHolder(subject, stored.subject, family: family)
                        : Self.sameSubject(subject, stored.subject, family: family)
                    if !matches {
                        draft.check.report(.serialNotOwned, column: serialColumn, detail: LocalizedText(
                            ja: "（主体者DNが証明書と一致しません）", en: "(the subject DN differs from the certificate's)"))
                    }
                }
                if operation == .revoke {
                    // ACME-T06: an ACME revoke line names a certificate issued through ACME.
                    if acme, !stored.isACME { draft.check.report(.notIssuedByACME, column: serialColumn) }
                    if stored.isRevoked { draft.check.report(.alreadyRevoked, column: serialColumn) }
                    if draft.domain == nil { draft.domain = stored.domain }
                    if let officer, let domain = stored.domain, !officer.domains.contains(domain) {
                        draft.check.reportNotAssigned(domain, column: serialColumn)
                    }
                } else if let key = draft.signingRequest?.keyDigest {
                    let known = (byIdentity[draft.identity ?? ""] ?? []) + [stored]
                    if known.contains(where: { $0.keyDigest == key }) {
                        draft.check.report(.keyReused, column: CertificateLineChecker.csrColumn)
                    }
                }
            case .update, .apply, .suspend:
                break
            }
        }
        for index in drafts.indices {
            apply(&drafts[index])  // in place: a draft holds many references, copying it is not free
        }
    }

    /// VAL-I04: a renewal keeps the holder — for servers the CN (case-folded; an OU of a certificate
    /// issued before OUs were abolished does not count), for other families the CN and the OU values.
    static func sameHolder(_ lhs: SubjectDistinguishedName, _ rhs: SubjectDistinguishedName, family: CertificateFamily) -> Bool {
        if family == .server {
            guard let left = lhs.commonName, let right = rhs.commonName else { return lhs.commonName == rhs.commonName }
            return left.equalsIgnoringCase(right)
        }
        return lhs.commonName == rhs.commonName && lhs.values(.organizationalUnit) == rhs.values(.organizationalUnit)
    }

    /// REV-04: a revocation names the certificate's exact DN (CN case-folded for servers).
    static func sameSubject(_ lhs: SubjectDistinguishedName, _ rhs: SubjectDistinguishedName, family: CertificateFamily) -> Bool {
        let fold: (SubjectDistinguishedName) -> [SubjectDistinguishedName.Attribute] = { dn in
            dn.canonical.attributes.map { attribute in
                family == .server && attribute.type == .commonName
                    ? SubjectDistinguishedName.Attribute(.commonName, attribute.value.lowercased()) : attribute
            }
        }
        return fold(lhs) == fold(rhs)
    }

    // MARK: - ACME

    /// ACME-T01..ACME-T06: the server rules in the ACME layout, then the registry's accounts: a create needs an FQDN without a
    /// live account (243); an update or suspension needs a live account of the institution (241, 242) with the same CN (245),
    /// one line per account (230); a revocation needs a certificate issued through ACME (244).
    private func validateACME(_ upload: DecodedUpload, institution: InstitutionProfile, officer: KnownOfficer?,
                              retainingRequests: Bool, emit: ([LineResult]) throws -> Void) throws {
        let operation = context.operation
        let checker = ACMELineChecker(operation: operation, institution: institution, officer: officer, now: now)
        let accountColumn = ACMELineChecker.accountColumn, dnColumn = CertificateLineChecker.dnColumn
        var duplicates = DuplicateTracker()
        var seenAccounts: Set<ACMEAccountID> = []
        for chunkStart in stride(from: 0, to: upload.recordCount, by: chunkSize) {
            let indices = chunkStart..<min(chunkStart + chunkSize, upload.recordCount)
            var drafts = indices.map { index in
                switch upload.row(ACMERow.self, at: index) {
                case .row(let row): return checker.draft(row)
                case .malformed(let diagnostic): return checker.draft(malformed: diagnostic)
                }
            }
            if operation == .revoke {
                var bases = drafts.map(\.base)
                try applyRegistryRules(to: &bases, family: .server, institution: institution, officer: officer, acme: true)
                for index in drafts.indices { drafts[index].base = bases[index] }
            } else {
                let ids = Array(Set(drafts.compactMap(\.account)))
                let names = operation == .issue ? Array(Set(drafts.compactMap(\.base.identity).filter { !$0.isEmpty })) : []
                let known = (ids.isEmpty && names.isEmpty) ? [] : try directory.acmeAccounts(ids: ids, commonNames: names)
                let byID = Dictionary(known.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
                let liveNames = Set(known.filter(\.isLive).map(\.commonName))
                for index in drafts.indices {
                    if operation == .issue {
                        if let identity = drafts[index].base.identity, liveNames.contains(identity) {
                            drafts[index].check.report(.acmeAccountExists, column: dnColumn)
                        }
                        continue
                    }
                    guard let id = drafts[index].account else { continue }
                    guard let account = byID[id], account.institutionID == institution.id else {
                        drafts[index].check.report(.acmeAccountUnknown, column: accountColumn)
                        continue
                    }
                    if !account.isLive { drafts[index].check.report(.acmeAccountSuspended, column: accountColumn) }
                    if let identity = drafts[index].base.identity, identity != account.commonName {
                        drafts[index].check.report(.acmeCommonNameChanged, column: dnColumn, detail: LocalizedText(
                            ja: "（登録済みのFQDN: \(account.commonName)）", en: "(the registered FQDN: \(account.commonName))"))
                    }
                    if let officer, let domain = account.domain, !officer.domains.contains(domain) {
                        drafts[index].check.reportNotAssigned(domain, column: accountColumn)
                    }
                    if !seenAccounts.insert(id).inserted { drafts[index].check.report(.duplicateInFile, column: accountColumn) }
                }
            }
            var results: [LineResult] = []
            results.reserveCapacity(drafts.count)
            for index in drafts.indices {
                // Renew and suspend lines are one per account (230 on column 3 above).
                if operation == .issue || operation == .revoke { duplicates.check(&drafts[index].base, operation: operation) }
                let request = drafts[index].accept()
                let check = drafts[index].check
                results.append(LineResult(line: check.line, diagnostics: check.sortedDiagnostics, request: retainingRequests ? request : nil))
            }
            try emit(results)
        }
    }

    // MARK: - User-administrator updates

    private func validateAdministratorUpdates(_ upload: DecodedUpload, institution: InstitutionProfile, officer: KnownOfficer?,
                                              retainingRequests: Bool, emit: ([LineResult]) throws -> Void) throws {
        let checker = AdministratorLineChecker()
        var seenSerials: Set<SerialNumber> = []
        for chunkStart in stride(from: 0, to: upload.recordCount, by: chunkSize) {
            let indices = chunkStart..<min(chunkStart + chunkSize, upload.recordCount)
            var drafts: [AdministratorLineChecker.Draft?] = []
            var malformed: [Diagnostic?] = []
            for index in indices {
                switch upload.row(AdministratorUpdateRow.self, at: index) {
                case .row(let row): drafts.append(checker.draft(row)); malformed.append(nil)
                case .malformed(let diagnostic): drafts.append(nil); malformed.append(diagnostic)
                }
            }
            let serials = Array(Set(drafts.compactMap { $0?.serial }))
            var bySerial: [SerialNumber: KnownCertificate] = [:]
            if !serials.isEmpty {
                for certificate in try directory.certificates(serials: serials) { bySerial[certificate.serial] = certificate }
            }
            var results: [LineResult] = []
            for index in drafts.indices {
                if let diagnostic = malformed[index] {
                    results.append(LineResult(line: diagnostic.line ?? 0, diagnostics: [diagnostic], request: nil))
                    continue
                }
                guard var draft = drafts[index] else { continue }
                if let serial = draft.serial {
                    // ADM-02: the serial is a certificate of the institution whose DN is column 1.
                    if let stored = bySerial[serial], stored.institutionID == institution.id {
                        if let subject = draft.subject, !Self.sameSubject(subject, stored.subject, family: stored.family) {
                            draft.check.report(.serialNotOwned, column: 4, detail: LocalizedText(
                                ja: "（主体者DNが証明書と一致しません）", en: "(the subject DN differs from the certificate's)"))
                        }
                        if let officer, let domain = stored.domain, !officer.domains.contains(domain) {
                            draft.check.reportNotAssigned(domain, column: 4)
                        }
                    } else {
                        draft.check.report(.serialNotOwned, column: 4)
                    }
                    // ADM-03: one line per certificate.
                    if !seenSerials.insert(serial).inserted {
                        draft.check.report(.duplicateInFile, column: 4)
                    }
                }
                let request = retainingRequests ? draft.request.map(AcceptedRequest.administratorUpdate) : nil
                results.append(LineResult(line: draft.check.line, diagnostics: draft.check.sortedDiagnostics, request: request))
            }
            try emit(results)
        }
    }

    // MARK: - Allow list and institutions

    private func validateAllowList(_ upload: DecodedUpload, institution: InstitutionProfile, retainingRequests: Bool) -> [LineResult] {
        let checker = AllowListLineChecker(institution: institution)
        var seen: Set<AllowListKey> = []
        return (0..<upload.recordCount).map { index in
            switch upload.row(AllowListRow.self, at: index) {
            case .malformed(let diagnostic):
                return LineResult(line: diagnostic.line ?? 0, diagnostics: [diagnostic], request: nil)
            case .row(let row):
                let (check, entry) = checker.check(row, seen: &seen)
                return LineResult(line: row.line, diagnostics: check.sortedDiagnostics,
                                  request: retainingRequests ? entry.map(AcceptedRequest.allowList) : nil)
            }
        }
    }

    private func validateInstitutions(_ upload: DecodedUpload, retainingRequests: Bool) throws -> [LineResult] {
        var checker = InstitutionLineChecker(directory: directory)
        var results: [LineResult] = []
        for index in 0..<upload.recordCount {
            switch upload.row(InstitutionRow.self, at: index) {
            case .malformed(let diagnostic):
                results.append(LineResult(line: diagnostic.line ?? 0, diagnostics: [diagnostic], request: nil))
            case .row(let row):
                let (check, change) = try checker.check(row)
                results.append(LineResult(line: row.line, diagnostics: check.sortedDiagnostics,
                                          request: retainingRequests ? change.map(AcceptedRequest.institution) : nil))
            }
        }
        return results
    }
}

/// A value computed on another thread, waited for when needed (chunk pipelining, VAL-04): the value lives behind a
/// mutex, and the waiter sleeps on a condition the worker signals once it has stored it.
final class Prefetch<Value: Sendable>: Sendable {
    private let result = Mutex<Value?>(nil)
    private let ready = NSCondition()

    init<Input: Sendable>(_ work: @escaping @Sendable (Input) -> Value, _ input: Input) {
        Thread.detachNewThread { [self] in
            // PERF-45: moved into the mutex, so this thread holds no reference while it signals and winds down.
            var value: Value? = work(input)
            result.withLock { $0 = value.take() }
            ready.lock()
            ready.broadcast()
            ready.unlock()
        }
    }

    /// Waits for the value and takes it: PERF-45, the caller holds the only reference to it (a copy left here would make
    /// the caller's first change copy the whole chunk of drafts, retaining every value in them, while the worker thread
    /// that made it has not yet let go of this object).
    func take() -> Value {
        ready.lock()
        defer { ready.unlock() }
        while true {
            if let value = result.withLock({ $0.take() }) { return value }
            ready.wait()
        }
    }
}
