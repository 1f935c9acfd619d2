import BulkRAModel
import CBulkRAOpenSSL
import SwiftASN1
import X509

/// A PKCS#12 bundle of a service-made key, its certificate and the chain, under the access PIN (ISS-11, Specs/issuance.md).
public struct PKCS12Bundle: Sendable {
    /// The two encodings the service writes.
    public enum Format: String, Sendable, CaseIterable {
        /// PBES2 / PBKDF2 / AES-256-CBC with an HMAC-SHA-256 MAC (OpenSSL 3's default; the default here).
        case modern
        /// PBE-SHA1-3DES for key and certificates with a SHA-1 MAC, for older macOS, Android and Windows keystores.
        case compatibility
    }

    /// The DER bytes (`.p12`).
    public let der: [UInt8]

    /// Builds a bundle. The friendly name is kept ASCII (keystores garble other names).
    public init(privateKeyDER: [UInt8], certificate: Certificate, chain: [Certificate], friendlyName: String,
                passphrase: String, format: Format) throws {
        func der(_ certificate: Certificate) throws -> [UInt8] {
            var serializer = DER.Serializer()
            try serializer.serialize(certificate)
            return serializer.serializedBytes
        }
        try self.init(privateKeyDER: privateKeyDER, certificateDER: try der(certificate), chainDER: try chain.map(der),
                      friendlyName: friendlyName, passphrase: passphrase, format: format)
    }

    /// Builds a bundle from DER certificates (the issuing path, which never builds swift-certificates values).
    public init(privateKeyDER: [UInt8], certificateDER leaf: [UInt8], chainDER authorities: [[UInt8]], friendlyName: String,
                passphrase: String, format: Format) throws {
        let name = String(friendlyName.unicodeScalars.filter { $0.isASCII && $0.value >= 0x20 && $0.value < 0x7F }.map(Character.init))
        var output: UnsafeMutablePointer<UInt8>?
        var length = 0
        let status: Int32 = privateKeyDER.withUnsafeBufferPointer { key in
            leaf.withUnsafeBufferPointer { leafBytes in
                let buffers = authorities.map { bytes -> UnsafeMutablePointer<UInt8> in
                    let pointer = UnsafeMutablePointer<UInt8>.allocate(capacity: max(bytes.count, 1))
                    pointer.initialize(from: bytes, count: bytes.count)
                    return pointer
                }
                defer { buffers.forEach { $0.deallocate() } }
                var pointers: [UnsafePointer<UInt8>?] = buffers.map { UnsafePointer($0) }
                var lengths = authorities.map(\.count)
                return pointers.withUnsafeMutableBufferPointer { pointerBuffer in
                    lengths.withUnsafeMutableBufferPointer { lengthBuffer in
                        bulkra_pkcs12_create(key.baseAddress, key.count, leafBytes.baseAddress, leafBytes.count,
                                             pointerBuffer.baseAddress, lengthBuffer.baseAddress, authorities.count,
                                             name, passphrase, format == .compatibility ? 1 : 0, &output, &length)
                    }
                }
            }
        }
        guard status == 0, let output else {
            throw OperationalError(.invalidRequest, LocalizedText(ja: "PKCS#12を作成できません", en: "Cannot build the PKCS#12 bundle"))
        }
        defer { bulkra_pkcs12_free(output) }
        self.der = Array(UnsafeBufferPointer(start: output, count: length))
    }
}
