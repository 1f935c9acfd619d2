import _CryptoExtras

extension SigningRequest.PublicKey {
    /// PERF-68: an RSA key of 2,048 bits or more read straight from its SubjectPublicKeyInfo and made from its modulus and
    /// exponent, without swift-crypto's parse of the whole structure into a node tree (and BoringSSL's second reading) for
    /// every request. Nil whenever the bytes are not exactly the form BoringSSL reads — rsaEncryption with NULL parameters, a
    /// BIT STRING with no unused bits holding RSAPublicKey { n, e } as positive, minimally encoded INTEGERs and nothing after
    /// — or the modulus is shorter: the general path then reads or refuses the bytes as before. The key itself is checked by
    /// BoringSSL as on that path (`RSA_check_key`).
    static func rsaKey(spki: ArraySlice<UInt8>) -> _RSA.Signing.PublicKey? {
        spki.withUnsafeBufferPointer { buffer -> _RSA.Signing.PublicKey? in
            typealias Identifier = DERReader.Identifier
            do throws(DERReader.Malformed) {
                var top = DERReader(buffer)
                let info = try top.required(Identifier.sequence)
                guard top.isAtEnd else { return nil }
                var fields = top.reader(inside: info)
                var algorithm = fields.reader(inside: try fields.required(Identifier.sequence))
                let identifier = try algorithm.objectIdentifier()
                guard buffer[identifier].elementsEqual(SigningRequest.ObjectIdentifiers.rsaEncryption) else { return nil }
                guard try algorithm.required(Identifier.null).content.isEmpty, algorithm.isAtEnd else { return nil }
                let bits = try fields.required(Identifier.bitString).content
                guard fields.isAtEnd, bits.count > 1, buffer[bits.lowerBound] == 0 else { return nil }
                var key = DERReader(buffer, (bits.lowerBound + 1)..<bits.upperBound)
                let sequence = try key.required(Identifier.sequence)
                guard key.isAtEnd else { return nil }
                var integers = key.reader(inside: sequence)
                let modulus = try integers.required(Identifier.integer).content
                let exponent = try integers.required(Identifier.integer).content
                guard integers.isAtEnd, let n = DERReader.unsignedMagnitude(key.bytes(modulus)),
                      let e = DERReader.unsignedMagnitude(key.bytes(exponent)),
                      let first = n.first, (n.count - 1) * 8 + (8 - first.leadingZeroBitCount) >= 2048 else { return nil }
                return try? _RSA.Signing.PublicKey(n: Array(n), e: Array(e))
            } catch {
                return nil
            }
        }
    }
}
