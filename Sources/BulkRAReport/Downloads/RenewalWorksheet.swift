import BulkRAModel
import BulkRARegistry
import BulkRAValidate
import Foundation

/// LIFE-04: a renewal upload prepared from certificates near their end: one renewal line per certificate, in the
/// family's upload layout (server and code signing 13 columns, client 15), no header, so that the file uploads as it is
/// once the officer has added what only they can give (a new CSR for server and code-signing lines).
public enum RenewalWorksheet {
    /// LIFE-04: the renewal line of `record` (its family's layout; RA certificates are renewed on the desk, not by TSV).
    public static func row(_ record: CertificateRecord) -> [String]? {
        switch record.family {
        case .server:
            var columns = Array(repeating: "", count: 13)
            columns[0] = record.subject.description
            columns[1] = record.profile.map { String($0.rawValue) } ?? ""
            columns[3] = record.serial.decimal
            columns[6] = ""  // the new key's CSR: only the server's administrator can make it
            columns[7] = record.administratorName
            columns[8] = record.administratorAffiliation
            columns[9] = record.administratorEmail
            columns[10] = record.subject.commonName ?? ""
            columns[11] = record.serverSoftware
            let names = record.dnsNames.map(\.name)
            columns[12] = names == [columns[10]] ? "" : names.map { "dNSName=" + $0 }.joined(separator: ",")
            return columns
        case .codeSigning:
            var columns = Array(repeating: "", count: 13)
            columns[0] = record.subject.description
            columns[1] = record.profile.map { String($0.rawValue) } ?? ""
            columns[3] = record.serial.decimal
            columns[7] = record.administratorName
            columns[8] = record.administratorAffiliation
            columns[9] = record.administratorEmail
            return columns
        case .client:
            var columns = Array(repeating: "", count: 15)
            columns[0] = record.subject.description
            columns[1] = record.profile.map { String($0.rawValue) } ?? ""
            columns[2] = record.downloadMethod.map { String($0.rawValue) } ?? "1"
            columns[3] = record.serial.decimal
            columns[7] = record.administratorName
            columns[8] = record.administratorAffiliation
            columns[9] = record.administratorEmail
            columns[10] = record.userName
            columns[11] = record.downloadMethod == .browser ? "" : "renew-" + record.serial.decimal.suffix(20)
            columns[12] = record.userAffiliation
            columns[13] = record.userEmail
            return columns
        case .registrationOfficer:
            return nil
        }
    }

    /// LIFE-03: the revocation line (reason 4, superseded) of a certificate its renewal replaced, in its family's layout.
    public static func revocationRow(_ record: CertificateRecord) -> [String] {
        var columns = Array(repeating: "", count: record.family == .client ? 15 : 13)
        columns[0] = record.subject.description
        columns[3] = record.serial.decimal
        columns[4] = String(RevocationReason.superseded.rawValue)
        columns[9] = record.administratorEmail
        return columns
    }
}
