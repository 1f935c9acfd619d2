#include "bulkra_zlib.h"
#include <zlib.h>

int bulkra_inflate(const uint8_t *input, size_t length, uint8_t *output, size_t expected) {
    uLongf size = (uLongf)expected;
    uLong consumed = (uLong)length;
    int status = uncompress2(output, &size, input, &consumed);
    return status == Z_OK && size == expected && consumed == length ? 0 : 1;
}
