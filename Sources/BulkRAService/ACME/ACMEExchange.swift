/// ACME-11: one HTTP exchange of the ACME server, as the desk hands it over and sends it back: the server itself never
/// sees sockets, so the protocol is tested without HTTP.
public enum ACMEExchange {
    /// ACME-11: a request: method, path below the host (`/acme/...`, no query) and body.
    public struct Request: Sendable {
        public let method: String
        public let path: String
        public let body: [UInt8]

        /// Creates a request.
        public init(method: String, path: String, body: [UInt8] = []) {
            self.method = method
            self.path = path
            self.body = body
        }
    }

    /// ACME-11: a response: status, headers (`Replay-Nonce`, `Location`, `Link`, `Content-Type`, `Retry-After`) and body.
    public struct Response: Sendable {
        public let status: Int
        public let headers: [(name: String, value: String)]
        public let body: [UInt8]

        /// Creates a response.
        public init(status: Int, headers: [(name: String, value: String)], body: [UInt8]) {
            self.status = status
            self.headers = headers
            self.body = body
        }

        /// The value of header `name` (case-insensitive), if present.
        public func header(_ name: String) -> String? {
            headers.first { $0.name.lowercased() == name.lowercased() }?.value
        }
    }
}
