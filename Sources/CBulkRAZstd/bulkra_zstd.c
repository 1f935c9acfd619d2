#include "bulkra_zstd.h"
#include <stdlib.h>
#include <zstd.h>

size_t bulkra_zstd_bound(size_t length) {
    return ZSTD_compressBound(length);
}

int bulkra_zstd_decompress(const uint8_t *input, size_t length, uint8_t *output, size_t expected) {
    unsigned long long declared = ZSTD_getFrameContentSize(input, length);
    if (declared != (unsigned long long)expected) return 1;
    if (ZSTD_findFrameCompressedSize(input, length) != length) return 1;
    size_t size = ZSTD_decompress(output, expected, input, length);
    return !ZSTD_isError(size) && size == expected ? 0 : 1;
}

struct bulkra_zstd_stream {
    ZSTD_CCtx *context;
    ZSTD_outBuffer output;
};

bulkra_zstd_stream *bulkra_zstd_begin(int level, size_t total, uint8_t *output, size_t capacity) {
    bulkra_zstd_stream *stream = calloc(1, sizeof(bulkra_zstd_stream));
    if (stream == NULL) return NULL;
    stream->context = ZSTD_createCCtx();
    if (stream->context == NULL
        || ZSTD_isError(ZSTD_CCtx_setParameter(stream->context, ZSTD_c_compressionLevel, level))
        || ZSTD_isError(ZSTD_CCtx_setParameter(stream->context, ZSTD_c_checksumFlag, 0))
        || ZSTD_isError(ZSTD_CCtx_setPledgedSrcSize(stream->context, (unsigned long long)total))) {
        ZSTD_freeCCtx(stream->context);
        free(stream);
        return NULL;
    }
    stream->output.dst = output;
    stream->output.size = capacity;
    stream->output.pos = 0;
    return stream;
}

int bulkra_zstd_append(bulkra_zstd_stream *stream, const uint8_t *input, size_t length) {
    ZSTD_inBuffer in = { input, length, 0 };
    while (in.pos < in.size) {
        size_t status = ZSTD_compressStream2(stream->context, &stream->output, &in, ZSTD_e_continue);
        if (ZSTD_isError(status)) return 1;
        if (stream->output.pos == stream->output.size && in.pos < in.size) return 1;
    }
    return 0;
}

int bulkra_zstd_finish(bulkra_zstd_stream *stream, size_t *output_length) {
    ZSTD_inBuffer in = { NULL, 0, 0 };
    size_t remaining;
    int failed = 0;
    do {
        remaining = ZSTD_compressStream2(stream->context, &stream->output, &in, ZSTD_e_end);
        if (ZSTD_isError(remaining) || (remaining > 0 && stream->output.pos == stream->output.size)) {
            failed = 1;
            break;
        }
    } while (remaining != 0);
    *output_length = stream->output.pos;
    ZSTD_freeCCtx(stream->context);
    free(stream);
    return failed;
}

void bulkra_zstd_abandon(bulkra_zstd_stream *stream) {
    ZSTD_freeCCtx(stream->context);
    free(stream);
}
