#ifndef BULKRA_OPENSSL_H
#define BULKRA_OPENSSL_H
#include <stddef.h>
#include <stdint.h>

/// Builds a PKCS#12 bundle with OpenSSL 3 libcrypto (swift-crypto's BoringSSL cannot write the 3DES form).
/// legacy = 0: PBES2 / PBKDF2 / AES-256-CBC, HMAC-SHA-256 MAC. legacy = 1: PBE-SHA1-3DES for key and
/// certificates, SHA-1 MAC. Returns 0 on success and a malloc'ed DER in *out (free with bulkra_pkcs12_free).
int bulkra_pkcs12_create(const uint8_t *key, size_t key_length,
                         const uint8_t *certificate, size_t certificate_length,
                         const uint8_t *const *chain, const size_t *chain_lengths, size_t chain_count,
                         const char *friendly_name, const char *passphrase, int legacy,
                         uint8_t **out, size_t *out_length);

/// Frees a bundle returned by bulkra_pkcs12_create.
void bulkra_pkcs12_free(uint8_t *bytes);

/// Reads a private key in PEM (PKCS#8, encrypted PKCS#8, PKCS#1 RSA, SEC 1 EC, legacy-encrypted
/// "Proc-Type: 4,ENCRYPTED") with an optional passphrase and returns it as unencrypted PKCS#8 DER
/// in *out (free with bulkra_pkcs12_free). Returns 0 on success, 1 when a passphrase is needed or
/// wrong, -1 when the text is not a private key.
int bulkra_private_key_pkcs8(const char *pem, size_t pem_length, const char *passphrase,
                             uint8_t **out, size_t *out_length);

/// Loads an unencrypted PKCS#8 private key for signing; NULL on failure. Free with bulkra_signing_key_free.
void *bulkra_signing_key_new(const uint8_t *pkcs8, size_t length);

/// Signs SHA-256(data) with PKCS#1 v1.5 (RSA) or ECDSA; *signature_length is the buffer size on input
/// and the signature length on output. Thread-safe for one key used from several threads. Returns 0 on success.
int bulkra_signing_key_sign_sha256(void *key, const uint8_t *data, size_t length, uint8_t *signature, size_t *signature_length);

/// Frees a key from bulkra_signing_key_new.
void bulkra_signing_key_free(void *key);

/// An issuing CA's certificate loaded once for CRL checks (the doctor, CRL freshness); NULL when the DER is not a
/// certificate. Free with bulkra_issuer_free.
void *bulkra_issuer_new(const uint8_t *der, size_t length);

/// Frees an issuer from bulkra_issuer_new.
void bulkra_issuer_free(void *issuer);

/// A CRL's facts: 1 when signed by the issuer, 0 when not, -1 when the DER is not a CRL. The update times are seconds
/// since 1970 (next_update 0 when absent); the revoked serials are written as upper-case hex separated by '\n'
/// into a malloc'ed NUL-terminated string (free with bulkra_pkcs12_free).
int bulkra_issuer_check_crl(void *issuer, const uint8_t *der, size_t length, int64_t *this_update, int64_t *next_update,
                            char **serials);

/// PERF-95: signs `count` SHA-256 digests (32 bytes each, back to back) with a P-256 key from bulkra_signing_key_new in one
/// batch (the nonces' and the points' inversions shared). Each DER ECDSA-Sig-Value goes to signatures + 72·i, its length to
/// lengths[i]. Returns 0 on success, -1 when the key is not a P-256 key or OpenSSL fails. Thread-safe for one key.
int bulkra_ecdsa_p256_sign_digests(void *key, const uint8_t *digests, size_t count, uint8_t *signatures, size_t *lengths);

/// PERF-95: the DER ECDSA-Sig-Value of r and s (32-byte big-endian each) in out; returns its length (at most 72).
size_t bulkra_ecdsa_signature_der(const uint8_t r[32], const uint8_t s[32], uint8_t out[72]);

#endif
