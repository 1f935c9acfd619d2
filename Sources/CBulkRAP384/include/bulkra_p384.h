#ifndef BULKRA_P384_H
#define BULKRA_P384_H
#include <stddef.h>
#include <stdint.h>

/// PERF-93: verifies an ECDSA signature on the P-384 curve in variable time (every input is public): the curve's own
/// reduction over products from mulx, adcx and adox (or GMP's, on processors without BMI2 and ADX), interleaved width-w NAFs. `point` holds the public key's affine coordinates x and
/// y, 48 big-endian bytes each; `signature` holds r and s the same way; `digest` is the message's hash (its leftmost 384
/// bits when longer, as ECDSA asks). Returns 1 when the signature verifies, 0 when it does not (r or s outside 1 … n − 1
/// included), -1 when the point is not on the curve or a coordinate is not below the field's prime.
int bulkra_p384_verify(const uint8_t *point, const uint8_t *signature, const uint8_t *digest, size_t digest_length);

/// PERF-93: the same with GMP's products whatever the processor (the tests hold the two ways to each other).
int bulkra_p384_verify_portable(const uint8_t *point, const uint8_t *signature, const uint8_t *digest, size_t digest_length);

/// PERF-93: whether `point` (x then y, 48 big-endian bytes each) is a point of the P-384 curve: both coordinates below the
/// field's prime and y² = x³ − 3x + b. Returns 1 when it is, 0 otherwise.
int bulkra_p384_point_valid(const uint8_t *point);

#endif
