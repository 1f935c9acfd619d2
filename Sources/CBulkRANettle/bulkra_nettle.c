#include "bulkra_nettle.h"
#include <gmp.h>
#include <nettle/ecc-curve.h>
#include <nettle/ecc.h>
#include <nettle/ecdsa.h>

enum { coordinate_bytes = 48 };

/// Sets `key` (initialised on secp384r1) to `point`; 0 when the point is refused (ecc_point_set refuses coordinates at
/// or above the prime and points off the curve).
static int set_point(struct ecc_point *key, const uint8_t *point) {
    mpz_t x, y;
    mpz_init(x);
    mpz_init(y);
    // Big-endian byte strings: most significant "word" (a byte) first.
    mpz_import(x, coordinate_bytes, 1, 1, 1, 0, point);
    mpz_import(y, coordinate_bytes, 1, 1, 1, 0, point + coordinate_bytes);
    int valid = ecc_point_set(key, x, y);
    mpz_clear(x);
    mpz_clear(y);
    return valid;
}

int bulkra_p384_point_valid(const uint8_t *point) {
    struct ecc_point key;
    ecc_point_init(&key, nettle_get_secp_384r1());
    int valid = set_point(&key, point);
    ecc_point_clear(&key);
    return valid ? 1 : 0;
}

int bulkra_p384_verify(const uint8_t *point, const uint8_t *signature, const uint8_t *digest, size_t digest_length) {
    struct ecc_point key;
    ecc_point_init(&key, nettle_get_secp_384r1());
    int result = -1;
    if (set_point(&key, point)) {
        struct dsa_signature value;
        dsa_signature_init(&value);
        mpz_import(value.r, coordinate_bytes, 1, 1, 1, 0, signature);
        mpz_import(value.s, coordinate_bytes, 1, 1, 1, 0, signature + coordinate_bytes);
        // ecdsa_verify refuses r and s outside 1 … n − 1 before any arithmetic.
        result = ecdsa_verify(&key, digest_length, digest, &value) ? 1 : 0;
        dsa_signature_clear(&value);
    }
    ecc_point_clear(&key);
    return result;
}
