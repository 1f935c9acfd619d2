import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The fields of a submitted form (DESK-20): `multipart/form-data` (the upload form, with its file) or
/// `application/x-www-form-urlencoded` (every other form).
struct FormFields: Sendable {
    struct Part: Sendable {
        let fileName: String?
        let bytes: [UInt8]
    }

    let parts: [String: Part]

    func text(_ name: String) -> String? {
        parts[name].map { String(decoding: $0.bytes, as: UTF8.self) }
    }

    /// Reads and parses the body; a body over `limit` bytes throws HTTP 413.
    static func read(_ request: Request, limit: Int) async throws -> FormFields {
        var body = try await request.body.collect(upTo: limit)
        let bytes = body.readBytes(length: body.readableBytes) ?? []
        let type = request.headers[.contentType] ?? ""
        if type.lowercased().hasPrefix("multipart/form-data") {
            guard let boundary = boundary(of: type) else { return FormFields(parts: [:]) }
            return FormFields(parts: multipart(bytes, boundary: boundary))
        }
        return FormFields(parts: urlEncoded(String(decoding: bytes, as: UTF8.self)))
    }

    static func boundary(of type: String) -> String? {
        for parameter in type.split(separator: ";").dropFirst() {
            let pair = parameter.trimmingCharacters(in: .whitespaces)
            if pair.lowercased().hasPrefix("boundary=") {
                var value = String(pair.dropFirst("boundary=".count))
                if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 { value = String(value.dropFirst().dropLast()) }
                return value.isEmpty ? nil : value
            }
        }
        return nil
    }

    static func urlEncoded(_ text: String) -> [String: Part] {
        var parts: [String: Part] = [:]
        for pair in text.split(separator: "&") {
            let pieces = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ piece: Substring) -> String {
                String(piece).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? ""
            }
            let name = decode(pieces[0])
            if parts[name] == nil { parts[name] = Part(fileName: nil, bytes: Array(decode(pieces.count > 1 ? pieces[1] : "").utf8)) }
        }
        return parts
    }

    /// RFC 7578: parts between `--boundary` lines, headers up to an empty line; the first part of a name wins.
    static func multipart(_ body: [UInt8], boundary: String) -> [String: Part] {
        let delimiter = Array("\r\n--\(boundary)".utf8)
        // The body starts with `--boundary` (no leading CRLF): search in CRLF + body.
        let data = [0x0D, 0x0A] + body
        var parts: [String: Part] = [:]
        var positions: [Int] = []
        var index = 0
        while let found = find(delimiter, in: data, from: index) {
            positions.append(found)
            index = found + delimiter.count
        }
        for (start, end) in zip(positions, positions.dropFirst()) {
            var partStart = start + delimiter.count
            // Skip the line end after the boundary.
            guard partStart + 1 < data.count, data[partStart] == 0x0D, data[partStart + 1] == 0x0A else { continue }
            partStart += 2
            guard let headerEnd = find([0x0D, 0x0A, 0x0D, 0x0A], in: data, from: partStart), headerEnd < end else { continue }
            let headers = String(decoding: data[partStart..<headerEnd], as: UTF8.self)
            var name: String?
            var fileName: String?
            for line in headers.components(separatedBy: "\r\n") where line.lowercased().hasPrefix("content-disposition:") {
                name = parameter("name", in: line)
                fileName = parameter("filename", in: line)
            }
            guard let name, parts[name] == nil else { continue }
            parts[name] = Part(fileName: fileName, bytes: Array(data[(headerEnd + 4)..<end]))
        }
        return parts
    }

    static func parameter(_ key: String, in line: String) -> String? {
        guard let range = line.range(of: "; \(key)=\"") ?? line.range(of: ";\(key)=\"") else { return nil }
        let rest = line[range.upperBound...]
        guard let close = rest.firstIndex(of: "\"") else { return nil }
        return String(rest[..<close])
    }

    static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard !needle.isEmpty, haystack.count >= needle.count, start <= haystack.count - needle.count else { return nil }
        let first = needle[0]
        var index = start
        let last = haystack.count - needle.count
        while index <= last {
            if haystack[index] == first {
                var matched = true
                for offset in 1..<needle.count where haystack[index + offset] != needle[offset] {
                    matched = false
                    break
                }
                if matched { return index }
            }
            index += 1
        }
        return nil
    }
}
