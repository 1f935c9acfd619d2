import BulkRAModel
import BulkRAValidate
import Foundation
import X509

/// An OCSP response (RFC 6960 §4.2), hand-built DER signed by a delegated responder (OCSP-03, OCSP-04, Specs/ocsp.md).
///
/// Pure: the answers, the times and the nonce are passed in.
public struct OCSPResponse: Sendable {
    /// OCSP-05: the response statuses an unsuccessful answer carries.
    public enum Status: UInt8, Sendable {
        /// The request is not an OCSP request.
        case malformedRequest = 1
        /// The responder failed (the registry could not be read).
        case internalError = 2
        /// The responder cannot answer now; try again.
        case tryLater = 3
        /// The request names no CA this responder answers for.
        case unauthorized = 6
    }

    /// OCSP-03: the status of one certificate.
    public enum CertificateStatus: Sendable, Hashable {
        /// Issued by the CA and not revoked.
        case good
        /// Revoked at this time for this reason.
        case revoked(Date, RevocationReason)
        /// Not a certificate the CA is known to have issued.
        case unknown
    }

    /// OCSP-03: one answer: the CertID as asked, its status and the answer's validity.
    public struct Answer: Sendable, Hashable {
        /// OCSP-03: the request's CertID, byte for byte.
        public let certificateID: [UInt8]
        /// OCSP-03: the status.
        public let status: CertificateStatus
        /// OCSP-03: when the status was known to be correct.
        public let thisUpdate: Date
        /// OCSP-03: when newer information will be available.
        public let nextUpdate: Date

        /// OCSP-03: an answer.
        public init(certificateID: [UInt8], status: CertificateStatus, thisUpdate: Date, nextUpdate: Date) {
            self.certificateID = certificateID
            self.status = status
            self.thisUpdate = thisUpdate
            self.nextUpdate = nextUpdate
        }
    }

    /// The DER encoding of the OCSPResponse.
    public let der: [UInt8]

    /// OCSP-05: an unsuccessful response: the status alone, no responseBytes, unsigned.
    public init(unsuccessful status: Status) {
        der = DERWriter.tagged(0x30, DERWriter.tagged(0x0A, [status.rawValue]))
    }

    /// OCSP-03, OCSP-04: a successful response holding `answers`, signed by `responder`, naming it by key hash, carrying its
    /// certificate, and echoing `nonce` (the extension value as the request sent it) when given.
    public init(answers: [Answer], responder: DelegatedResponder, producedAt: Date, nonce: [UInt8]?) throws {
        typealias W = DERWriter
        var responses: [UInt8] = []
        for answer in answers {
            let status: [UInt8]
            switch answer.status {
            case .good:
                status = [0x80, 0x00]
            case .revoked(let at, let reason):
                var info = W.time(at, generalized: true)
                if reason != .unspecified { info += W.tagged(0xA0, W.tagged(0x0A, [UInt8(reason.rawValue)])) }
                status = W.tagged(0xA1, info)
            case .unknown:
                status = [0x82, 0x00]
            }
            responses += W.tagged(0x30, answer.certificateID + status + W.time(answer.thisUpdate, generalized: true)
                                  + W.tagged(0xA0, W.time(answer.nextUpdate, generalized: true)))
        }
        var data = W.tagged(0xA2, W.tagged(0x04, responder.keyHash)) + W.time(producedAt, generalized: true) + W.tagged(0x30, responses)
        if let nonce {
            let nonceExtension = W.tagged(0x30, [0x06, 0x09, 0x2B, 0x06, 0x01, 0x05, 0x05, 0x07, 0x30, 0x01, 0x02] + W.tagged(0x04, nonce))
            data += W.tagged(0xA1, W.tagged(0x30, nonceExtension))
        }
        let responseData = W.tagged(0x30, data)
        let algorithm = W.algorithmIdentifier(.ecdsaWithSHA256)
        let signature = try responder.privateKey.sign(bytes: responseData, signatureAlgorithm: .ecdsaWithSHA256)
        let basic = W.tagged(0x30, responseData + algorithm + W.tagged(0x03, [0x00] + signature.rawRepresentation)
                             + W.tagged(0xA0, W.tagged(0x30, responder.certificateDER)))
        // id-pkix-ocsp-basic, 1.3.6.1.5.5.7.48.1.1
        let responseBytes = W.tagged(0x30, [0x06, 0x09, 0x2B, 0x06, 0x01, 0x05, 0x05, 0x07, 0x30, 0x01, 0x01] + W.tagged(0x04, basic))
        der = W.tagged(0x30, W.tagged(0x0A, [0x00]) + W.tagged(0xA0, responseBytes))
    }
}
