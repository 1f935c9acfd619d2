import BulkRAModel
@testable import BulkRAValidate
import Foundation
import Testing

@Suite("Subject DN (Specs/dn.md)")
struct DistinguishedNameTests {
    @Test("DN-01 split only at a comma followed by a known attribute; values keep , and =")
    func splitRule() throws {
        let dn = try SubjectDistinguishedName("CN=Yamada, Taro,OU=Dept=A,B,O=Example University,L=Chiyoda-ku,ST=Tokyo,C=JP")
        #expect(dn.attributes.map(\.type) == [.commonName, .organizationalUnit, .organization, .locality, .stateOrProvince, .country])
        #expect(dn.commonName == "Yamada, Taro")
        #expect(dn.values(.organizationalUnit) == ["Dept=A,B"])
    }

    @Test("DN-02 a DN must start with an upper-case attribute; empty values are 206", arguments: [
        "cn=a.example.ac.jp,O=X,C=JP", "X=1,CN=a", "CN=,O=X,C=JP", "CN=a,O=,C=JP", "CN=a,O=X,C=",
    ])
    func badSyntax(raw: String) {
        #expect(failure { try SubjectDistinguishedName(raw) } == .syntaxViolated)
    }

    @Test("DN-03 an unknown attribute after a comma stays inside the previous value")
    func unknownAttribute() throws {
        let dn = try SubjectDistinguishedName("CN=a.example.ac.jp,E=x@y.jp,O=X,C=JP")
        #expect(dn.commonName == "a.example.ac.jp,E=x@y.jp")
    }

    @Test("DN-04 canonical order and string form round-trip")
    func canonical() throws {
        let text = "CN=Taro,OU=A,OU=B,O=X,L=Y,ST=Z,C=JP"
        let dn = try SubjectDistinguishedName(text)
        #expect(dn.description == text)
        #expect(SubjectDistinguishedName(attributes: dn.attributes.reversed()).canonical.description == "CN=Taro,OU=B,OU=A,O=X,L=Y,ST=Z,C=JP")
    }

    @Test("DN-04 PERF-51 the canonical form is the attributes grouped by type in the order CN, OU, O, L, ST, C, each group in its order, whether or not the DN is in that order already: 2,000 seeded DNs against the grouping written out")
    func canonicalAgainstGrouping() {
        let types = SubjectDistinguishedName.AttributeType.allCases
        #expect(types.map(\.canonicalRank) == Array(types.indices))
        var generator = seeded(51)
        var alreadyOrdered = 0
        for round in 0..<2_000 {
            let count = Int.random(in: 0...8, using: &generator)
            var attributes = (0..<count).map { index in
                SubjectDistinguishedName.Attribute(types.randomElement(using: &generator)!, "v\(round)-\(index)")
            }
            // Half of them put in canonical order first (stable), as submitted DNs are.
            if round % 2 == 0 { attributes = types.flatMap { type in attributes.filter { $0.type == type } } }
            let dn = SubjectDistinguishedName(attributes: attributes)
            var grouped: [SubjectDistinguishedName.Attribute] = []
            for type in types { for attribute in attributes where attribute.type == type { grouped.append(attribute) } }
            #expect(dn.canonical.attributes == grouped, "\(dn)")
            #expect(dn.isCanonicallyOrdered == (attributes == grouped), "\(dn)")
            if dn.isCanonicallyOrdered { alreadyOrdered += 1 }
        }
        #expect(alreadyOrdered >= 1_000 && alreadyOrdered < 2_000)
    }

    @Test("DN-01 PERF-52 a parsed DN's string form is the text it came from, the same as its attributes give; it equals, hashes and codes as the DN made from those attributes: 2,000 seeded texts with commas, equals signs, unknown attributes and non-ASCII values")
    func parsedTextRoundTrip() throws {
        let types = SubjectDistinguishedName.AttributeType.allCases
        let pieces = ["a", "Example University", "x=y", "Dept=A,B", " spaced ", ",E=mail@example.jp", "情報基盤センター", "Chiyoda-ku", "=", ",", "c=jp", "ST", ",cn=lower"]
        var generator = seeded(52)
        var parsed = 0
        for _ in 0..<2_000 {
            let count = Int.random(in: 1...7, using: &generator)
            let raw = (0..<count).map { _ in
                types.randomElement(using: &generator)!.rawValue + "=" + (0..<Int.random(in: 1...3, using: &generator))
                    .map { _ in pieces.randomElement(using: &generator)! }.joined()
            }.joined(separator: ",")
            guard let dn = try? SubjectDistinguishedName(raw) else { continue }
            parsed += 1
            let built = SubjectDistinguishedName(attributes: dn.attributes)
            #expect(dn.description == raw && built.description == raw, "\(raw)")
            #expect(dn == built && dn.hashValue == built.hashValue)
            let encoder = JSONEncoder()
            encoder.outputFormatting = .sortedKeys
            let coded = try encoder.encode(dn)
            #expect(coded == (try encoder.encode(built)))
            #expect(try JSONDecoder().decode(SubjectDistinguishedName.self, from: coded) == dn)
            #expect(String(decoding: coded, as: UTF8.self).hasPrefix("{\"attributes\":["))
        }
        #expect(parsed > 1_000)
    }

    @Test("DN-05 attribute order patterns")
    func order() throws {
        let server: [(SubjectDistinguishedName.AttributeType, Int, Int)] = [(.commonName, 1, 1), (.organization, 1, 1), (.locality, 1, 1), (.stateOrProvince, 1, 1), (.country, 1, 1)]
        #expect(try SubjectDistinguishedName("CN=a,O=b,L=c,ST=d,C=JP").matchesOrder(server))
        #expect(!(try SubjectDistinguishedName("CN=a,O=b,ST=d,L=c,C=JP").matchesOrder(server)))
        #expect(!(try SubjectDistinguishedName("CN=a,O=b,L=c,C=JP").matchesOrder(server)))
        #expect(!(try SubjectDistinguishedName("CN=a,CN=b,O=b,L=c,ST=d,C=JP").matchesOrder(server)))
    }
}
