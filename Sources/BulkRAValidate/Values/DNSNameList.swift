import BulkRAModel

/// The dNSName list of server column 13: `dNSName=<fqdn>[,dNSName=<fqdn>]…` (Specs/server-tsv.md, SRV-13).
///
/// Every name is a valid FQDN, no name repeats, the CN is added when missing, and with it the list
/// holds at most 8 names and 250 characters. Every fault is 227.
public struct DNSNameList: Sendable, Hashable, Codable {
    /// The names in order, the CN included (added last when it was missing).
    public let names: [DomainName]

    /// The most names, the CN included.
    public static let maximumCount = 8
    /// The longest list text, the CN's addition included.
    public static let maximumLength = 250

    /// Parses column 13 for a certificate whose CN is `commonName`.
    init(_ raw: String, commonName: DomainName?) throws(ValueError) {
        var names: [DomainName] = []
        if !raw.isEmpty {
            for entry in Self.entries(raw) {
                guard entry.utf8.count > 8, Self.startsWithMarker(entry) else {
                    throw ValueError(.dnsNameList, ja: "（dNSName=<FQDN>をカンマで区切って指定してください）",
                                     en: "(write dNSName=<fqdn> entries separated by commas)")
                }
                let name: DomainName
                do throws(ValueError) {
                    name = try DomainName(String(entry.dropFirst(8)))
                } catch {
                    throw ValueError(.dnsNameList, LocalizedText(ja: "（\(entry.dropFirst(8))はFQDNではありません）",
                                                                 en: "(\(entry.dropFirst(8)) is not a valid FQDN)").adding(error.detail))
                }
                guard !names.contains(name) else {
                    throw ValueError(.dnsNameList, ja: "（\(name)が重複しています）", en: "(\(name) is listed twice)")
                }
                names.append(name)
            }
        }
        var length = raw.scalarCount
        if let commonName, !names.contains(commonName) {
            names.append(commonName)
            length += (raw.isEmpty ? 0 : 1) + 8 + commonName.name.utf8.count  // FQDN-01: a DomainName is ASCII
        }
        guard names.count <= Self.maximumCount else {
            throw ValueError(.dnsNameList, ja: "（CNを含め\(Self.maximumCount)個以内です。\(names.count)個あります）",
                             en: "(at most \(Self.maximumCount) names including the CN; \(names.count) given)")
        }
        guard length <= Self.maximumLength else {
            throw ValueError(.dnsNameList, ja: "（CNの追加分を含め\(Self.maximumLength)文字以内です）",
                             en: "(at most \(Self.maximumLength) characters including the added CN)")
        }
        self.names = names
    }
}

extension DNSNameList {
    /// SRV-13: the entries between commas, empty ones included. PERF-23: an ASCII list is cut at its comma bytes — the same
    /// cuts as by characters, since among ASCII characters only CR LF share a character — and other text by characters.
    static func entries(_ raw: String) -> [Substring] {
        let utf8 = raw.utf8
        guard utf8.allSatisfy({ $0 < 0x80 }) else { return raw.split(separator: ",", omittingEmptySubsequences: false) }
        var entries: [Substring] = []
        var start = utf8.startIndex
        for index in utf8.indices where utf8[index] == UInt8(ascii: ",") {
            entries.append(raw[start..<index])
            start = utf8.index(after: index)
        }
        entries.append(raw[start...])
        return entries
    }

    /// SRV-13: whether `entry` starts with `dNSName=` in any case (PERF-18: compared byte by byte, no lowered copy).
    static func startsWithMarker(_ entry: Substring) -> Bool {
        entry.utf8.prefix(8).elementsEqual("dnsname=".utf8) { byte, lower in
            byte.asciiLowercased == lower
        }
    }

    /// SRV-13: a list read back from its column text (a stored certificate, a download file): the same checks, no CN added.
    public init(text: String) throws(ValueError) {
        try self.init(text, commonName: nil)
    }

    /// SRV-13: the column text of `names`, `dNSName=<fqdn>` entries joined by `,`, as uploads, downloads and the registry write it.
    public static func text(_ names: [DomainName]) -> String {
        names.map { "dNSName=" + $0.name }.joined(separator: ",")
    }
}
