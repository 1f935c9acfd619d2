import BulkRAIssue
import BulkRAModel
import BulkRAService
import Crypto
import Foundation
import NIOSSL
import SwiftASN1
import X509

/// The desk's TLS server identity (DESK-03): the operator's files, or — when none are given — a
/// certificate for the listening host made from the test CA's server CA and kept in `DATA/desk/`.
struct DeskIdentity {
    let chain: [NIOSSLCertificate]
    let key: NIOSSLPrivateKey

    static func load(certificate: String, key: String) throws -> DeskIdentity {
        do {
            return DeskIdentity(chain: try NIOSSLCertificate.fromPEMFile(certificate), key: try NIOSSLPrivateKey(file: key, format: .pem))
        } catch {
            throw OperationalError(.key, LocalizedText(ja: "TLSの証明書または鍵を読めません: \(error)", en: "Cannot read the TLS certificate or key: \(error)"))
        }
    }

    /// `DATA/desk/server.pem` and `server.key.pem`, made again when missing, for another host, or within 7 days of expiry.
    static func testIdentity(data: String, host: String, now: Date) throws -> DeskIdentity {
        let folder = data + "/desk"
        let certificatePath = folder + "/server.pem"
        let keyPath = folder + "/server.key.pem"
        let names = Set(["localhost", host])
        // Another desk instance may be writing the pair at this moment: a kept pair is used only when its key is the
        // certificate's; otherwise this instance makes its own and uses it from memory.
        if let text = try? String(contentsOfFile: certificatePath, encoding: .utf8),
           let leaf = try? Certificate(pemEncoded: text), leaf.notValidAfter > now.addingTimeInterval(7 * 86_400),
           let keyText = try? String(contentsOfFile: keyPath, encoding: .utf8),
           let kept = try? P256.Signing.PrivateKey(pemRepresentation: keyText), Certificate.PublicKey(kept.publicKey) == leaf.publicKey,
           let san = try? leaf.extensions.subjectAlternativeNames,
           names.isSubset(of: Set(san.compactMap { name -> String? in
               switch name {
               case .dnsName(let value): return value
               case .ipAddress(let bytes): return Self.ipText(Array(bytes.bytes))
               default: return nil
               }
           })) {
            return try identity(certificatePEM: text, keyPEM: keyText)
        }
        let store = AuthorityStore(dataFolder: data)
        let authority = try store.authority(.server)
        let key = P256.Signing.PrivateKey()
        var alternatives: [GeneralName] = [.dnsName("localhost")]
        for name in names.sorted() where name != "localhost" {
            if let address = Self.ipBytes(name) {
                alternatives.append(.ipAddress(ASN1OctetString(contentBytes: ArraySlice(address))))
            } else {
                alternatives.append(.dnsName(name))
            }
        }
        if Self.ipBytes("127.0.0.1").map({ bytes in !alternatives.contains(.ipAddress(ASN1OctetString(contentBytes: ArraySlice(bytes)))) }) == true {
            alternatives.append(.ipAddress(ASN1OctetString(contentBytes: [127, 0, 0, 1])))
        }
        let serials = SerialNumberGenerator(randomBytes: SystemRandom.bytes)
        let certificate = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(bytes: serials.next().magnitude),
            publicKey: Certificate.PublicKey(key.publicKey), notValidBefore: now.addingTimeInterval(-300),
            notValidAfter: now.addingTimeInterval(90 * 86_400), issuer: authority.certificate.subject,
            subject: try DistinguishedName { CommonName("localhost"); OrganizationName("BulkRA TEST desk") },
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true))
                try ExtendedKeyUsage([.serverAuth])
                SubjectAlternativeNames(alternatives)
                AuthorityKeyIdentifier(keyIdentifier: try authority.certificate.extensions.subjectKeyIdentifier?.keyIdentifier)
            },
            issuerPrivateKey: authority.privateKey)
        var pem = try certificate.serializeAsPEM().pemString + "\n"
        pem += try store.chainPEM(.server)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        try store.write(key.pemRepresentation + "\n", to: keyPath, mode: 0o600)
        try store.write(pem, to: certificatePath, mode: 0o644)
        return try identity(certificatePEM: pem, keyPEM: key.pemRepresentation)
    }

    /// DESK-03: an identity from PEM text in memory.
    static func identity(certificatePEM: String, keyPEM: String) throws -> DeskIdentity {
        DeskIdentity(chain: try NIOSSLCertificate.fromPEMBytes(Array(certificatePEM.utf8)),
                     key: try NIOSSLPrivateKey(bytes: Array(keyPEM.utf8), format: .pem))
    }

    static func ipBytes(_ text: String) -> [UInt8]? {
        let parts = text.split(separator: ".")
        guard parts.count == 4 else { return nil }
        let bytes = parts.compactMap { UInt8($0) }
        return bytes.count == 4 ? bytes : nil
    }

    static func ipText(_ bytes: [UInt8]) -> String? {
        bytes.count == 4 ? bytes.map(String.init).joined(separator: ".") : nil
    }
}
