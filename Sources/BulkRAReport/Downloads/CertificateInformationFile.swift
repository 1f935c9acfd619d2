import BulkRAIssue
import BulkRAModel
import BulkRARegistry
import BulkRAValidate
import Foundation

/// The certificate information download in the real 46-column layout, one layout for every family
/// (DL-10..DL-12, Specs/downloads.md).
public enum CertificateInformationFile {
    /// DL-10: the header row, the real file's Japanese column names.
    public static let header = CertificateInformationColumn.headerRow

    /// DL-11: one certificate's row, 46 fields. Dates `yyyy/MM/dd HH:mm:ss` JST, serials decimal, the
    /// certificate as its one-line PEM body, never a PIN.
    public static func row(_ listed: ListedCertificate) -> [String] {
        let certificate = listed.certificate
        let isClient = certificate.family == .client
        let delivered = isClient && certificate.downloadMethod?.makesKey == true
        var fields = CertificateInformationRow()
        fields[.issueRequestID] = listed.issueBatch.map { String($0.id) } ?? ""
        fields[.issueOperationID] = String(listed.position)
        fields[.ignoreFlag] = "0"
        fields[.subjectDN] = certificate.subject.description
        fields[.domainID] = certificate.domain?.name ?? ""
        fields[.issueRequestedAt] = JapanTime.format(listed.issueBatch?.createdAt ?? listed.recordedAt)
        fields[.issueCompletedAt] = JapanTime.format(listed.recordedAt)
        fields[.issueOperator] = listed.issueBatch?.officerEmail ?? ""
        fields[.family] = certificate.family.rawValue
        fields[.businessModel] = certificate.replacedSerial == nil ? "発行" : "更新"
        fields[.profile] = certificate.profile.map { String($0.rawValue) } ?? ""
        fields[.state] = String(certificate.state.rawValue)
        fields[.administratorName] = certificate.administratorName
        fields[.administratorAffiliation] = certificate.administratorAffiliation
        // Real readers of client files take the user's address from column 15 and the name from 16.
        fields[.administratorEmail] = isClient ? certificate.userEmail : certificate.administratorEmail
        fields[.fqdnOrUserName] = isClient ? certificate.userName : (certificate.subject.commonName ?? "")
        fields[.serverSoftware] = certificate.serverSoftware
        fields[.dnsNames] = DNSNameList.text(certificate.dnsNames)
        fields[.certificate] = IssuedCertificate.pemBody(certificate.der)
        fields[.serial] = certificate.serial.decimal
        fields[.fingerprint] = certificate.der.isEmpty ? "" : ContentDigest.sha256(certificate.der)
        fields[.notBefore] = certificate.notBefore.map(JapanTime.format) ?? ""
        fields[.notAfter] = certificate.notAfter.map(JapanTime.format) ?? ""
        // RET-03: when its one-time links stop working (the institution's retrieval window when they were made).
        if let expires = listed.linkExpires ?? (delivered ? BatchIssuer.oneMonth(after: listed.recordedAt) : nil) {
            fields[.linkExpires] = JapanTime.format(expires)
        }
        if delivered { fields[.accessPIN] = "*" }
        // REV-07: a scheduled revocation shows its request (state 2) and no completion until it takes effect.
        if certificate.state == .revoked || certificate.state == .revocationScheduled {
            fields[.revocationRequestID] = listed.revocationBatch.map { String($0.id) } ?? ""
            fields[.revocationOperationID] = listed.revocationBatch == nil ? "" : String(listed.position)
            fields[.revocationRequestedAt] = JapanTime.format(listed.revocationBatch?.createdAt ?? certificate.revokedAt ?? listed.updatedAt)
            fields[.revocationCompletedAt] = certificate.state == .revoked ? certificate.revokedAt.map(JapanTime.format) ?? "" : ""
            fields[.revocationOperator] = listed.revocationBatch?.officerEmail ?? ""
            fields[.revocationReason] = certificate.revocationReason.map { String($0.rawValue) } ?? ""
            fields[.revocationComment] = certificate.revocationComment
            fields[.revocationOperatorEmail] = listed.revocationBatch?.officerEmail ?? ""
        }
        fields[.replacedSerial] = certificate.replacedSerial?.decimal ?? ""
        fields[.replacementMailFlag] = certificate.replacedSerial == nil ? "0" : "1"
        // ACME-21: a certificate an ACME client ordered says so where the TSV families give their download method.
        fields[.downloadMethod] = certificate.acmeAccountID == nil ? certificate.downloadMethod.map { String($0.rawValue) } ?? "" : "ACME"
        fields[.lastUpdated] = JapanTime.format(listed.updatedAt)
        return fields.fields
    }
}
