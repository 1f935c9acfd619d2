import BulkRADecode
import BulkRAModel
import Foundation
import Logging

/// Checks a method-3 enrolment: the stored line again, against the registry as it is now, and the
/// user's CSR (ENR-01..ENR-04, Specs/enrolment.md).
public struct EnrolmentValidator {
    /// What an enrolment check gives.
    public enum Outcome: Sendable {
        /// The line still holds and the CSR is usable: issue for this request with the CSR's key.
        case accepted(CertificateRequest, SigningRequest)
        /// The problems, each with code, column, field and message.
        case rejected([Diagnostic])
    }

    let context: UploadContext
    let directory: any ValidationDirectory
    let logger: Logger
    let now: Date

    /// Creates a validator for the stored line's institution, operation and officer, checking at `now`.
    public init(context: UploadContext, directory: any ValidationDirectory, now: Date, logger: Logger = Logger(label: "bulkra.validate")) {
        self.context = context
        self.directory = directory
        self.now = now
        self.logger = logger
    }

    /// ENR-01: the line is checked as a one-line upload; ENR-02..ENR-04: the CSR (PEM or base64,
    /// line breaks allowed) must parse and verify (216) and carry RSA 2048–4096, P-256 or P-384 (218).
    /// Its subject is not used: the certificate carries the line's DN.
    public func validate(record: String, signingRequest raw: String) throws -> Outcome {
        let upload = try UploadDecoder(kind: context.kind, recordLimit: 1, logger: logger).decode(Array(record.utf8), fileName: "enrolment.tsv")
        let batch = try UploadValidator(context: context, directory: directory, now: now, logger: logger).validate(upload, retainingRequests: true)
        var diagnostics = batch.fileDiagnostics + batch.lines.flatMap(\.diagnostics)
        let body = raw.split(whereSeparator: \.isNewline).filter { !$0.hasPrefix("-----") }.joined()
        let compact = String(body.unicodeScalars.filter { !$0.properties.isWhitespace }.map(Character.init))
        let field = FieldName("CSR", "CSR")
        var request: SigningRequest?
        switch Self.parse(compact) {
        case .success(let parsed) where Self.keyAllowed(parsed.keyKind):
            request = parsed
        case .success(let parsed):
            diagnostics.append(Diagnostic(code: .keyNotAllowed, line: 1, column: nil, field: field,
                message: ResultCode.keyNotAllowed.standardMessage(field: field).adding(LocalizedText(
                    ja: "（\(parsed.keyKind)は使用できません。RSA 2048〜4096ビット、ECDSA P-256またはP-384）",
                    en: "(\(parsed.keyKind) is not allowed; RSA 2048–4096, ECDSA P-256 or P-384)"))))
        case .failure(let error):
            diagnostics.append(Diagnostic(code: error.code, line: 1, column: nil, field: field,
                                          message: error.code.standardMessage(field: field).adding(error.detail)))
        }
        guard diagnostics.isEmpty, let request, case .certificate(let certificate)? = batch.lines.first?.request else {
            return .rejected(diagnostics)
        }
        return .accepted(certificate, request)
    }

    static func parse(_ text: String) -> Result<SigningRequest, ValueError> {
        do {
            return .success(try SigningRequest(text, maximumLength: 16_384))
        } catch {
            return .failure(error)
        }
    }

    /// ENR-03: keys a user may bring for a client or S/MIME certificate.
    static func keyAllowed(_ kind: PublicKeyKind) -> Bool {
        switch kind {
        case .rsa(let bits): return bits >= 2048 && bits <= 4096
        case .p256, .p384: return true
        default: return false
        }
    }
}
