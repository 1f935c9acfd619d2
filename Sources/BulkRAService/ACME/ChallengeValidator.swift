import BulkRAACME
import BulkRARegistry
import Foundation
import NIOCore
import NIOPosix

/// ACME-15: proves a name for a challenge — http-01 asks the name's port 80 for the key authorization, dns-01 asks DNS
/// for `_acme-challenge.<name>` TXT. Returns nil when the name is proven, otherwise the problem the challenge records.
public protocol ChallengeValidator: Sendable {
    /// ACME-15: validates `kind` for `name` with `keyAuthorization`.
    func validate(_ kind: ACMEChallengeRecord.Kind, name: String, keyAuthorization: KeyAuthorization, token: String) async -> ACMEProblem?
}

/// ACME-15: validation over the network. Tests on one machine redirect it (ACME-20): `validationHost` is connected to
/// instead of the name's address, `httpPort` instead of 80, `dnsResolver` asked instead of the system's.
public struct NetworkChallengeValidator: ChallengeValidator {
    /// ACME-20: where http-01 connects instead of the name's address.
    public let validationHost: String?
    /// ACME-20: the http-01 port (80 in production).
    public let httpPort: Int
    /// ACME-20: the DNS server asked (host, port); nil: the first nameserver of /etc/resolv.conf.
    public let dnsResolver: (host: String, port: Int)?
    /// How long one validation may take.
    public let timeout: TimeAmount
    /// The most response bytes read (a challenge response is one line).
    static let responseLimit = 16 << 10

    /// ACME-15, ACME-20: a validator with its overrides.
    public init(validationHost: String? = nil, httpPort: Int = 80, dnsResolver: (host: String, port: Int)? = nil, timeout: TimeAmount = .seconds(10)) {
        self.validationHost = validationHost
        self.httpPort = httpPort
        self.dnsResolver = dnsResolver
        self.timeout = timeout
    }

    /// Implements ACME-15.
    public func validate(_ kind: ACMEChallengeRecord.Kind, name: String, keyAuthorization: KeyAuthorization, token: String) async -> ACMEProblem? {
        do {
            return try await withThrowingTaskGroup(of: ACMEProblem?.self) { group in
                group.addTask {
                    switch kind {
                    case .http01: return try await http(name: name, token: token, expecting: keyAuthorization)
                    case .dns01: return try await dns(name: name, expecting: keyAuthorization.dnsRecordValue)
                    }
                }
                group.addTask {
                    try await Task.sleep(nanoseconds: UInt64(timeout.nanoseconds))
                    return ACMEProblem(kind == .http01 ? .connection : .dns, "no answer from \(name) within \(timeout.nanoseconds / 1_000_000_000) s")
                }
                let first = try await group.next() ?? nil
                group.cancelAll()
                return first
            }
        } catch let problem as ACMEProblem {
            return problem
        } catch {
            // NIO's connection errors name addresses and internals; the client's operator needs the name and the port.
            return kind == .http01 ? ACMEProblem(.connection, "could not connect to \(name) on port \(httpPort) for http-01")
                : ACMEProblem(.dns, "could not ask DNS for _acme-challenge.\(name)")
        }
    }

    /// ACME-15: GET http://name/.well-known/acme-challenge/<token>; the body must be the key authorization.
    func http(name: String, token: String, expecting keyAuthorization: KeyAuthorization) async throws -> ACMEProblem? {
        let host = validationHost ?? name
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(timeout)
            .connect(host: host, port: httpPort) { channel in
                channel.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel) }
            }
        let request = "GET /.well-known/acme-challenge/\(token) HTTP/1.1\r\nHost: \(name)\r\nUser-Agent: BulkRA-ACME\r\nAccept: */*\r\nConnection: close\r\n\r\n"
        var received: [UInt8] = []
        try await channel.executeThenClose { inbound, outbound in
            try await outbound.write(ByteBuffer(string: request))
            // Read to the close the request asked for, or to the end its Content-Length gives (a server keeping the
            // connection open is answered at once, not after the timeout).
            for try await chunk in inbound {
                received += chunk.readableBytesView
                if received.count > Self.responseLimit || HTTPChallengeResponse.isComplete(received) { break }
            }
        }
        guard let response = HTTPChallengeResponse(received) else {
            return ACMEProblem(.connection, "\(name) did not answer with HTTP")
        }
        guard response.status == 200 else {
            return ACMEProblem(.unauthorized, "\(name) answered \(response.status) for the challenge URL")
        }
        return keyAuthorization.matchesHTTPResponse(response.body) ? nil
            : ACMEProblem(.incorrectResponse, "\(name) answered the challenge URL with another key authorization")
    }

    /// ACME-15: the TXT records of `_acme-challenge.<name>` must include the key authorization's digest.
    func dns(name: String, expecting value: String) async throws -> ACMEProblem? {
        let (host, port) = try dnsResolver ?? Self.systemResolver()
        let id = UInt16.random(in: 0...UInt16.max)
        let question = "_acme-challenge." + name
        guard let query = DNSTextQuery.query(id: id, name: question) else { return ACMEProblem(.dns, "\(question) is not a valid DNS name") }
        let address = try SocketAddress.makeAddressResolvingHost(host, port: port)
        let channel = try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(host: address.protocol == .inet6 ? "::" : "0.0.0.0", port: 0) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<AddressedEnvelope<ByteBuffer>, AddressedEnvelope<ByteBuffer>>(wrappingChannelSynchronously: channel)
                }
            }
        var records: [String]?
        try await channel.executeThenClose { inbound, outbound in
            try await outbound.write(AddressedEnvelope(remoteAddress: address, data: ByteBuffer(bytes: query)))
            for try await envelope in inbound {
                if let answer = DNSTextQuery.records(in: Array(envelope.data.readableBytesView), id: id) {
                    records = answer
                    break
                }
            }
        }
        guard let records else { return ACMEProblem(.dns, "no DNS answer for \(question)") }
        return records.contains(value) ? nil : ACMEProblem(.incorrectResponse, "no TXT record of \(question) holds the key authorization's digest")
    }

    /// The first nameserver of /etc/resolv.conf, port 53.
    static func systemResolver() throws -> (host: String, port: Int) {
        let text = (try? String(contentsOfFile: "/etc/resolv.conf", encoding: .utf8)) ?? ""
        for line in text.split(separator: "\n") {
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            if fields.count >= 2, fields[0] == "nameserver" { return (String(fields[1]), 53) }
        }
        throw ACMEProblem(.dns, "no DNS server is configured on this machine")
    }
}

/// ACME-15: an HTTP/1.x response as a challenge answer: status and body (Content-Length, chunked or to the close).
struct HTTPChallengeResponse {
    let status: Int
    let body: [UInt8]

    /// The head of a response: where its body starts, its status line and its header lines (lowercased).
    struct Head {
        let bodyStart: Int
        let statusLine: String
        let headers: [String]

        init?(_ bytes: [UInt8]) {
            guard let end = bytes.firstRange(of: [13, 10, 13, 10])?.lowerBound else { return nil }
            let lines = String(decoding: bytes[..<end], as: UTF8.self).split(separator: "\r\n").map(String.init)
            bodyStart = end + 4
            statusLine = lines.first ?? ""
            headers = lines.dropFirst().map { $0.lowercased() }
        }

        var isChunked: Bool { headers.contains { $0.hasPrefix("transfer-encoding:") && $0.contains("chunked") } }

        var contentLength: Int? {
            headers.first { $0.hasPrefix("content-length:") }.flatMap { Int($0.dropFirst(15).trimmingCharacters(in: .whitespaces)) }
        }
    }

    /// ACME-15: whether `bytes` already hold a whole response by its Content-Length (other framings end with the close).
    static func isComplete(_ bytes: [UInt8]) -> Bool {
        guard let head = Head(bytes), !head.headers.contains(where: { $0.hasPrefix("transfer-encoding:") }),
              let length = head.contentLength else { return false }
        return bytes.count - head.bodyStart >= length
    }

    init?(_ bytes: [UInt8]) {
        guard let head = Head(bytes) else { return nil }
        let statusLine = head.statusLine.split(separator: " ")
        guard statusLine.count >= 2, statusLine[0].hasPrefix("HTTP/1."), let status = Int(statusLine[1]) else { return nil }
        var body = Array(bytes[head.bodyStart...])
        if head.isChunked {
            var decoded: [UInt8] = [], rest = body[...]
            while let lineEnd = rest.firstIndex(of: 13), let size = Int(String(decoding: rest[rest.startIndex..<lineEnd], as: UTF8.self)
                .split(separator: ";")[0].trimmingCharacters(in: .whitespaces), radix: 16), size > 0 {
                let start = lineEnd + 2
                guard start + size <= rest.endIndex else { return nil }
                decoded += rest[start..<start + size]
                rest = rest[min(rest.endIndex, start + size + 2)...]
            }
            body = decoded
        } else if let length = head.contentLength, length <= body.count {
            body = Array(body[..<length])
        }
        self.status = status
        self.body = body
    }
}
