#ifndef BULKRA_ZSTD_H
#define BULKRA_ZSTD_H
#include <stddef.h>
#include <stdint.h>

/// The largest Zstandard frame `length` input bytes may become (bulkra_zstd_begin's output buffer).
size_t bulkra_zstd_bound(size_t length);

/// Decompresses one Zstandard frame into `output`, which must hold exactly `expected` bytes. Returns 0 when the frame
/// declares `expected` bytes and decompresses to exactly that many, non-zero for anything else (damaged, shorter, longer).
int bulkra_zstd_decompress(const uint8_t *input, size_t length, uint8_t *output, size_t expected);

/// PERF-79: one Zstandard frame compressed piece by piece into one caller-owned buffer.
typedef struct bulkra_zstd_stream bulkra_zstd_stream;

/// Begins a frame of `total` bytes (written into its header) at `level` (1 fast … 19 small), writing into `output`,
/// which must hold bulkra_zstd_bound(total). NULL when Zstandard cannot start (no memory, a level it refuses).
bulkra_zstd_stream *bulkra_zstd_begin(int level, size_t total, uint8_t *output, size_t capacity);

/// Compresses `length` more bytes (no flush: the frame is the same as for one call with all of them). Returns 0 on
/// success, non-zero when Zstandard fails or the output would overflow.
int bulkra_zstd_append(bulkra_zstd_stream *stream, const uint8_t *input, size_t length);

/// Ends the frame and frees the stream; *output_length becomes the frame's size. Returns 0 on success (non-zero also when
/// fewer or more bytes than `total` were appended).
int bulkra_zstd_finish(bulkra_zstd_stream *stream, size_t *output_length);

/// Frees a stream that will not be finished.
void bulkra_zstd_abandon(bulkra_zstd_stream *stream);

#endif
