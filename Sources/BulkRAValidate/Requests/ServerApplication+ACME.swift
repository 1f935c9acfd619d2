import BulkRAModel
import X509

extension ServerApplication {
    /// ACME-16: the server application of an ACME order being finalized: the CSR (parsed and verified already, `badCSR` on
    /// 216) has the key type the account's profile fixes (218: RSA-2048 for 3, P-384 for 11), and the names it asks for —
    /// its CN, if any, and its dNSName SANs — are exactly the order's (227). The certificate's subject is the account's
    /// registered DN, whatever the CSR's subject says.
    public init(acmeOrder names: [DomainName], csr request: SigningRequest, subject: SubjectDistinguishedName, domain: DomainName,
                profile: CertificateProfile, serverSoftware: String, administratorName: String, administratorAffiliation: String,
                administratorEmail: String) throws(ValueError) {
        guard CertificateLineChecker.keyAllowed(request.keyKind, for: profile) else {
            throw ValueError(.keyNotAllowed, ja: "（\(request.keyKind)はプロファイル\(profile.rawValue)で使用できません。\(CertificateLineChecker.allowedKeys(profile))）",
                             en: "(\(request.keyKind) is not allowed for profile \(profile.rawValue); \(CertificateLineChecker.allowedKeys(profile)))")
        }
        var requested = Set<DomainName>()
        for attribute in request.subject where attribute.type == .commonName {
            guard let name = try? DomainName(attribute.value) else {
                throw ValueError(.dnsNameList, ja: "（CSRのCNがFQDNではありません）", en: "(the CSR's CN is not an FQDN)")
            }
            requested.insert(name)
        }
        do {
            let parsed = try CertificateSigningRequest(derEncoded: request.der)
            if let alternatives = try parsed.attributes.extensionRequest?.extensions.subjectAlternativeNames {
                for alternative in alternatives {
                    guard case .dnsName(let text) = alternative, let name = try? DomainName(text) else {
                        throw ValueError(.dnsNameList, ja: "（CSRのSANはdNSNameだけにしてください）", en: "(the CSR may ask for dNSName SANs only)")
                    }
                    requested.insert(name)
                }
            }
        } catch let error as ValueError {
            throw error
        } catch {
            throw ValueError(.csrUnusable, ja: "（CSRの拡張要求を読めません）", en: "(the CSR's extension request cannot be read)")
        }
        guard requested == Set(names) else {
            throw ValueError(.dnsNameList, ja: "（CSRの名前が注文の名前と一致しません）",
                             en: "(the CSR asks for \(requested.map(\.name).sorted().joined(separator: ", ")), the order for \(names.map(\.name).joined(separator: ", ")))")
        }
        let name = administratorName.isEmpty ? nil : try TextValue(administratorName, maximumLength: 64)
        let affiliation = administratorAffiliation.isEmpty ? nil : try TextValue(administratorAffiliation, maximumLength: 64)
        self.init(line: 0, subject: subject, domain: domain, profile: profile, signingRequest: request, dnsNames: names,
                  serverSoftware: try TextValue(serverSoftware, maximumLength: 128),
                  administrator: Contact(name: name, affiliation: affiliation, email: try EmailAddress(administratorEmail)))
    }
}
