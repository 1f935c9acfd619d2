import BulkRARegistry

/// The user-administrator information download: one row per certificate with its contact data (DL-20, Specs/downloads.md).
public enum AdministratorInformationFile {
    /// DL-20: the header row.
    public static let header = AdministratorInformationColumn.headerRow

    /// DL-20: one certificate's row.
    public static func row(_ listed: ListedCertificate) -> [String] {
        let certificate = listed.certificate
        var row = AdministratorInformationRow()
        row[.serial] = certificate.serial.decimal
        row[.subjectDN] = certificate.subject.description
        row[.family] = certificate.family.rawValue
        row[.profile] = certificate.profile.map { String($0.rawValue) } ?? ""
        row[.state] = String(certificate.state.rawValue)
        row[.administratorName] = certificate.administratorName
        row[.administratorAffiliation] = certificate.administratorAffiliation
        row[.administratorEmail] = certificate.administratorEmail
        row[.userName] = certificate.userName
        row[.userAffiliation] = certificate.userAffiliation
        row[.userEmail] = certificate.userEmail
        row[.notAfter] = certificate.notAfter.map(JapanTime.format) ?? ""
        row[.lastUpdated] = JapanTime.format(listed.updatedAt)
        return row.fields
    }
}
