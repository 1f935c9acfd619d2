#ifndef BULKRA_NETTLE_H
#define BULKRA_NETTLE_H
#include <stddef.h>
#include <stdint.h>

/// PERF-92: verifies an ECDSA signature on the P-384 curve with Nettle's secp384r1 arithmetic (curve-specific reduction,
/// about 1.3× BoringSSL's generic P-384 code on this machine kind). `point` holds the public key's affine coordinates x
/// and y, 48 big-endian bytes each; `signature` holds r and s the same way; `digest` is the message's hash (truncated to
/// the curve's 384 bits as ECDSA asks when longer). Returns 1 when the signature verifies, 0 when it does not (r or s
/// outside 1 … n − 1 included), -1 when the point is not on the curve or a coordinate is not below the field's prime.
int bulkra_p384_verify(const uint8_t *point, const uint8_t *signature, const uint8_t *digest, size_t digest_length);

/// PERF-92: whether `point` (x then y, 48 big-endian bytes each) is a point of the P-384 curve: both coordinates below the
/// field's prime and y² = x³ − 3x + b. Returns 1 when it is, 0 otherwise.
int bulkra_p384_point_valid(const uint8_t *point);

#endif
