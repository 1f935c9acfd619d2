// PERF-93: ECDSA verification on P-384 in variable time (every input is public). Products of limbs come from mulx, adcx
// and adox where the processor has them (BMI2 and ADX), from GMP's mpn functions elsewhere; the curve arithmetic over
// them (bulkra_p384_curve.h) is compiled once for each.
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

// The field.

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
    f[2] = __builtin_addcll(f[2], (mp_limb_t)(b0 >> 64), k, &k);
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

/// a·b mod n.
static void scalar_mul(element r, const element a, const element b) {
    mp_limb_t product[2 * limbs], quotient[limbs + 1];
    mpn_mul_n(product, a, b, limbs);
    mpn_tdiv_qr(quotient, r, 0, product, 2 * limbs, order, limbs);
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

// The curve arithmetic over GMP's multiplication (any processor).
#define P384_VARIANT(name) name##_portable
#define P384_PRODUCT(r, a, b) mpn_mul_n(r, a, b, limbs)
#define P384_SQUARE(r, a) mpn_sqr(r, a, limbs)
#include "bulkra_p384_curve.h"
#undef P384_VARIANT
#undef P384_PRODUCT
#undef P384_SQUARE

/// Whether (x, y), both reduced, satisfies y² = x³ − 3x + b.
static int on_curve(const element x, const element y) {
    element left, right, t;
    field_sqr_portable(left, y);
    field_sqr_portable(t, x);
    field_mul_portable(right, t, x);
    field_sub(right, right, x);
    field_sub(right, right, x);
    field_sub(right, right, x);
    field_add(right, right, curve_b);
    return mpn_cmp(left, right, limbs) == 0;
}

#if defined(__x86_64__)
/// Whether this processor has mulx (BMI2) and the two carry flags' additions (ADX); set once with the constants.
static int has_mulx;

/// One row of the schoolbook product: limbs t0 … t5 (the running sum's window) plus a[i]·b, the lowest limb stored as
/// r[i] and the window moved up by one limb. The low halves of the products ride the carry flag (adcx), the high
/// halves the overflow flag (adox): two carry chains at once.
#define BULKRA_P384_ROW(i) \
    "movq " #i "*8(%[a]), %%rdx\n\t" \
    "xorl %k[lo], %k[lo]\n\t" \
    "mulxq 0(%[b]), %[lo], %[hi]\n\t" "adcxq %[lo], %[t0]\n\t" "adoxq %[hi], %[t1]\n\t" \
    "mulxq 8(%[b]), %[lo], %[hi]\n\t" "adcxq %[lo], %[t1]\n\t" "adoxq %[hi], %[t2]\n\t" \
    "mulxq 16(%[b]), %[lo], %[hi]\n\t" "adcxq %[lo], %[t2]\n\t" "adoxq %[hi], %[t3]\n\t" \
    "mulxq 24(%[b]), %[lo], %[hi]\n\t" "adcxq %[lo], %[t3]\n\t" "adoxq %[hi], %[t4]\n\t" \
    "mulxq 32(%[b]), %[lo], %[hi]\n\t" "adcxq %[lo], %[t4]\n\t" "adoxq %[hi], %[t5]\n\t" \
    "movl $0, %k[lo]\n\t" \
    "mulxq 40(%[b]), %%rdx, %[hi]\n\t" "adcxq %%rdx, %[t5]\n\t" "adoxq %[lo], %[hi]\n\t" "adcxq %[lo], %[hi]\n\t" \
    "movq %[t0], " #i "*8(%[r])\n\t" \
    "movq %[t1], %[t0]\n\t" "movq %[t2], %[t1]\n\t" "movq %[t3], %[t2]\n\t" "movq %[t4], %[t3]\n\t" \
    "movq %[t5], %[t4]\n\t" "movq %[hi], %[t5]\n\t"

/// The twelve-limb product a·b with mulx, adcx and adox (no call, no loop). Volatile: its effect is the stores to r, which
/// the compiler sees only through the memory clobber, so it must not drop the block for its unused register outputs.
static inline void product_mulx(mp_limb_t r[2 * limbs], const mp_limb_t a[limbs], const mp_limb_t b[limbs]) {
    mp_limb_t t0 = 0, t1 = 0, t2 = 0, t3 = 0, t4 = 0, t5 = 0, lo, hi;
    __asm__ volatile(BULKRA_P384_ROW(0) BULKRA_P384_ROW(1) BULKRA_P384_ROW(2) BULKRA_P384_ROW(3) BULKRA_P384_ROW(4) BULKRA_P384_ROW(5)
            "movq %[t0], 48(%[r])\n\t" "movq %[t1], 56(%[r])\n\t" "movq %[t2], 64(%[r])\n\t"
            "movq %[t3], 72(%[r])\n\t" "movq %[t4], 80(%[r])\n\t" "movq %[t5], 88(%[r])\n\t"
            : [t0] "+&r"(t0), [t1] "+&r"(t1), [t2] "+&r"(t2), [t3] "+&r"(t3), [t4] "+&r"(t4), [t5] "+&r"(t5), [lo] "=&r"(lo),
              [hi] "=&r"(hi)
            : [a] "r"(a), [b] "r"(b), [r] "r"(r)
            : "rdx", "cc", "memory");
}
#undef BULKRA_P384_ROW
#endif

#if defined(__x86_64__)
// The same arithmetic over mulx, adcx and adox (processors with BMI2 and ADX).
#define P384_VARIANT(name) name##_mulx
#define P384_PRODUCT(r, a, b) product_mulx(r, a, b)
#define P384_SQUARE(r, a) product_mulx(r, a, a)
#include "bulkra_p384_curve.h"
#undef P384_VARIANT
#undef P384_PRODUCT
#undef P384_SQUARE
#endif

static void load_constants(void) {
#if defined(__x86_64__)
    has_mulx = __builtin_cpu_supports("bmi2") && __builtin_cpu_supports("adx");
#endif
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
    constants_valid = constants_valid && odd_multiples_portable(generator_multiples, generator_table, &g, multiples, prefix);
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

/// The public entry's work; `portable` keeps to GMP's multiplication.
static int verify(const uint8_t *point, const uint8_t *signature, const uint8_t *digest, size_t digest_length, int portable) {
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
#if defined(__x86_64__)
    if (has_mulx && !portable) return verify_signature_mulx(&key, r, s, e);
#endif
    (void)portable;
    return verify_signature_portable(&key, r, s, e);
}

int bulkra_p384_verify(const uint8_t *point, const uint8_t *signature, const uint8_t *digest, size_t digest_length) {
    return verify(point, signature, digest, digest_length, 0);
}

int bulkra_p384_verify_portable(const uint8_t *point, const uint8_t *signature, const uint8_t *digest, size_t digest_length) {
    return verify(point, signature, digest, digest_length, 1);
}
