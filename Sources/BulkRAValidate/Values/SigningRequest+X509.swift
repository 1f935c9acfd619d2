import X509

extension SigningRequest {
    /// The request's public key for a certificate, from the SubjectPublicKeyInfo read at validation (CSR-01).
    public func publicKey() throws -> Certificate.PublicKey {
        try Certificate.PublicKey(derEncoded: subjectPublicKeyInfo)
    }
}
