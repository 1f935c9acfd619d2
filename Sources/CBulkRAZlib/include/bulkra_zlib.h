#ifndef BULKRA_ZLIB_H
#define BULKRA_ZLIB_H
#include <stddef.h>
#include <stdint.h>

/// Inflates a zlib stream into `output`, which must hold exactly `expected` bytes. Returns 0 when the stream is complete
/// and its size is `expected`, non-zero for anything else (damaged, shorter, longer). Reads the outbox payloads stored
/// before PERF-79 (REG-18).
int bulkra_inflate(const uint8_t *input, size_t length, uint8_t *output, size_t expected);

#endif
