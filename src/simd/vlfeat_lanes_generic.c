/* Portable build of the VLFeat image-per-lane kernel
 * (simd/vlfeat_lanes.inc.h): the same code on GCC's generic vectors (two SSE
 * registers per vector on baseline x86-64), blends as bit selects, square
 * roots lane by lane through libm (correctly rounded, as the vector
 * instructions), data into the lanes one sample at a time. */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "hog/vlfeat_lanes.h"

/* 32-byte vectors passed by value between static functions of this unit:
 * no ABI is shared with anyone */
#pragma GCC diagnostic ignored "-Wpsabi"
#include "simd/vlfeat_lanes_types.h"

static inline lv_f8 lv_sqrtf(lv_f8 v);
static inline lv_d4 lv_sqrtd(lv_d4 v);
static inline lv_d4 lv_mind(lv_d4 c, lv_d4 v);
static inline int lv_any(lv_i8 m);

#define LV_SEL(m, a, b) ((lv_f8)(((lv_i8)(a) & (m)) | ((lv_i8)(b) & ~(m))))
#define LV_SELI(m, a, b) (((a) & (m)) | ((b) & ~(m)))
#define LV_SQRTF(v) lv_sqrtf(v)
#define LV_SQRTD(v) lv_sqrtd(v)
#define LV_MIND(c, v) lv_mind(c, v)
#define LV_ADD_PAIR(h, v) ((h)[0] += (v)[0], (h)[1] += (v)[1])
#define LV_ANY(m) lv_any(m)
#define LV_FN lanes_generic
#include "simd/vlfeat_lanes.inc.h"

static inline lv_f8 lv_sqrtf(lv_f8 v)
{
    for (int i = 0; i < 8; i++)
        v[i] = sqrtf(v[i]);
    return v;
}

static inline lv_d4 lv_sqrtd(lv_d4 v)
{
    for (int i = 0; i < 4; i++)
        v[i] = sqrt(v[i]);
    return v;
}

static inline lv_d4 lv_mind(lv_d4 c, lv_d4 v)
{
    const lv_l4 m = c < v;
    return (lv_d4)(((lv_l4)c & m) | ((lv_l4)v & ~m));
}

static inline int lv_any(lv_i8 m)
{
    int any = 0;
    for (int i = 0; i < 8; i++)
        any |= m[i] != 0;
    return any;
}

static void lv_convert(const hk_vlf_lanes_geom *g, const hk_image *const *ims, size_t count,
                       size_t y, lv_f8 *dst)
{
    lv_convert_scalar(g, ims, count, y, dst);
}

static void lv_flush(const float *stage, float *out, size_t dim)
{
    memcpy(out, stage, dim * sizeof(float));
}

static void lv_flush_end(void)
{
}

hk_lanes_fn hk_vlf_lanes_generic(void)
{
    return lanes_generic;
}
