/// ACME-15: the DNS messages of a dns-01 validation (RFC 1035): one question for the TXT records of a name, and the TXT
/// strings of its answer. Pure: the caller sends and receives.
public enum DNSTextQuery {
    /// ACME-15: a recursive query (RD set) with `id` for the TXT records of `name`.
    public static func query(id: UInt16, name: String) -> [UInt8]? {
        var message: [UInt8] = [UInt8(id >> 8), UInt8(id & 0xFF), 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00]
        for label in name.split(separator: ".") {
            let bytes = Array(label.utf8)
            guard (1...63).contains(bytes.count) else { return nil }
            message.append(UInt8(bytes.count))
            message += bytes
        }
        message += [0x00, 0x00, 0x10, 0x00, 0x01]  // root, TXT, IN
        return message.count <= 512 ? message : nil
    }

    /// ACME-15: every TXT record of the answer to query `id` (each record's strings joined); nil when `response` is not a
    /// well-formed answer to it (wrong ID, not a response, an error code, truncated or out-of-bounds data).
    public static func records(in response: [UInt8], id: UInt16) -> [String]? {
        guard response.count >= 12, response[0] == UInt8(id >> 8), response[1] == UInt8(id & 0xFF), response[2] & 0x80 != 0,
              response[2] & 0x02 == 0 else { return nil }
        let code = response[3] & 0x0F
        if code == 3 { return [] }  // NXDOMAIN: no records
        guard code == 0 else { return nil }
        let questions = Int(response[4]) << 8 | Int(response[5]), answers = Int(response[6]) << 8 | Int(response[7])
        var offset = 12
        func skipName() -> Bool {
            while offset < response.count {
                let length = Int(response[offset])
                if length == 0 { offset += 1; return true }
                if length & 0xC0 == 0xC0 { offset += 2; return offset <= response.count }
                offset += 1 + length
            }
            return false
        }
        for _ in 0..<questions {
            guard skipName(), offset + 4 <= response.count else { return nil }
            offset += 4
        }
        var records: [String] = []
        for _ in 0..<answers {
            guard skipName(), offset + 10 <= response.count else { return nil }
            let type = Int(response[offset]) << 8 | Int(response[offset + 1])
            let length = Int(response[offset + 8]) << 8 | Int(response[offset + 9])
            offset += 10
            guard offset + length <= response.count else { return nil }
            if type == 16 {
                var text: [UInt8] = [], position = offset
                while position < offset + length {
                    let part = Int(response[position])
                    guard position + 1 + part <= offset + length else { return nil }
                    text += response[(position + 1)..<(position + 1 + part)]
                    position += 1 + part
                }
                records.append(String(decoding: text, as: UTF8.self))
            }
            offset += length
        }
        return records
    }
}
