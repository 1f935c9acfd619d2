import X509

extension SubjectDistinguishedName {
    /// The attributes of an X.509 name in DER order, flattened across RDNs; `nil` type for attributes UPKI does not use.
    public static func attributes(of name: DistinguishedName) -> [(type: AttributeType?, value: String)] {
        var result: [(type: AttributeType?, value: String)] = []
        for rdn in name {
            for attribute in rdn {
                let type: AttributeType?
                switch attribute.type {
                case .RDNAttributeType.commonName: type = .commonName
                case .RDNAttributeType.organizationalUnitName: type = .organizationalUnit
                case .RDNAttributeType.organizationName: type = .organization
                case .RDNAttributeType.localityName: type = .locality
                case .RDNAttributeType.stateOrProvinceName: type = .stateOrProvince
                case .RDNAttributeType.countryName: type = .country
                default: type = nil
                }
                result.append((type, String(attribute.value) ?? attribute.value.description))
            }
        }
        return result
    }

    /// The UPKI form of an X.509 subject, in canonical order; `nil` if it holds other attributes.
    public init?(x509 name: DistinguishedName) {
        var attributes: [Attribute] = []
        for (type, value) in Self.attributes(of: name) {
            guard let type else { return nil }
            attributes.append(Attribute(type, value))
        }
        self = SubjectDistinguishedName(attributes: attributes).canonical
    }
}
