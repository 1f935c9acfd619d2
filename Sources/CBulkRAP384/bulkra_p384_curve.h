// PERF-93: the curve arithmetic over one way of multiplying limbs, included once for each (bulkra_p384.c): the includer
// defines P384_VARIANT(name) (the functions' names), P384_PRODUCT(r, a, b) and P384_SQUARE(r, a) (twelve-limb products).
#define field_mul P384_VARIANT(field_mul)
#define field_sqr P384_VARIANT(field_sqr)
#define point_double P384_VARIANT(point_double)
#define point_add_affine P384_VARIANT(point_add_affine)
#define odd_multiples P384_VARIANT(odd_multiples)
#define verify_signature P384_VARIANT(verify_signature)

static inline void field_mul(element r, const element a, const element b) {
    mp_limb_t product[2 * limbs];
    P384_PRODUCT(product, a, b);
    field_reduce(r, product);
}

static inline void field_sqr(element r, const element a) {
    mp_limb_t product[2 * limbs];
    P384_SQUARE(product, a);
    field_reduce(r, product);
}

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

/// Whether r, s (both in 1 … n − 1) sign e (the digest as a number) for the key: u1·G + u2·Q with u1 = e/s, u2 = r/s, its
/// x reduced mod n compared with r.
static int verify_signature(const affine_point *key, const element r, const element s, const element e) {
    // w = s⁻¹, u1 = e·w, u2 = r·w (mod n; e may be at or above n, the product is reduced).
    element w, u1, u2;
    invert(w, s, order);
    scalar_mul(u1, e, w);
    scalar_mul(u2, r, w);

    affine_point key_multiples[key_table];
    jacobian_point scratch[key_table];
    element prefix[key_table];
    if (!odd_multiples(key_multiples, key_table, key, scratch, prefix)) return 0;
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

#undef field_mul
#undef field_sqr
#undef point_double
#undef point_add_affine
#undef odd_multiples
#undef verify_signature
