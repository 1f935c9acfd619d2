#ifndef BULKRA_ZLIB_H
#define BULKRA_ZLIB_H
#include <stddef.h>
#include <stdint.h>

/// The largest output bulkra_deflate may write for `length` input bytes.
size_t bulkra_deflate_bound(size_t length);

/// zlib-compresses `input` at `level` (1 fast … 9 small) into `output` (capacity *output_length, at least
/// bulkra_deflate_bound); *output_length becomes the compressed size. Returns 0 on success.
int bulkra_deflate(const uint8_t *input, size_t length, int level, uint8_t *output, size_t *output_length);

/// Inflates a zlib stream into `output`, which must hold exactly `expected` bytes. Returns 0 when the stream is complete
/// and its size is `expected`, non-zero for anything else (damaged, shorter, longer).
int bulkra_inflate(const uint8_t *input, size_t length, uint8_t *output, size_t expected);

#endif
