import BulkRAService
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

extension Desk {
    /// ACME-11: the most bytes of one ACME request (a finalize with an RSA-4096 CSR is under 8 KiB).
    static let acmeBodyLimit = 64 << 10

    /// ACME-11: hands one request under `/acme/` to the ACME server and its answer back; no client certificate is asked for.
    func acmeExchange(_ request: Request) async throws -> Response {
        var body: [UInt8] = []
        if request.method == .post {
            let buffer = try await request.body.collect(upTo: Self.acmeBodyLimit)
            body = Array(buffer.readableBytesView)
        }
        let answer = await acme.respond(to: ACMEExchange.Request(method: request.method.rawValue, path: request.uri.path, body: body))
        var headers = HTTPFields()
        for (name, value) in answer.headers {
            if let field = HTTPField.Name(name) { headers.append(HTTPField(name: field, value: value)) }
        }
        return Response(status: .init(code: answer.status), headers: headers,
                        body: request.method == .head ? .init() : .init(byteBuffer: ByteBuffer(bytes: answer.body)))
    }
}
