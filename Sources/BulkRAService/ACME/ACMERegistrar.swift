import BulkRAACME
import BulkRAModel
import BulkRARegistry
import BulkRAReport
import BulkRAValidate
import Foundation

/// Turns a batch's accepted ACME lines into registry changes, EAB credentials and their deliveries (Specs/acme-tsv.md,
/// ACME-T04..ACME-T08). Randomness comes from the environment; the HMAC keys leave it only sealed (registry), under a
/// one-time link's token (mail) or in a mode-0600 file (`--out`).
struct ACMERegistrar {
    let institution: String
    let deskURL: String
    let randomBytes: @Sendable (Int) -> [UInt8]
    let sealing: OutboxPayload

    /// What the batch changes and hands out.
    struct Prepared {
        var accounts: [ACMEAccountRecord] = []
        var suspensions: [RegistryBatch.ACMESuspension] = []
        var bindings: [ExternalAccountBindingRecord] = []
        var deliveries: [CredentialLinks.Delivery] = []
        /// Per line: the account it registered or updated (mails, results).
        var registered: [(line: Int, account: ACMEAccountRecord, updated: Bool)] = []
        /// Per line: the account it stopped, the reason and the administrator the line named.
        var suspended: [(line: Int, account: ACMEAccountRecord, reason: RevocationReason, administrator: MailMessage.Address?)] = []

        /// RES-10: the account URL of each line, with the path of its credentials under `folder`.
        func outcomes(deskURL: String, folder: String?) -> [Int: ResultStream.Outcome] {
            var outcomes: [Int: ResultStream.Outcome] = [:]
            for (line, account, _) in registered {
                let path = folder.map { "\($0)/acme/\(ACMECredentials.fileName(commonName: account.commonName.name))" }
                outcomes[line] = .init(serial: nil, path: path, account: account.id.url(base: deskURL))
            }
            for (line, account, _, _) in suspended {
                outcomes[line] = .init(serial: nil, path: nil, account: account.id.url(base: deskURL))
            }
            return outcomes
        }
    }

    /// ACME-T07: `count` random bytes whose base64url does not begin with "-": the key ID and the HMAC key are handed to
    /// certbot and lego as command-line arguments, which would take one beginning with "-" for an option (1 draw in 64).
    /// Drawn again until it does not: the first character loses one of its 64 values. The first character is the first
    /// byte's top six bits, and "-" is value 62 of the base64url alphabet, so the draw is judged without encoding it.
    func argumentSafeRandomBytes(_ count: Int) -> [UInt8] {
        while true {
            let bytes = randomBytes(count)
            if bytes.first.map({ $0 >> 2 }) != 62 { return bytes }
        }
    }

    /// ACME-T04, ACME-T05, ACME-T07: new accounts get fresh IDs; new and updated accounts get new credentials valid for the
    /// institution's retrieval window; suspensions name the stored account.
    func prepare(_ requests: [ACMERequest], transaction: RegistryTransaction, now: Date, window: RetrievalWindow) throws -> Prepared {
        var prepared = Prepared()
        let directory = ACMECredentials.directory(deskURL: deskURL)
        let expires = window.expiry(after: now)
        func bind(_ account: ACMEAccountRecord, line: Int, updated: Bool) throws {
            let (kid, key) = (Base64URL.encode(argumentSafeRandomBytes(16)), argumentSafeRandomBytes(32))
            prepared.accounts.append(account)
            prepared.bindings.append(ExternalAccountBindingRecord(keyID: kid, accountID: account.id.text, sealedKey: try sealing.packed(key),
                                                                   expires: expires))
            prepared.deliveries.append(CredentialLinks.Delivery(
                accountID: account.id.text, recipientEmail: account.administratorEmail,
                fileName: ACMECredentials.fileName(commonName: account.commonName.name),
                credentials: ACMECredentials(kid: kid, hmacKey: Base64URL.encode(key), directory: directory)))
            prepared.registered.append((line, account, updated))
        }
        for request in requests {
            switch request {
            case .register(let registration):
                let id = ACMEAccountID(generated: Base64URL.encode(randomBytes(16)))
                try bind(ACMEAccountRecord(id: id, institutionID: institution, registration: registration), line: registration.line, updated: false)
            case .update(let registration, let id):
                let state = try transaction.acmeAccount(id: id.text)?.state ?? .registered
                try bind(ACMEAccountRecord(id: id, institutionID: institution, registration: registration, state: state),
                         line: registration.line, updated: true)
            case .suspend(let suspension):
                guard let account = try transaction.acmeAccount(id: suspension.account.text) else { continue }
                prepared.suspensions.append(.init(accountID: account.id.text, reason: suspension.reason, comment: suspension.comment?.text ?? ""))
                prepared.suspended.append((suspension.line, account, suspension.reason,
                                           suspension.administratorEmail.map { MailMessage.Address(name: account.administratorName, email: $0.address) }))
            }
        }
        return prepared
    }
}
