// PERF-93: ECDSA verification on P-384 in variable time (every input is public), over GMP's mpn multiplication.
//
// Field elements are six 64-bit limbs, least significant first, always fully reduced below the prime p. A product is
// reduced by folding with c = 2^384 − p (three limbs): 2^384 ≡ c, so H·2^384 + L ≡ H·c + L, twice, then at most one
// subtraction. Points are Jacobian (X, Y, Z; Z = 0 the point at infinity) and the tables of odd multiples affine. The
// signature check computes u1·G + u2·Q by interleaved width-w NAFs sharing one chain of doublings.
#include "bulkra_p384.h"
#include <gmp.h>
#include <pthread.h>
#include <string.h>

enum { limbs = 6, bytes = 48, generator_width = 8, key_width = 5 };
enum { generator_table = 1 << (generator_width - 2), key_table = 1 << (key_width - 2) };

typedef mp_limb_t element[limbs];
typedef struct { element x, y; } affine_point;
typedef struct { element x, y, z; } jacobian_point;

// The curve's published constants (SEC 2, FIPS 186-4 D.1.2.4), big-endian.
static const uint8_t prime_bytes[bytes] = {
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe,
    0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff};
static const uint8_t b_bytes[bytes] = {
    0xb3, 0x31, 0x2f, 0xa7, 0xe2, 0x3e, 0xe7, 0xe4, 0x98, 0x8e, 0x05, 0x6b, 0xe3, 0xf8, 0x2d, 0x19,
    0x18, 0x1d, 0x9c, 0x6e, 0xfe, 0x81, 0x41, 0x12, 0x03, 0x14, 0x08, 0x8f, 0x50, 0x13, 0x87, 0x5a,
    0xc6, 0x56, 0x39, 0x8d, 0x8a, 0x2e, 0xd1, 0x9d, 0x2a, 0x85, 0xc8, 0xed, 0xd3, 0xec, 0x2a, 0xef};
static const uint8_t gx_bytes[bytes] = {
    0xaa, 0x87, 0xca, 0x22, 0xbe, 0x8b, 0x05, 0x37, 0x8e, 0xb1, 0xc7, 0x1e, 0xf3, 0x20, 0xad, 0x74,
    0x6e, 0x1d, 0x3b, 0x62, 0x8b, 0xa7, 0x9b, 0x98, 0x59, 0xf7, 0x41, 0xe0, 0x82, 0x54, 0x2a, 0x38,
    0x55, 0x02, 0xf2, 0x5d, 0xbf, 0x55, 0x29, 0x6c, 0x3a, 0x54, 0x5e, 0x38, 0x72, 0x76, 0x0a, 0xb7};
static const uint8_t gy_bytes[bytes] = {
    0x36, 0x17, 0xde, 0x4a, 0x96, 0x26, 0x2c, 0x6f, 0x5d, 0x9e, 0x98, 0xbf, 0x92, 0x92, 0xdc, 0x29,
    0xf8, 0xf4, 0x1d, 0xbd, 0x28, 0x9a, 0x14, 0x7c, 0xe9, 0xda, 0x31, 0x13, 0xb5, 0xf0, 0xb8, 0xc0,
    0x0a, 0x60, 0xb1, 0xce, 0x1d, 0x7e, 0x81, 0x9d, 0x7a, 0x43, 0x1d, 0x7c, 0x90, 0xea, 0x0e, 0x5f};
static const uint8_t order_bytes[bytes] = {
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xc7, 0x63, 0x4d, 0x81, 0xf4, 0x37, 0x2d, 0xdf,
    0x58, 0x1a, 0x0d, 0xb2, 0x48, 0xb0, 0xa7, 0x7a, 0xec, 0xec, 0x19, 0x6a, 0xcc, 0xc5, 0x29, 0x73};

// p and c = 2^384 − p as constants the compiler can fold into the arithmetic; `load_constants` checks them against the bytes.
static const element prime = {0x00000000ffffffffULL, 0xffffffff00000000ULL, 0xfffffffffffffffeULL, ~0ULL, ~0ULL, ~0ULL};
static const mp_limb_t fold[3] = {0xffffffff00000001ULL, 0x00000000ffffffffULL, 1};
static element curve_b, order;
static int constants_valid;
static affine_point generator_multiples[generator_table];
static pthread_once_t constants_once = PTHREAD_ONCE_INIT;

/// 48 big-endian bytes as six limbs, least significant first.
static void load(element out, const uint8_t *in) {
    for (int limb = 0; limb < limbs; limb++) {
        mp_limb_t value = 0;
        const uint8_t *word = in + bytes - 8 * (limb + 1);
        for (int i = 0; i < 8; i++) value = (value << 8) | word[i];
        out[limb] = value;
    }
}

static int is_zero(const element a) {
    mp_limb_t any = 0;
    for (int i = 0; i < limbs; i++) any |= a[i];
    return any == 0;
}

// MARK: the field

typedef unsigned __int128 wide;

static inline void field_add(element r, const element a, const element b) {
    unsigned long long sum[limbs], less[limbs], carry = 0, borrow = 0;
    for (int i = 0; i < limbs; i++) sum[i] = __builtin_addcll(a[i], b[i], carry, &carry);
    for (int i = 0; i < limbs; i++) less[i] = __builtin_subcll(sum[i], prime[i], borrow, &borrow);
    // Keep the sum when it neither carried out nor reached p.
    const mp_limb_t keep = -(mp_limb_t)(borrow & (carry ^ 1));
    for (int i = 0; i < limbs; i++) r[i] = (sum[i] & keep) | (less[i] & ~keep);
}

static inline void field_sub(element r, const element a, const element b) {
    unsigned long long difference[limbs], borrow = 0, carry = 0;
    for (int i = 0; i < limbs; i++) difference[i] = __builtin_subcll(a[i], b[i], borrow, &borrow);
    // Add p back when it borrowed.
    const mp_limb_t mask = -(mp_limb_t)borrow;
    for (int i = 0; i < limbs; i++) r[i] = __builtin_addcll(difference[i], prime[i] & mask, carry, &carry);
}

/// A product of two reduced elements (twelve limbs, below p²) reduced below p: with c = 2^384 − p = 2^128 + c1·2^64 + c0,
/// H·2^384 + L ≡ L + H·c0 + H·c1·2^64 + H·2^128, folded twice. The products are independent; each row of halves is
/// added by its own carry chain, which the processor runs overlapped.
static inline void field_reduce(element r, const mp_limb_t product[2 * limbs]) {
    const mp_limb_t *high = product + limbs;
    const mp_limb_t c0 = fold[0], c1 = fold[1];
    unsigned long long low0[limbs], high0[limbs], low1[limbs], high1[limbs];
    for (int k = 0; k < limbs; k++) {
        wide q0 = (wide)high[k] * c0, q1 = (wide)high[k] * c1;
        low0[k] = (mp_limb_t)q0;
        high0[k] = (mp_limb_t)(q0 >> 64);
        low1[k] = (mp_limb_t)q1;
        high1[k] = (mp_limb_t)(q1 >> 64);
    }
    // First fold, below 2^514: nine limbs.
    unsigned long long x[limbs + 3], carry;
    carry = 0;
    for (int i = 0; i < limbs; i++) x[i] = __builtin_addcll(product[i], low0[i], carry, &carry);
    x[limbs] = carry;
    carry = 0;
    for (int i = 0; i < limbs; i++) x[i + 1] = __builtin_addcll(x[i + 1], high0[i], carry, &carry);
    x[limbs + 1] = carry;
    carry = 0;
    for (int i = 0; i < limbs; i++) x[i + 1] = __builtin_addcll(x[i + 1], low1[i], carry, &carry);
    x[limbs + 1] = __builtin_addcll(x[limbs + 1], 0, carry, &carry);
    x[limbs + 2] = carry;
    carry = 0;
    for (int i = 0; i < limbs; i++) x[i + 2] = __builtin_addcll(x[i + 2], high1[i], carry, &carry);
    x[limbs + 2] += carry;
    carry = 0;
    for (int i = 0; i < limbs; i++) x[i + 2] = __builtin_addcll(x[i + 2], high[i], carry, &carry);
    x[limbs + 2] += carry;
    // Second fold of T, the three limbs above 2^384 (below 2^130): below 2^384 + 2^259; `out` counts the 2^384s.
    const mp_limb_t t0 = x[limbs], t1 = x[limbs + 1], t2 = x[limbs + 2];
    wide a0 = (wide)t0 * c0, a1 = (wide)t1 * c0, a2 = (wide)t2 * c0;
    wide b0 = (wide)t0 * c1, b1 = (wide)t1 * c1, b2 = (wide)t2 * c1;
    // T·c0 + T·c1·2^64 + T·2^128 as one number of five limbs (below 2^259).
    unsigned long long f[5], k = 0;
    f[0] = (mp_limb_t)a0;
    f[1] = __builtin_addcll((mp_limb_t)(a0 >> 64), (mp_limb_t)a1, 0, &k);
    f[2] = __builtin_addcll((mp_limb_t)(a1 >> 64), (mp_limb_t)a2, k, &k);
    f[3] = __builtin_addcll((mp_limb_t)(a2 >> 64), 0, k, &k);
    f[4] = k;
    k = 0;
    f[1] = __builtin_addcll(f[1], (mp_limb_t)b0, 0, &k);
    f[2] = __builtin_addcll(f[2], (mp_limb_t)(b0 >> 64) + 0, k, &k);
    f[3] = __builtin_addcll(f[3], 0, k, &k);
    f[4] += k;
    k = 0;
    f[2] = __builtin_addcll(f[2], (mp_limb_t)b1, 0, &k);
    f[3] = __builtin_addcll(f[3], (mp_limb_t)(b1 >> 64), k, &k);
    f[4] += k;
    k = 0;
    f[3] = __builtin_addcll(f[3], (mp_limb_t)b2, 0, &k);
    f[4] = __builtin_addcll(f[4], (mp_limb_t)(b2 >> 64), k, &k);
    k = 0;
    f[2] = __builtin_addcll(f[2], t0, 0, &k);
    f[3] = __builtin_addcll(f[3], t1, k, &k);
    f[4] = __builtin_addcll(f[4], t2, k, &k);
    carry = 0;
    for (int i = 0; i < 5; i++) r[i] = __builtin_addcll(x[i], f[i], carry, &carry);
    r[5] = __builtin_addcll(x[5], 0, carry, &carry);
    if (__builtin_expect(carry != 0, 0)) {
        // 2^384 ≡ c: what is left below it is below 2^259, so c adds without carry and the sum stays below p.
        mpn_add(r, r, limbs, fold, 3);
        return;
    }
    // Below 2^384 < 2p; at or above p only when its three top limbs are all ones (p's are).
    if (__builtin_expect((r[5] & r[4] & r[3]) == ~(mp_limb_t)0, 0) && mpn_cmp(r, prime, limbs) >= 0) mpn_sub_n(r, r, prime, limbs);
}

static inline void field_mul(element r, const element a, const element b) {
    mp_limb_t product[2 * limbs];
    mpn_mul_n(product, a, b, limbs);
    field_reduce(r, product);
}

static inline void field_sqr(element r, const element a) {
    mp_limb_t product[2 * limbs];
    mpn_sqr(product, a, limbs);
    field_reduce(r, product);
}

/// a⁻¹ mod m for a nonzero a below m (m = p or n, both prime).
static void invert(element r, const element a, const element m) {
    mpz_t value, modulus, inverse;
    mpz_roinit_n(value, a, limbs);
    mpz_roinit_n(modulus, m, limbs);
    mpz_init(inverse);
    mpz_invert(inverse, value, modulus);
    memset(r, 0, sizeof(element));
    size_t count = 0;
    mpz_export(r, &count, -1, sizeof(mp_limb_t), 0, 0, inverse);
    mpz_clear(inverse);
}

// MARK: points

static void point_double(jacobian_point *r, const jacobian_point *p) {
    if (is_zero(p->z)) {
        *r = *p;
        return;
    }
    // dbl-2001-b (a = −3): δ = Z², γ = Y², β = Xγ, α = 3(X − δ)(X + δ).
    element delta, gamma, beta, alpha, t, u;
    field_sqr(delta, p->z);
    field_sqr(gamma, p->y);
    field_mul(beta, p->x, gamma);
    field_sub(t, p->x, delta);
    field_add(u, p->x, delta);
    field_mul(alpha, t, u);
    field_add(t, alpha, alpha);
    field_add(alpha, t, alpha);
    // Z3 = (Y + Z)² − γ − δ
    field_add(t, p->y, p->z);
    field_sqr(u, t);
    field_sub(u, u, gamma);
    field_sub(r->z, u, delta);
    // X3 = α² − 8β
    field_add(beta, beta, beta);
    field_add(beta, beta, beta);  // 4β
    field_sqr(t, alpha);
    field_add(u, beta, beta);     // 8β
    field_sub(r->x, t, u);
    // Y3 = α(4β − X3) − 8γ²
    field_sub(t, beta, r->x);
    field_mul(u, alpha, t);
    field_sqr(t, gamma);
    field_add(t, t, t);
    field_add(t, t, t);
    field_add(t, t, t);
    field_sub(r->y, u, t);
}

/// r = p + (x, y) for an affine point; `negate` adds (x, −y).
static void point_add_affine(jacobian_point *r, const jacobian_point *p, const affine_point *q, int negate) {
    element qy;
    if (negate) {
        if (is_zero(q->y)) memset(qy, 0, sizeof(element));
        else mpn_sub_n(qy, prime, q->y, limbs);
    } else {
        memcpy(qy, q->y, sizeof(element));
    }
    if (is_zero(p->z)) {
        memcpy(r->x, q->x, sizeof(element));
        memcpy(r->y, qy, sizeof(element));
        memset(r->z, 0, sizeof(element));
        r->z[0] = 1;
        return;
    }
    // madd-2007-bl: U2 = x·Z1², S2 = y·Z1³, H = U2 − X1, rr = 2(S2 − Y1).
    element z1z1, u2, s2, h, hh, i, j, rr, v, t;
    field_sqr(z1z1, p->z);
    field_mul(u2, q->x, z1z1);
    field_mul(t, p->z, z1z1);
    field_mul(s2, qy, t);
    field_sub(h, u2, p->x);
    field_sub(rr, s2, p->y);
    if (is_zero(h)) {
        if (is_zero(rr)) {
            // The same point: double it.
            jacobian_point same = *p;
            point_double(r, &same);
        } else {
            // Opposite points: infinity.
            memset(r, 0, sizeof(*r));
            r->x[0] = 1;
            r->y[0] = 1;
        }
        return;
    }
    field_add(rr, rr, rr);
    field_sqr(hh, h);
    field_add(i, hh, hh);
    field_add(i, i, i);
    field_mul(j, h, i);
    field_mul(v, p->x, i);
    // Z3 = (Z1 + H)² − Z1Z1 − HH (before X1 and Y1 may be overwritten when r is p).
    element z3;
    field_add(t, p->z, h);
    field_sqr(z3, t);
    field_sub(z3, z3, z1z1);
    field_sub(z3, z3, hh);
    // Y3 = rr(V − X3) − 2·Y1·J
    element y1j;
    field_mul(y1j, p->y, j);
    field_add(y1j, y1j, y1j);
    // X3 = rr² − J − 2V
    field_sqr(t, rr);
    field_sub(t, t, j);
    field_sub(t, t, v);
    field_sub(r->x, t, v);
    field_sub(t, v, r->x);
    field_mul(t, rr, t);
    field_sub(r->y, t, y1j);
    memcpy(r->z, z3, sizeof(element));
}

/// The odd multiples P, 3P, … (2·count − 1)P of an affine point, affine (one inversion for all, Montgomery's trick);
/// `multiples` and `prefix` are the caller's scratch of `count` entries. 0 when a multiple is the point at infinity
/// (never, on a curve of prime order, for the counts used).
static int odd_multiples(affine_point *table, int count, const affine_point *point, jacobian_point *multiples, element *prefix) {
    jacobian_point base = {.z = {1}};
    memcpy(base.x, point->x, sizeof(element));
    memcpy(base.y, point->y, sizeof(element));
    jacobian_point twice;
    point_double(&twice, &base);
    if (is_zero(twice.z)) return 0;
    affine_point twice_affine;
    element zinv, zinv2;
    invert(zinv, twice.z, prime);
    field_sqr(zinv2, zinv);
    field_mul(twice_affine.x, twice.x, zinv2);
    field_mul(zinv2, zinv2, zinv);
    field_mul(twice_affine.y, twice.y, zinv2);

    multiples[0] = base;
    for (int k = 1; k < count; k++) {
        point_add_affine(&multiples[k], &multiples[k - 1], &twice_affine, 0);
        if (is_zero(multiples[k].z)) return 0;
    }
    // Montgomery's trick: prefix products of the Zs, one inversion, then back.
    memcpy(prefix[0], multiples[0].z, sizeof(element));
    for (int k = 1; k < count; k++) field_mul(prefix[k], prefix[k - 1], multiples[k].z);
    element inverse;
    invert(inverse, prefix[count - 1], prime);
    for (int k = count - 1; k >= 0; k--) {
        element zk;
        if (k > 0) {
            field_mul(zk, inverse, prefix[k - 1]);
            field_mul(inverse, inverse, multiples[k].z);
        } else {
            memcpy(zk, inverse, sizeof(element));
        }
        field_sqr(zinv2, zk);
        field_mul(table[k].x, multiples[k].x, zinv2);
        field_mul(zinv2, zinv2, zk);
        field_mul(table[k].y, multiples[k].y, zinv2);
    }
    return 1;
}

static void load_constants(void) {
    element published;
    load(published, prime_bytes);
    load(curve_b, b_bytes);
    load(order, order_bytes);
    // p + c = 2^384.
    element sum = {fold[0], fold[1], fold[2]};
    constants_valid = mpn_cmp(published, prime, limbs) == 0 && mpn_add_n(sum, sum, prime, limbs) == 1 && mpn_zero_p(sum, limbs);
    affine_point g;
    load(g.x, gx_bytes);
    load(g.y, gy_bytes);
    static jacobian_point multiples[generator_table];
    static element prefix[generator_table];
    constants_valid = constants_valid && odd_multiples(generator_multiples, generator_table, &g, multiples, prefix);
}

/// The width-w NAF of a scalar below n: digits[i] is 0 or odd in −2^(w−1) … 2^(w−1); returns the number of digits.
static int naf(int8_t digits[bytes * 8 + 1], const element scalar, int width) {
    mp_limb_t k[limbs + 1];
    memcpy(k, scalar, sizeof(element));
    k[limbs] = 0;
    const mp_limb_t window = (mp_limb_t)1 << width, half = window >> 1;
    int length = 0;
    while (!mpn_zero_p(k, limbs + 1)) {
        int8_t digit = 0;
        if (k[0] & 1) {
            mp_limb_t low = k[0] & (window - 1);
            if (low >= half) {
                digit = (int8_t)((long)low - (long)window);
                mpn_add_1(k, k, limbs + 1, window - low);
            } else {
                digit = (int8_t)low;
                mpn_sub_1(k, k, limbs + 1, low);
            }
        }
        digits[length++] = digit;
        mpn_rshift(k, k, limbs + 1, 1);
    }
    return length;
}

/// Whether (x, y), both reduced, satisfies y² = x³ − 3x + b.
static int on_curve(const element x, const element y) {
    element left, right, t;
    field_sqr(left, y);
    field_sqr(t, x);
    field_mul(right, t, x);
    field_sub(right, right, x);
    field_sub(right, right, x);
    field_sub(right, right, x);
    field_add(right, right, curve_b);
    return mpn_cmp(left, right, limbs) == 0;
}

static int read_point(affine_point *point, const uint8_t *bytes_in) {
    load(point->x, bytes_in);
    load(point->y, bytes_in + bytes);
    if (mpn_cmp(point->x, prime, limbs) >= 0 || mpn_cmp(point->y, prime, limbs) >= 0) return 0;
    return on_curve(point->x, point->y);
}

int bulkra_p384_point_valid(const uint8_t *point) {
    pthread_once(&constants_once, load_constants);
    if (!constants_valid) return 0;
    affine_point value;
    return read_point(&value, point) ? 1 : 0;
}

/// a·b mod n.
static void scalar_mul(element r, const element a, const element b) {
    mp_limb_t product[2 * limbs], quotient[limbs + 1];
    mpn_mul_n(product, a, b, limbs);
    mpn_tdiv_qr(quotient, r, 0, product, 2 * limbs, order, limbs);
}

int bulkra_p384_verify(const uint8_t *point, const uint8_t *signature, const uint8_t *digest, size_t digest_length) {
    pthread_once(&constants_once, load_constants);
    affine_point key;
    if (!constants_valid || !read_point(&key, point)) return -1;
    element r, s;
    load(r, signature);
    load(s, signature + bytes);
    if (is_zero(r) || is_zero(s) || mpn_cmp(r, order, limbs) >= 0 || mpn_cmp(s, order, limbs) >= 0) return 0;
    // e: the digest's leftmost 384 bits; a shorter digest is taken whole.
    uint8_t padded[bytes] = {0};
    if (digest_length >= bytes) memcpy(padded, digest, bytes);
    else memcpy(padded + bytes - digest_length, digest, digest_length);
    element e;
    load(e, padded);
    // w = s⁻¹, u1 = e·w, u2 = r·w (mod n; e may be at or above n, the product is reduced).
    element w, u1, u2;
    invert(w, s, order);
    scalar_mul(u1, e, w);
    scalar_mul(u2, r, w);

    affine_point key_multiples[key_table];
    jacobian_point scratch[key_table];
    element prefix[key_table];
    if (!odd_multiples(key_multiples, key_table, &key, scratch, prefix)) return 0;
    int8_t generator_digits[bytes * 8 + 1] = {0}, key_digits[bytes * 8 + 1] = {0};
    int generator_length = naf(generator_digits, u1, generator_width);
    int key_length = naf(key_digits, u2, key_width);
    int top = generator_length > key_length ? generator_length : key_length;

    jacobian_point sum;
    memset(&sum, 0, sizeof(sum));
    for (int i = top - 1; i >= 0; i--) {
        point_double(&sum, &sum);
        int8_t digit = key_digits[i];
        if (digit) point_add_affine(&sum, &sum, &key_multiples[(digit < 0 ? -digit : digit) >> 1], digit < 0);
        digit = generator_digits[i];
        if (digit) point_add_affine(&sum, &sum, &generator_multiples[(digit < 0 ? -digit : digit) >> 1], digit < 0);
    }
    if (is_zero(sum.z)) return 0;
    // x = X / Z² agrees with r mod n when it is r or r + n (x < p < 2n): X = r·Z² or X = (r + n)·Z², without inverting Z.
    element z2, candidate;
    field_sqr(z2, sum.z);
    field_mul(candidate, r, z2);
    if (mpn_cmp(candidate, sum.x, limbs) == 0) return 1;
    element shifted;
    if (mpn_add_n(shifted, r, order, limbs) != 0 || mpn_cmp(shifted, prime, limbs) >= 0) return 0;
    field_mul(candidate, shifted, z2);
    return mpn_cmp(candidate, sum.x, limbs) == 0 ? 1 : 0;
}
