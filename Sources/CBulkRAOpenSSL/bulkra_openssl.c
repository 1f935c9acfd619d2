#define _GNU_SOURCE
#include "bulkra_openssl.h"
#include <openssl/bn.h>
#include <stdio.h>
#include <time.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/bio.h>
#include <openssl/objects.h>
#include <openssl/pkcs12.h>
#include <openssl/x509.h>
#include <stdlib.h>
#include <string.h>

int bulkra_pkcs12_create(const uint8_t *key, size_t key_length,
                         const uint8_t *certificate, size_t certificate_length,
                         const uint8_t *const *chain, const size_t *chain_lengths, size_t chain_count,
                         const char *friendly_name, const char *passphrase, int legacy,
                         uint8_t **out, size_t *out_length) {
    int result = -1;
    EVP_PKEY *pkey = NULL;
    X509 *leaf = NULL;
    STACK_OF(X509) *authorities = NULL;
    PKCS12 *bundle = NULL;
    unsigned char *der = NULL;
    const unsigned char *cursor;

    cursor = key;
    pkey = d2i_AutoPrivateKey(NULL, &cursor, (long)key_length);
    if (pkey == NULL) goto done;
    cursor = certificate;
    leaf = d2i_X509(NULL, &cursor, (long)certificate_length);
    if (leaf == NULL) goto done;
    authorities = sk_X509_new_null();
    if (authorities == NULL) goto done;
    for (size_t index = 0; index < chain_count; index++) {
        cursor = chain[index];
        X509 *authority = d2i_X509(NULL, &cursor, (long)chain_lengths[index]);
        if (authority == NULL || !sk_X509_push(authorities, authority)) { X509_free(authority); goto done; }
    }
    if (legacy) {
        int nid = NID_pbe_WithSHA1And3_Key_TripleDES_CBC;
        bundle = PKCS12_create(passphrase, friendly_name, pkey, leaf, authorities, nid, nid, 2048, -1, 0);
        if (bundle == NULL) goto done;
        if (!PKCS12_set_mac(bundle, passphrase, -1, NULL, 0, 2048, EVP_sha1())) goto done;
    } else {
        bundle = PKCS12_create_ex(passphrase, friendly_name, pkey, leaf, authorities, NID_aes_256_cbc, NID_aes_256_cbc,
                                  2048, 2048, 0, NULL, NULL);
        if (bundle == NULL) goto done;
    }
    int length = i2d_PKCS12(bundle, &der);
    if (length <= 0) goto done;
    *out = malloc((size_t)length);
    if (*out == NULL) goto done;
    memcpy(*out, der, (size_t)length);
    *out_length = (size_t)length;
    result = 0;
done:
    OPENSSL_free(der);
    PKCS12_free(bundle);
    sk_X509_pop_free(authorities, X509_free);
    X509_free(leaf);
    EVP_PKEY_free(pkey);
    return result;
}

void bulkra_pkcs12_free(uint8_t *bytes) {
    free(bytes);
}

static int bulkra_passphrase(char *buffer, int size, int rwflag, void *user) {
    (void)rwflag;
    const char *passphrase = (const char *)user;
    if (passphrase == NULL) return -1;
    size_t length = strlen(passphrase);
    if ((int)length > size) return -1;
    memcpy(buffer, passphrase, length);
    return (int)length;
}

int bulkra_private_key_pkcs8(const char *pem, size_t pem_length, const char *passphrase,
                             uint8_t **out, size_t *out_length) {
    int result = -1;
    BIO *input = BIO_new_mem_buf(pem, (int)pem_length);
    EVP_PKEY *pkey = NULL;
    PKCS8_PRIV_KEY_INFO *info = NULL;
    unsigned char *der = NULL;
    if (input == NULL) return -1;
    ERR_clear_error();
    pkey = PEM_read_bio_PrivateKey(input, NULL, bulkra_passphrase, (void *)passphrase);
    if (pkey == NULL) {
        unsigned long error = ERR_peek_last_error();
        int reason = ERR_GET_REASON(error);
        result = (strstr(pem, "ENCRYPTED") != NULL || reason == PEM_R_BAD_PASSWORD_READ || reason == PEM_R_BAD_DECRYPT) ? 1 : -1;
        ERR_clear_error();
        goto done;
    }
    info = EVP_PKEY2PKCS8(pkey);
    if (info == NULL) goto done;
    int length = i2d_PKCS8_PRIV_KEY_INFO(info, &der);
    if (length <= 0) goto done;
    *out = malloc((size_t)length);
    if (*out == NULL) goto done;
    memcpy(*out, der, (size_t)length);
    *out_length = (size_t)length;
    OPENSSL_cleanse(der, (size_t)length);
    result = 0;
done:
    OPENSSL_free(der);
    PKCS8_PRIV_KEY_INFO_free(info);
    EVP_PKEY_free(pkey);
    BIO_free(input);
    return result;
}

void *bulkra_signing_key_new(const uint8_t *pkcs8, size_t length) {
    const unsigned char *cursor = pkcs8;
    return d2i_AutoPrivateKey(NULL, &cursor, (long)length);
}

int bulkra_signing_key_sign_sha256(void *key, const uint8_t *data, size_t length, uint8_t *signature, size_t *signature_length) {
    EVP_MD_CTX *context = EVP_MD_CTX_new();
    int result = -1;
    if (context == NULL) return -1;
    if (EVP_DigestSignInit(context, NULL, EVP_sha256(), NULL, (EVP_PKEY *)key) == 1 &&
        EVP_DigestSign(context, signature, signature_length, data, length) == 1) {
        result = 0;
    }
    EVP_MD_CTX_free(context);
    return result;
}

void bulkra_signing_key_free(void *key) {
    EVP_PKEY_free((EVP_PKEY *)key);
}

struct bulkra_issuer {
    X509 *certificate;
    EVP_PKEY *key;
};

void *bulkra_issuer_new(const uint8_t *der, size_t length) {
    const unsigned char *cursor = der;
    X509 *certificate = d2i_X509(NULL, &cursor, (long)length);
    if (certificate == NULL) return NULL;
    EVP_PKEY *key = X509_get0_pubkey(certificate);
    if (key == NULL) { X509_free(certificate); return NULL; }
    struct bulkra_issuer *issuer = malloc(sizeof *issuer);
    if (issuer == NULL) { X509_free(certificate); return NULL; }
    issuer->certificate = certificate;
    issuer->key = key;
    return issuer;
}

void bulkra_issuer_free(void *pointer) {
    struct bulkra_issuer *issuer = pointer;
    if (issuer == NULL) return;
    X509_free(issuer->certificate);
    free(issuer);
}

static void bulkra_serial_hex(const ASN1_INTEGER *serial, char *out, size_t capacity) {
    if (capacity == 0) return;
    out[0] = 0;
    BIGNUM *number = ASN1_INTEGER_to_BN(serial, NULL);
    if (number == NULL) return;
    char *hex = BN_bn2hex(number);
    if (hex != NULL) {
        snprintf(out, capacity, "%s", hex);
        OPENSSL_free(hex);
    }
    BN_free(number);
}

static int64_t bulkra_epoch(const ASN1_TIME *time) {
    struct tm parts;
    if (time == NULL || ASN1_TIME_to_tm(time, &parts) != 1) return 0;
    return (int64_t)timegm(&parts);
}

int bulkra_issuer_check_crl(void *pointer, const uint8_t *der, size_t length, int64_t *this_update, int64_t *next_update,
                            char **serials) {
    struct bulkra_issuer *issuer = pointer;
    const unsigned char *cursor = der;
    X509_CRL *crl = d2i_X509_CRL(NULL, &cursor, (long)length);
    *serials = NULL;
    if (crl == NULL) return -1;
    *this_update = bulkra_epoch(X509_CRL_get0_lastUpdate(crl));
    *next_update = bulkra_epoch(X509_CRL_get0_nextUpdate(crl));
    STACK_OF(X509_REVOKED) *revoked = X509_CRL_get_REVOKED(crl);
    int count = revoked == NULL ? 0 : sk_X509_REVOKED_num(revoked);
    char *list = malloc((size_t)count * 42 + 1);
    if (list == NULL) { X509_CRL_free(crl); return -1; }
    size_t used = 0;
    list[0] = 0;
    for (int index = 0; index < count; index++) {
        char hex[41];
        bulkra_serial_hex(X509_REVOKED_get0_serialNumber(sk_X509_REVOKED_value(revoked, index)), hex, sizeof hex);
        used += (size_t)snprintf(list + used, 42, "%s\n", hex);
    }
    *serials = list;
    int result = X509_NAME_cmp(X509_CRL_get_issuer(crl), X509_get_subject_name(issuer->certificate)) == 0
        && X509_CRL_verify(crl, issuer->key) == 1;
    X509_CRL_free(crl);
    return result;
}
