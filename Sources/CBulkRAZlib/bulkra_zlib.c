#include "bulkra_zlib.h"
#include <limits.h>
#include <stdlib.h>
#include <zlib.h>

size_t bulkra_deflate_bound(size_t length) {
    return (size_t)compressBound((uLong)length);
}

int bulkra_inflate(const uint8_t *input, size_t length, uint8_t *output, size_t expected) {
    uLongf size = (uLongf)expected;
    uLong consumed = (uLong)length;
    int status = uncompress2(output, &size, input, &consumed);
    return status == Z_OK && size == expected && consumed == length ? 0 : 1;
}

struct bulkra_deflate_stream {
    z_stream z;
};

bulkra_deflate_stream *bulkra_deflate_begin(int level, uint8_t *output, size_t capacity) {
    bulkra_deflate_stream *stream = calloc(1, sizeof(bulkra_deflate_stream));
    if (stream == NULL) return NULL;
    if (deflateInit(&stream->z, level) != Z_OK) {
        free(stream);
        return NULL;
    }
    stream->z.next_out = output;
    stream->z.avail_out = capacity > (size_t)UINT_MAX ? UINT_MAX : (uInt)capacity;
    return stream;
}

int bulkra_deflate_append(bulkra_deflate_stream *stream, const uint8_t *input, size_t length) {
    while (length > 0) {
        uInt piece = length > (size_t)UINT_MAX ? UINT_MAX : (uInt)length;
        stream->z.next_in = (Bytef *)input;
        stream->z.avail_in = piece;
        while (stream->z.avail_in > 0) {
            if (stream->z.avail_out == 0) return 1;
            if (deflate(&stream->z, Z_NO_FLUSH) != Z_OK) return 1;
        }
        input += piece;
        length -= piece;
    }
    return 0;
}

int bulkra_deflate_finish(bulkra_deflate_stream *stream, size_t *output_length) {
    int status = deflate(&stream->z, Z_FINISH);
    *output_length = (size_t)stream->z.total_out;
    deflateEnd(&stream->z);
    free(stream);
    return status == Z_STREAM_END ? 0 : 1;
}

void bulkra_deflate_abandon(bulkra_deflate_stream *stream) {
    deflateEnd(&stream->z);
    free(stream);
}
