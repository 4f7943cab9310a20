/* Row conversion and scratch layout shared by the VLFeat and dlib variants.
 * Converting a row once (type switch outside the loops) keeps the per-pixel
 * gradient code free of sample-type dispatch. */
#include "hog/fhog_common.h"

#include <string.h>

#include "common/checked.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#define ROW_LOOP(T, CONV)                                                      \
    do {                                                                       \
        const T *s = (const T *)row;                                           \
        for (size_t x = 0; x < w; x++)                                         \
            for (unsigned c = 0; c < channels; c++)                            \
                dst[c * w + x] = CONV(s[x * im->channels + c]);                \
    } while (0)

#define AS_F32(v) ((float)(v))
#define AS_I32(v) ((int32_t)(v))

void hk_fhog_row_f32(const hk_image *im, size_t y, unsigned channels, float *dst)
{
    const unsigned char *row = (const unsigned char *)im->data + y * im->stride;
    const size_t w = im->width;
    switch (im->type) {
    case HK_U8: ROW_LOOP(uint8_t, AS_F32); break;
    case HK_U16: ROW_LOOP(uint16_t, AS_F32); break;
    case HK_F32: ROW_LOOP(float, AS_F32); break;
    case HK_F64: ROW_LOOP(double, AS_F32); break;
    }
}

void hk_fhog_row_i32(const hk_image *im, size_t y, unsigned channels, int32_t *dst)
{
    const unsigned char *row = (const unsigned char *)im->data + y * im->stride;
    const size_t w = im->width;
    switch (im->type) {
    case HK_U8: ROW_LOOP(uint8_t, AS_I32); break;
    case HK_U16: ROW_LOOP(uint16_t, AS_I32); break;
    case HK_F32: ROW_LOOP(float, AS_I32); break;
    case HK_F64: ROW_LOOP(double, AS_I32); break;
    }
}

size_t hk_carve_take(hk_carve *c, size_t n, size_t size)
{
    size_t bytes, start, end;
    /* every piece starts on a 16-byte boundary */
    if (!c->ok || !hk_mul_size(n, size, &bytes) || !hk_add_size(c->used, 15, &start)) {
        c->ok = 0;
        return 0;
    }
    start &= ~(size_t)15;
    if (!hk_add_size(start, bytes, &end)) {
        c->ok = 0;
        return 0;
    }
    c->used = end;
    return start;
}

void hk_fhog_stream_copy(float *dst, const float *src, size_t n)
{
#if defined(__SSE2__)
    /* streaming stores for whole cache lines only: the partial lines at
     * both ends (shared with the neighbouring runs, written at another
     * time) are plain stores, since a line streamed in pieces leaves the
     * write-combining buffer in pieces (the dlib variant at 8192x8192:
     * 5-8% less time) */
    size_t i = 0, e = n;
    while (i < n && ((uintptr_t)(dst + i) & 63u))
        i++;
    while (e > i && ((uintptr_t)(dst + e) & 63u))
        e--;
    memcpy(dst, src, i * sizeof(float));
    for (; i < e; i += 4)
        _mm_stream_ps(dst + i, _mm_loadu_ps(src + i));
    memcpy(dst + e, src + e, (n - e) * sizeof(float));
    _mm_sfence();
#else
    memcpy(dst, src, n * sizeof(float));
#endif
}
