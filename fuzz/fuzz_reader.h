/* The body shared by the per-format reader targets (fuzz_png.c, ...): one
 * format's reader from src/image/decoders.h is called directly, whatever
 * the first bytes say, so the fuzzer need not rediscover the magic number;
 * then the public API on the same bytes must agree with it whenever they
 * are detected as that format.
 *
 * Properties checked:
 *  - only documented statuses come back;
 *  - the header query and the full decode agree on the geometry, and
 *    info.bytes = width * height * channels * sample size, within limits;
 *  - a buffer one byte short is refused (HK_ERR_BUFFER_TOO_SMALL) without
 *    writing (ASan sees any write past the exact-size buffer);
 *  - decoding twice gives the same pixels (no uninitialised reads);
 *  - hk_image_decode_info / hk_image_decode match the internal reader. */
#ifndef HK_FUZZ_READER_H
#define HK_FUZZ_READER_H

#include <string.h>

#include "fuzz.h"
#include "image/decoders.h"

typedef hk_status (*fuzz_reader_fn)(const uint8_t *data, size_t size,
                                    const hk_limits *limits, hk_image_info *info,
                                    void *buffer, size_t capacity);

static inline void fuzz_one_reader(const uint8_t *data, size_t size, hk_format format,
                                   fuzz_reader_fn read)
{
    hk_limits limits;
    hk_image_info info, info2, pub;
    hk_status st, st2, pst;

    fuzz_limits(&limits);
    memset(&info, 0, sizeof info);
    st = read(data, size, &limits, &info, NULL, 0);
    FUZZ_CHECK(fuzz_reader_status_ok(st));

    /* The public header query must say the same for bytes of this format. */
    pst = hk_image_decode_info(data, size, &limits, &pub);
    if (hk_format_detect(data, size) == format) {
        FUZZ_CHECK(pst == st);
        if (st == HK_OK)
            FUZZ_CHECK(memcmp(&pub, &info, sizeof info) == 0);
    } else {
        FUZZ_CHECK(pst != HK_OK || pub.format != format);
    }
    if (st != HK_OK)
        return;

    FUZZ_CHECK(info.format == format);
    FUZZ_CHECK(info.width > 0 && info.height > 0 && info.channels > 0);
    FUZZ_CHECK((uint64_t)info.width * info.height <= limits.max_pixels);
    FUZZ_CHECK(info.channels <= limits.max_channels);
    FUZZ_CHECK(info.bytes == (size_t)info.width * info.height * info.channels *
                                 hk_sample_size(info.type));

    /* One byte short: refused. Exact size: ASan catches any overrun. */
    uint8_t *buf = malloc(info.bytes);
    uint8_t *buf2 = malloc(info.bytes);
    if (!buf || !buf2) {
        free(buf);
        free(buf2);
        return;
    }
    memset(&info2, 0, sizeof info2);
    st2 = read(data, size, &limits, &info2, buf, info.bytes - 1);
    FUZZ_CHECK(st2 == HK_ERR_BUFFER_TOO_SMALL);

    memset(buf, 0x5a, info.bytes);
    st2 = read(data, size, &limits, &info2, buf, info.bytes);
    FUZZ_CHECK(fuzz_reader_status_ok(st2));
    if (st2 == HK_OK) {
        FUZZ_CHECK(memcmp(&info2, &info, sizeof info) == 0);
        memset(buf2, 0xa5, info.bytes);
        FUZZ_CHECK(read(data, size, &limits, &info2, buf2, info.bytes) == HK_OK);
        FUZZ_CHECK(memcmp(buf, buf2, info.bytes) == 0);
    }
    if (hk_format_detect(data, size) == format) {
        hk_image im;
        memset(buf2, 0, info.bytes);
        pst = hk_image_decode(data, size, &limits, buf2, info.bytes, &im);
        FUZZ_CHECK(pst == st2);
        if (pst == HK_OK) {
            FUZZ_CHECK(im.width == info.width && im.height == info.height &&
                       im.channels == info.channels && im.type == info.type &&
                       im.data == buf2 && hk_image_check(&im) == HK_OK);
            FUZZ_CHECK(memcmp(buf, buf2, info.bytes) == 0);
        }
    }
    free(buf);
    free(buf2);
}

#endif
