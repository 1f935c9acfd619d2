#include "bulkra_zlib.h"
#include <zlib.h>

size_t bulkra_deflate_bound(size_t length) {
    return (size_t)compressBound((uLong)length);
}

int bulkra_deflate(const uint8_t *input, size_t length, int level, uint8_t *output, size_t *output_length) {
    uLongf size = (uLongf)*output_length;
    int status = compress2(output, &size, input, (uLong)length, level);
    *output_length = (size_t)size;
    return status == Z_OK ? 0 : 1;
}

int bulkra_inflate(const uint8_t *input, size_t length, uint8_t *output, size_t expected) {
    uLongf size = (uLongf)expected;
    uLong consumed = (uLong)length;
    int status = uncompress2(output, &size, input, &consumed);
    return status == Z_OK && size == expected && consumed == length ? 0 : 1;
}
