#ifndef BULKRA_ZLIB_H
#define BULKRA_ZLIB_H
#include <stddef.h>
#include <stdint.h>

/// The largest zlib stream `length` input bytes may become (bulkra_deflate_begin's output buffer).
size_t bulkra_deflate_bound(size_t length);

/// Inflates a zlib stream into `output`, which must hold exactly `expected` bytes. Returns 0 when the stream is complete
/// and its size is `expected`, non-zero for anything else (damaged, shorter, longer).
int bulkra_inflate(const uint8_t *input, size_t length, uint8_t *output, size_t expected);

/// PERF-46: a zlib stream compressed piece by piece into one caller-owned buffer.
typedef struct bulkra_deflate_stream bulkra_deflate_stream;

/// Begins a zlib stream at `level` (1 fast … 9 small) writing into `output`, which must hold bulkra_deflate_bound of
/// everything that will be appended. NULL when zlib cannot start (no memory).
bulkra_deflate_stream *bulkra_deflate_begin(int level, uint8_t *output, size_t capacity);

/// Compresses `length` more bytes (no flush: the output is the same as for one call with all of them). Returns 0 on
/// success, non-zero when zlib fails or the output would overflow.
int bulkra_deflate_append(bulkra_deflate_stream *stream, const uint8_t *input, size_t length);

/// Finishes the stream and frees it; *output_length becomes the compressed size. Returns 0 on success.
int bulkra_deflate_finish(bulkra_deflate_stream *stream, size_t *output_length);

/// Frees a stream that will not be finished.
void bulkra_deflate_abandon(bulkra_deflate_stream *stream);

#endif
