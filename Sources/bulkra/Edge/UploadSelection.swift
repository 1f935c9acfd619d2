import ArgumentParser
import BulkRAModel
import BulkRAService
import BulkRAValidate

/// The upload screen's choices, shared by `check` and `submit` (CLI-05).
struct UploadSelection: ParsableArguments {
    @Option(name: .long, help: "The uploading institution's ID.")
    var institution: String

    @Option(name: .long, help: "server, client, codesign, admin or acme.")
    var family: Family

    @Option(name: .long, help: "issue, renew, revoke (certificates; acme also suspend) or update (admin).")
    var operation: OperationChoice

    @Option(name: .long, help: "The uploading officer's e-mail: lines are limited to the officer's domains.")
    var officer: String?

    func validate() throws {
        guard UploadOperation.allowed(for: family.kind).contains(operation.operation) else {
            let allowed = UploadOperation.allowed(for: family.kind).map(\.rawValue).joined(separator: ", ")
            throw ValidationError("--family \(family.rawValue) では --operation \(operation.rawValue) は使えません（使用可: \(allowed)）\n"
                + "--operation \(operation.rawValue) does not apply to --family \(family.rawValue) (allowed: \(allowed))")
        }
    }

    /// The validation context of the upload.
    var context: UploadContext {
        UploadContext(institutionID: institution, kind: family.kind, operation: operation.operation, officerEmail: officer)
    }
}
