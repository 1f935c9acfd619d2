// PERF-95: ECDSA P-256 signatures for many digests at once with one P-256 CA key (ISS-19).
//
// A single ECDSA signature spends half its time on two inversions: the nonce k modulo the order n, and the point k·G's
// Z coordinate modulo p (to read its affine x). For a batch both are shared (Montgomery's trick: the product of all the
// values is inverted once, each inverse read back with three multiplications), so a signature costs k·G and a few
// multiplications.
//
// What is secret (the key d, each nonce k, k·G before it is made affine, the products of nonces and of Z²) goes only
// through OpenSSL's fixed-base multiplication (the same call its own ECDSA makes), Montgomery multiplications, inversions by
// Fermat's little theorem in constant time (`BN_mod_exp_mont_consttime`), and an addition done here with masks instead of
// a branch. The addition's terms are blinded besides: s = b(e + r·d) · (b·k)⁻¹ with a fresh random b for each signature, so
// the sum, the only value that passes through byte conversions, is uniform and says nothing of d. Nonces and blinds come
// from OpenSSL's private DRBG (one draw for the batch), uniform in [1, n − 1] by rejection, read into numbers without
// skipping leading zero bytes.
#define OPENSSL_SUPPRESS_DEPRECATED
#include "bulkra_openssl.h"
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/rand.h>
#include <stdlib.h>
#include <string.h>

/// r + s ≡ a + b (mod m) on 32-byte big-endian values below m, without a branch on the values.
static void add_modulo(uint8_t out[32], const uint8_t a[32], const uint8_t b[32], const uint8_t m[32]) {
    uint64_t x[4], y[4], n[4], sum[4], difference[4];
    for (int limb = 0; limb < 4; limb++) {
        uint64_t u = 0, v = 0, w = 0;
        for (int byte = 0; byte < 8; byte++) {
            int at = 31 - (limb * 8 + byte);
            u |= (uint64_t)a[at] << (8 * byte);
            v |= (uint64_t)b[at] << (8 * byte);
            w |= (uint64_t)m[at] << (8 * byte);
        }
        x[limb] = u, y[limb] = v, n[limb] = w;
    }
    uint64_t carry = 0, borrow = 0;
    for (int limb = 0; limb < 4; limb++) {
        unsigned __int128 value = (unsigned __int128)x[limb] + y[limb] + carry;
        sum[limb] = (uint64_t)value;
        carry = (uint64_t)(value >> 64);
    }
    for (int limb = 0; limb < 4; limb++) {
        unsigned __int128 value = (unsigned __int128)sum[limb] - n[limb] - borrow;
        difference[limb] = (uint64_t)value;
        borrow = (uint64_t)(value >> 64) & 1;
    }
    // The sum is below 2m < 2^257: subtract m when the sum carried out or the subtraction did not borrow.
    uint64_t keep = (uint64_t)0 - (borrow & ~carry & 1);
    for (int limb = 0; limb < 4; limb++) {
        uint64_t value = (sum[limb] & keep) | (difference[limb] & ~keep);
        for (int byte = 0; byte < 8; byte++) out[31 - (limb * 8 + byte)] = (uint8_t)(value >> (8 * byte));
    }
}

size_t bulkra_ecdsa_signature_der(const uint8_t r[32], const uint8_t s[32], uint8_t out[72]) {
    uint8_t body[70];
    size_t length = 0;
    const uint8_t *values[2] = {r, s};
    for (int which = 0; which < 2; which++) {
        const uint8_t *value = values[which];
        size_t skip = 0;
        while (skip < 31 && value[skip] == 0) skip++;
        size_t pad = value[skip] & 0x80 ? 1 : 0;
        body[length++] = 0x02;
        body[length++] = (uint8_t)(32 - skip + pad);
        if (pad) body[length++] = 0x00;
        memcpy(body + length, value + skip, 32 - skip);
        length += 32 - skip;
    }
    out[0] = 0x30;
    out[1] = (uint8_t)length;
    memcpy(out + 2, body, length);
    return length + 2;
}

/// A scalar from 32 random bytes, read as 2^256 + value and the 2^256 taken away again, so that the bytes are read the same
/// way whatever their value (reading them alone skips leading zero bytes, which would time the nonce's length). 1 when the
/// scalar lies in [1, n − 1] (all but about 2^-32 of draws), 0 when it must be drawn again, -1 on a failure.
static int scalar_from_bytes(BIGNUM *out, const uint8_t bytes[32], const BIGNUM *offset, const BIGNUM *order) {
    uint8_t padded[33];
    padded[0] = 1;
    memcpy(padded + 1, bytes, 32);
    int ok = BN_bin2bn(padded, 33, out) != NULL && BN_usub(out, out, offset);
    OPENSSL_cleanse(padded, sizeof padded);
    if (!ok) return -1;
    BN_set_flags(out, BN_FLG_CONSTTIME);
    return !BN_is_zero(out) && BN_ucmp(out, order) < 0;
}

/// A scalar in [1, n − 1] from `bytes` (32 drawn for it), or from fresh bytes while they fall outside; 0 on a failure.
static int draw_scalar(BIGNUM *out, const uint8_t bytes[32], const BIGNUM *offset, const BIGNUM *order) {
    int usable = scalar_from_bytes(out, bytes, offset, order);
    uint8_t fresh[32];
    // A draw falls outside with probability about 2^-32: 64 in a row mean something is broken, not bad luck.
    for (int attempt = 0; usable == 0 && attempt < 64; attempt++) {
        if (RAND_priv_bytes(fresh, sizeof fresh) != 1) return 0;
        usable = scalar_from_bytes(out, fresh, offset, order);
    }
    OPENSSL_cleanse(fresh, sizeof fresh);
    return usable == 1;
}

/// The batch's state: four numbers an element, freed (and cleared) together.
typedef struct {
    size_t count;
    BIGNUM **nonce, **blind, **x, **z, **prefix;
} batch_numbers;

static void batch_free(batch_numbers *numbers) {
    for (size_t index = 0; index < numbers->count; index++) {
        if (numbers->nonce) BN_clear_free(numbers->nonce[index]);
        if (numbers->blind) BN_clear_free(numbers->blind[index]);
        if (numbers->x) BN_clear_free(numbers->x[index]);
        if (numbers->z) BN_clear_free(numbers->z[index]);
        if (numbers->prefix) BN_clear_free(numbers->prefix[index]);
    }
    free(numbers->nonce), free(numbers->blind), free(numbers->x), free(numbers->z), free(numbers->prefix);
}

static int batch_alloc(batch_numbers *numbers, size_t count) {
    numbers->count = count;
    numbers->nonce = calloc(count, sizeof(BIGNUM *));
    numbers->blind = calloc(count, sizeof(BIGNUM *));
    numbers->x = calloc(count, sizeof(BIGNUM *));
    numbers->z = calloc(count, sizeof(BIGNUM *));
    numbers->prefix = calloc(count, sizeof(BIGNUM *));
    if (!numbers->nonce || !numbers->blind || !numbers->x || !numbers->z || !numbers->prefix) return 0;
    for (size_t index = 0; index < count; index++) {
        numbers->nonce[index] = BN_new(), numbers->x[index] = BN_new(), numbers->z[index] = BN_new();
        numbers->prefix[index] = BN_new(), numbers->blind[index] = BN_new();
        if (!numbers->blind[index] || !numbers->nonce[index] || !numbers->x[index] || !numbers->z[index] || !numbers->prefix[index]) return 0;
    }
    return 1;
}

/// Replaces each values[i] (Montgomery form for `mont`) by its inverse, in Montgomery form: one inversion by Fermat's
/// little theorem in constant time and three multiplications an element.
static int invert_all(BIGNUM **values, BIGNUM **prefix, size_t count, const BIGNUM *modulus, BN_MONT_CTX *mont, BN_CTX *context) {
    int ok = 0;
    BN_CTX_start(context);
    BIGNUM *plain = BN_CTX_get(context), *inverse = BN_CTX_get(context), *exponent = BN_CTX_get(context);
    BIGNUM *element = BN_CTX_get(context);
    if (element == NULL) goto done;
    if (!BN_copy(prefix[0], values[0])) goto done;
    for (size_t index = 1; index < count; index++) {
        if (!BN_mod_mul_montgomery(prefix[index], prefix[index - 1], values[index], mont, context)) goto done;
    }
    if (!BN_from_montgomery(plain, prefix[count - 1], mont, context)) goto done;
    BN_set_flags(plain, BN_FLG_CONSTTIME);
    if (!BN_copy(exponent, modulus) || !BN_sub_word(exponent, 2)) goto done;
    if (!BN_mod_exp_mont_consttime(inverse, plain, exponent, modulus, context, mont)) goto done;
    if (!BN_to_montgomery(inverse, inverse, mont, context)) goto done;
    for (size_t index = count; index-- > 1;) {
        // inverse = (v0 ⋯ v_index)⁻¹: v_index⁻¹ = inverse · (v0 ⋯ v_index−1); then drop v_index from the inverse.
        if (!BN_mod_mul_montgomery(element, inverse, prefix[index - 1], mont, context)) goto done;
        if (!BN_mod_mul_montgomery(inverse, inverse, values[index], mont, context)) goto done;
        if (!BN_copy(values[index], element)) goto done;
    }
    if (!BN_copy(values[0], inverse)) goto done;
    ok = 1;
done:
    if (plain) BN_clear(plain);
    if (inverse) BN_clear(inverse);
    if (element) BN_clear(element);
    BN_CTX_end(context);
    return ok;
}

/// Signs `count` digests in one batch; 0 on success, -1 on a failure, 1 when an r or s came out zero (the caller signs
/// that batch again with new nonces).
static int sign_batch(const EC_GROUP *group, const BIGNUM *key, const uint8_t *digests, size_t count, uint8_t *signatures,
                      size_t *lengths, BN_CTX *context) {
    int result = -1;
    batch_numbers numbers = {0};
    EC_POINT *point = NULL;
    BN_MONT_CTX *order_mont = NULL, *field_mont = NULL;
    BN_CTX_start(context);
    BIGNUM *y = BN_CTX_get(context), *key_mont = BN_CTX_get(context), *digest = BN_CTX_get(context);
    BIGNUM *product = BN_CTX_get(context), *sum = BN_CTX_get(context), *s = BN_CTX_get(context), *r = BN_CTX_get(context);
    BIGNUM *offset = BN_CTX_get(context);
    uint8_t r_bytes[32], s_bytes[32], e_bytes[32], rd_bytes[32], sum_bytes[32], order_bytes[32];
    // Each signature's nonce and blind: 64 bytes from OpenSSL's private DRBG, drawn for the whole batch at once.
    uint8_t *randomness = malloc(64 * count);
    if (offset == NULL || randomness == NULL) goto done;
    BN_zero(offset);
    if (!BN_set_bit(offset, 256) || RAND_priv_bytes(randomness, (int)(64 * count)) != 1) goto done;
    const BIGNUM *order = EC_GROUP_get0_order(group), *field = EC_GROUP_get0_field(group);
    order_mont = BN_MONT_CTX_new(), field_mont = BN_MONT_CTX_new();
    point = EC_POINT_new(group);
    if (!order || !field || !order_mont || !field_mont || !point) goto done;
    if (!BN_MONT_CTX_set(order_mont, order, context) || !BN_MONT_CTX_set(field_mont, field, context)) goto done;
    if (BN_bn2binpad(order, order_bytes, 32) != 32) goto done;
    if (!batch_alloc(&numbers, count)) goto done;

    // k·G for each nonce, kept as Jacobian X and Z² (Montgomery form modulo p); b·k (Montgomery form modulo n) to invert.
    for (size_t index = 0; index < count; index++) {
        BIGNUM *nonce = numbers.nonce[index], *blind = numbers.blind[index];
        if (!draw_scalar(nonce, randomness + 64 * index, offset, order)
            || !draw_scalar(blind, randomness + 64 * index + 32, offset, order)) goto done;
        if (!EC_POINT_mul(group, point, nonce, NULL, NULL, context)) goto done;
        if (!EC_POINT_get_Jprojective_coordinates_GFp(group, point, numbers.x[index], y, numbers.z[index], context)) goto done;
        if (!BN_to_montgomery(numbers.z[index], numbers.z[index], field_mont, context)) goto done;
        if (!BN_mod_mul_montgomery(numbers.z[index], numbers.z[index], numbers.z[index], field_mont, context)) goto done;
        if (!BN_to_montgomery(blind, blind, order_mont, context) || !BN_to_montgomery(nonce, nonce, order_mont, context)) goto done;
        if (!BN_mod_mul_montgomery(nonce, nonce, blind, order_mont, context)) goto done;
    }
    if (!invert_all(numbers.z, numbers.prefix, count, field, field_mont, context)) goto done;
    if (!invert_all(numbers.nonce, numbers.prefix, count, order, order_mont, context)) goto done;
    if (!BN_to_montgomery(key_mont, key, order_mont, context)) goto done;

    result = 0;
    for (size_t index = 0; index < count; index++) {
        // x = X · Z⁻² (the Montgomery product of plain X and Z⁻²·R is plain); r = x mod n (x < p < 2n).
        if (!BN_mod_mul_montgomery(r, numbers.x[index], numbers.z[index], field_mont, context)) { result = -1; goto done; }
        if (!BN_nnmod(r, r, order, context)) { result = -1; goto done; }
        // e: the digest's 256 bits as a number, reduced modulo n (public).
        if (!BN_bin2bn(digests + 32 * index, 32, digest) || !BN_nnmod(digest, digest, order, context)) { result = -1; goto done; }
        // s = b(e + r·d) · (b·k)⁻¹ mod n: b·e and b·r·d are added with masks (nonce[index] holds (b·k)⁻¹·R, blind[index] b·R).
        BIGNUM *blind = numbers.blind[index];
        if (!BN_mod_mul_montgomery(product, r, blind, order_mont, context)
            || !BN_mod_mul_montgomery(product, product, key_mont, order_mont, context)
            || !BN_mod_mul_montgomery(digest, digest, blind, order_mont, context)) { result = -1; goto done; }
        if (BN_bn2binpad(product, rd_bytes, 32) != 32 || BN_bn2binpad(digest, e_bytes, 32) != 32) { result = -1; goto done; }
        add_modulo(sum_bytes, e_bytes, rd_bytes, order_bytes);
        if (!BN_bin2bn(sum_bytes, 32, sum)) { result = -1; goto done; }
        if (!BN_mod_mul_montgomery(s, sum, numbers.nonce[index], order_mont, context)) { result = -1; goto done; }
        if (BN_is_zero(r) || BN_is_zero(s)) { result = 1; goto done; }
        if (BN_bn2binpad(r, r_bytes, 32) != 32 || BN_bn2binpad(s, s_bytes, 32) != 32) { result = -1; goto done; }
        lengths[index] = bulkra_ecdsa_signature_der(r_bytes, s_bytes, signatures + 72 * index);
    }
done:
    if (randomness) {
        OPENSSL_cleanse(randomness, 64 * count);
        free(randomness);
    }
    OPENSSL_cleanse(rd_bytes, sizeof rd_bytes);
    OPENSSL_cleanse(sum_bytes, sizeof sum_bytes);
    OPENSSL_cleanse(e_bytes, sizeof e_bytes);
    if (product) BN_clear(product);
    if (sum) BN_clear(sum);
    if (digest) BN_clear(digest);
    if (key_mont) BN_clear(key_mont);
    if (y) BN_clear(y);
    BN_CTX_end(context);
    batch_free(&numbers);
    EC_POINT_clear_free(point);
    BN_MONT_CTX_free(order_mont);
    BN_MONT_CTX_free(field_mont);
    return result;
}

int bulkra_ecdsa_p256_sign_digests(void *key, const uint8_t *digests, size_t count, uint8_t *signatures, size_t *lengths) {
    if (count == 0) return 0;
    EVP_PKEY *pkey = (EVP_PKEY *)key;
    char curve[64];
    size_t curve_length = 0;
    if (EVP_PKEY_get_base_id(pkey) != EVP_PKEY_EC
        || !EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, curve, sizeof curve, &curve_length)
        || strcmp(curve, SN_X9_62_prime256v1) != 0) {
        return -1;
    }
    int result = -1;
    BIGNUM *secret = NULL;
    EC_GROUP *group = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1);
    BN_CTX *context = BN_CTX_secure_new();
    if (group == NULL || context == NULL || !EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_PRIV_KEY, &secret)) goto done;
    BN_set_flags(secret, BN_FLG_CONSTTIME);
    // Batches of at most 1,024 (the shared inversions gain nothing more beyond a few hundred; the buffers stay small).
    for (size_t start = 0; start < count; start += 1024) {
        size_t part = count - start < 1024 ? count - start : 1024;
        result = sign_batch(group, secret, digests + 32 * start, part, signatures + 72 * start, lengths + start, context);
        // A zero r or s (probability about 2^-255 a signature) signs the part again with new nonces.
        for (int attempt = 0; result == 1 && attempt < 8; attempt++) {
            result = sign_batch(group, secret, digests + 32 * start, part, signatures + 72 * start, lengths + start, context);
        }
        if (result != 0) {
            result = -1;
            break;
        }
    }
done:
    BN_clear_free(secret);
    BN_CTX_free(context);
    EC_GROUP_free(group);
    return result;
}
