import BulkRAModel

/// An accepted client or S/MIME issue or renew line (Specs/client-tsv.md, CLT-01..CLT-08, SMM-01, SMM-02).
public struct ClientApplication: Sendable {
    /// The 1-based line number.
    public let line: Int
    /// The subject DN (CLT-03).
    public let subject: SubjectDistinguishedName
    /// The registered domain of the user's e-mail; always set for S/MIME (CLT-08, SMM-02).
    public let domain: DomainName?
    /// Profile 5, 13 or 14 (client authentication) or 7, 15 or 16 (S/MIME) (CLT-02).
    public let profile: CertificateProfile
    /// How the user gets the key and certificate (CLT-04).
    public let downloadMethod: DownloadMethod
    /// The PKCS#12 file name; present whenever the method makes the key (CLT-02), optional for method 3.
    public let pkcs12FileName: Token?
    /// The access PIN given in the file; `nil` means the service makes one (CLT-07, ISS-13).
    public let accessPIN: AccessPIN?
    /// The user-administrator (CLT-02).
    public let administrator: Contact
    /// The certificate's user; for S/MIME, the e-mail is the CN and the certificate's mailbox (SMM-01).
    public let user: Contact
}

extension ClientApplication {
    /// The name of the PKCS#12 file and its friendly name: the given name, else the serial (CLT-06, ISS-11).
    public func pkcs12Name(serial: SerialNumber) -> String {
        pkcs12FileName?.text ?? serial.decimal
    }
}
