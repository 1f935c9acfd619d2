import BulkRAModel

/// A subject DN as written in column 1: `ATTR=value` pairs joined by `,` (Specs/dn.md, DN-01..DN-03).
///
/// Values may contain `,` and `=`, so the string is split only at a `,` immediately followed by
/// `CN=`, `OU=`, `O=`, `L=`, `ST=` or `C=`. Attribute names are upper case; there are no escapes.
public struct SubjectDistinguishedName: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The attribute types a UPKI subject may carry.
    public enum AttributeType: String, Sendable, Hashable, Codable, CaseIterable {
        case commonName = "CN"
        case organizationalUnit = "OU"
        case organization = "O"
        case locality = "L"
        case stateOrProvince = "ST"
        case country = "C"

        /// PERF-51: the type's place in the canonical order (its place among the cases).
        var canonicalRank: Int {
            switch self {
            case .commonName: 0
            case .organizationalUnit: 1
            case .organization: 2
            case .locality: 3
            case .stateOrProvince: 4
            case .country: 5
            }
        }
    }

    /// One `ATTR=value` pair.
    public struct Attribute: Sendable, Hashable, Codable {
        /// The attribute type.
        public let type: AttributeType
        /// The value, as written.
        public let value: String

        /// Creates an attribute.
        public init(_ type: AttributeType, _ value: String) {
            self.type = type
            self.value = value
        }
    }

    /// The attributes in the order written.
    public let attributes: [Attribute]

    /// PERF-52: the text this DN was parsed from — its string form exactly, since the split rule keeps every byte — so that
    /// `description` gives it back without building it again (every stored row read for a download parses its subject and
    /// writes it out again); nil for a DN made from attributes. Not part of equality, hashing or the coded form.
    private let parsedText: String?

    /// Splits a DN string by the split rule (DN-01); an empty value or unknown start is 206.
    public init(_ raw: String) throws(ValueError) {
        let bytes = Array(raw.utf8)
        guard !bytes.isEmpty else { throw ValueError(.requiredValueMissing) }
        func attribute(at index: Int) -> (AttributeType, Int)? {
            for (type, prefix) in Self.prefixes where index + prefix.count <= bytes.count {
                if bytes[index..<index + prefix.count].elementsEqual(prefix) { return (type, prefix.count) }
            }
            return nil
        }
        guard var current = attribute(at: 0) else {
            throw ValueError(.syntaxViolated, ja: "（CN=などの属性名で始めてください。属性名は大文字です）",
                             en: "(start with an attribute such as CN=; attribute names are upper case)")
        }
        var valueStart = current.1
        var result: [Attribute] = []
        result.reserveCapacity(Self.typicalCount)  // PERF-40: one allocation for the usual DN, not four
        var index = valueStart
        while index <= bytes.count {
            var next: (AttributeType, Int)?
            if index < bytes.count, bytes[index] == UInt8(ascii: ",") { next = attribute(at: index + 1) }
            if index == bytes.count || next != nil {
                let value = String(decoding: bytes[valueStart..<index], as: UTF8.self)
                guard !value.isEmpty else {
                    throw ValueError(.syntaxViolated, ja: "（\(current.0.rawValue)=の値が空です）",
                                     en: "(the value of \(current.0.rawValue)= is empty)")
                }
                result.append(Attribute(current.0, value))
                guard let next else { break }
                current = next
                valueStart = index + 1 + next.1
                index = valueStart
                continue
            }
            index += 1
        }
        attributes = result
        parsedText = raw
    }

    /// PERF-18: each attribute type with the bytes `TYPE=` that start it, made once (a DN is parsed for every stored row read).
    private static let prefixes: [(AttributeType, [UInt8])] = AttributeType.allCases.map { ($0, Array("\($0.rawValue)=".utf8)) }

    /// PERF-40: room reserved for a DN's attributes before the first is read (CN, OU, O, L, ST, C and a few more OUs).
    static let typicalCount = 8

    /// Creates a DN from attributes.
    public init(attributes: [Attribute]) {
        self.attributes = attributes
        parsedText = nil
    }

    /// DN-01: two DNs are the same when their attributes are, in order (however each was made).
    public static func == (lhs: SubjectDistinguishedName, rhs: SubjectDistinguishedName) -> Bool {
        lhs.attributes == rhs.attributes
    }

    /// DN-01: hashes the attributes, as `==` compares them.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(attributes)
    }

    private enum CodingKeys: String, CodingKey {
        case attributes
    }

    /// DN-01: a DN from its coded attributes (the form is `{"attributes": [...]}`, as it always was).
    public init(from decoder: any Decoder) throws {
        attributes = try decoder.container(keyedBy: CodingKeys.self).decode([Attribute].self, forKey: .attributes)
        parsedText = nil
    }

    /// DN-01: codes the attributes only.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(attributes, forKey: .attributes)
    }

    /// The values of one attribute type, in order.
    public func values(_ type: AttributeType) -> [String] {
        attributes.filter { $0.type == type }.map(\.value)
    }

    /// The single value of an attribute type, if present.
    public func value(_ type: AttributeType) -> String? {
        attributes.first { $0.type == type }?.value
    }

    /// The common name.
    public var commonName: String? { value(.commonName) }

    /// The DN in the canonical order CN, OU…, O, L, ST, C (DN-04).
    public var canonical: SubjectDistinguishedName {
        // PERF-51: a DN already in that order (as DN-04 wants every submitted one) is itself, without six filtered arrays.
        if isCanonicallyOrdered { return self }
        return SubjectDistinguishedName(attributes: AttributeType.allCases.flatMap { type in attributes.filter { $0.type == type } })
    }

    /// PERF-51: whether the attributes come in the canonical order already (types never going back in CN, OU, O, L, ST, C).
    var isCanonicallyOrdered: Bool {
        var previous = 0
        for attribute in attributes {
            let rank = attribute.type.canonicalRank
            if rank < previous { return false }
            previous = rank
        }
        return true
    }

    /// The TSV string form `CN=…,O=…`.
    public var description: String {
        if let parsedText { return parsedText }
        // PERF-18: appended into one string (every download row has one; interpolating and joining cost a string each).
        var text = ""
        text.reserveCapacity(attributes.reduce(0) { $0 + $1.type.rawValue.utf8.count + $1.value.utf8.count + 2 })
        for (index, attribute) in attributes.enumerated() {
            if index > 0 { text += "," }
            text += attribute.type.rawValue
            text += "="
            text += attribute.value
        }
        return text
    }

    /// Checks the attribute order against a pattern of (type, minimum, maximum) counts (DN-05).
    func matchesOrder(_ pattern: [(AttributeType, Int, Int)]) -> Bool {
        var index = 0
        for (type, minimum, maximum) in pattern {
            var count = 0
            while index < attributes.count, attributes[index].type == type, count < maximum {
                index += 1
                count += 1
            }
            if count < minimum { return false }
        }
        return index == attributes.count
    }
}
