import BulkRAModel
import BulkRAValidate
import Foundation
import X509

/// A certificate the service has signed: the output of issuance, the input of recording (ISS-06).
public struct IssuedCertificate: Sendable {
    /// What the issue or renew line asked for (ISS-04, ISS-05).
    public let application: CertificateApplication
    /// The certificate a renew line replaces (VAL-I03); nil for an issue line.
    public let replacedSerial: SerialNumber?
    /// The serial number (decimal everywhere).
    public let serial: SerialNumber
    /// The profile it was issued under.
    public let profile: CertificateProfile
    /// Its DER encoding.
    public let der: [UInt8]
    /// The first second of its validity.
    public let notValidBefore: Date
    /// The last second of its validity.
    public let notValidAfter: Date
    /// The issuing CA and the chain above it, nearest first.
    public let chain: [Certificate]
    /// SHA-256 of the key bits (CSR-06).
    public let keyDigest: String

    /// The chain above the leaf as PEM, made once per issuing CA.
    let chainPEM: String
    /// The chain above the leaf as DER, for PKCS#12 bundles.
    let chainDER: [[UInt8]]

    /// The accepted request it answers (ISS-06).
    public var request: CertificateRequest { CertificateRequest(application, replacing: replacedSerial) }

    /// The certificate parsed by swift-certificates (on demand: issuing writes DER directly).
    public var certificate: Certificate {
        get throws { try Certificate(derEncoded: der) }
    }

    /// The leaf followed by its chain, PEM.
    public func pemWithChain() throws -> String {
        Self.pem(der) + chainPEM
    }

    /// A certificate's PEM block from its DER (64-character base64 lines).
    public static func pem(_ der: [UInt8]) -> String {
        String(decoding: pem(der, followedBy: []), as: UTF8.self)
    }

    /// PERF-48: a certificate's PEM block from its DER (RFC 7468: 64-character base64 lines, each ended by a line feed),
    /// followed by `trailer` (its chain's PEM), made as bytes in the one buffer they are returned in: a line of 48 DER
    /// bytes at a time, the header, footer and trailer copied whole.
    public static func pem(_ der: [UInt8], followedBy trailer: [UInt8]) -> [UInt8] {
        let (header, footer) = (pemHeader, pemFooter)
        let encoded = (der.count + 2) / 3 * 4
        let total = header.count + encoded + max(0, encoded - 1) / 64 + footer.count + trailer.count
        return [UInt8](unsafeUninitializedCapacity: total) { buffer, count in
            guard var out = buffer.baseAddress else { return }
            func put(_ bytes: [UInt8]) {
                bytes.withUnsafeBufferPointer { source in
                    guard let from = source.baseAddress else { return }
                    out.initialize(from: from, count: source.count)
                    out += source.count
                }
            }
            put(header)
            der.withUnsafeBufferPointer { input in
                // 48 bytes make one 64-character line; only the last line can end in a partial group.
                var index = 0
                while index < input.count {
                    if index > 0 {
                        out.initialize(to: 0x0A)
                        out += 1
                    }
                    let lineEnd = min(index + 48, input.count)
                    out = encodeBase64(input, from: index, to: lineEnd, into: out)
                    index = lineEnd
                }
            }
            put(footer)
            put(trailer)
            count = out - buffer.baseAddress!
        }
    }

    /// DL-11, PERF-54: the certificate's one-line PEM body (its DER in base64, no line breaks), written straight into the
    /// string's storage — every row of a 46-column download carries one.
    public static func pemBody(_ der: [UInt8]) -> String {
        let encoded = (der.count + 2) / 3 * 4
        return String(unsafeUninitializedCapacity: encoded) { buffer in
            guard let base = buffer.baseAddress else { return 0 }
            return der.withUnsafeBufferPointer { input in encodeBase64(input, from: 0, to: input.count, into: base) - base }
        }
    }

    /// PERF-48, PERF-54: `input[from..<to]` in base64 (RFC 4648 §4, padded) written at `out`; returns where the writing ended.
    private static func encodeBase64(_ input: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int,
                                     into out: UnsafeMutablePointer<UInt8>) -> UnsafeMutablePointer<UInt8> {
        var out = out, index = start
        base64Alphabet.withUnsafeBufferPointer { alphabet in
            while index + 3 <= end {
                let group = UInt32(input[index]) << 16 | UInt32(input[index + 1]) << 8 | UInt32(input[index + 2])
                out[0] = alphabet[Int(group >> 18 & 0x3F)]
                out[1] = alphabet[Int(group >> 12 & 0x3F)]
                out[2] = alphabet[Int(group >> 6 & 0x3F)]
                out[3] = alphabet[Int(group & 0x3F)]
                out += 4
                index += 3
            }
            if index < end {
                let two = end - index == 2
                let group = UInt32(input[index]) << 16 | (two ? UInt32(input[index + 1]) << 8 : 0)
                out[0] = alphabet[Int(group >> 18 & 0x3F)]
                out[1] = alphabet[Int(group >> 12 & 0x3F)]
                out[2] = two ? alphabet[Int(group >> 6 & 0x3F)] : UInt8(ascii: "=")
                out[3] = UInt8(ascii: "=")
                out += 4
            }
        }
        return out
    }

    private static let pemHeader = Array("-----BEGIN CERTIFICATE-----\n".utf8)
    private static let pemFooter = Array("\n-----END CERTIFICATE-----\n".utf8)
    /// The base64 alphabet (RFC 4648 §4).
    private static let base64Alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
}
