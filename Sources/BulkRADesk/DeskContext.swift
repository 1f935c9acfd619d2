import Hummingbird
import NIOCore
import NIOSSL

/// The request context of the web desk: the connection, so that handlers can read the TLS peer certificate.
struct DeskContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }

    /// The DER of the client certificate the browser presented on this connection, if any.
    func peerCertificate() async -> [UInt8]? {
        guard let certificate = try? await channel.nioSSL_peerCertificate().get() else { return nil }
        return try? certificate.toDERBytes()
    }
}
