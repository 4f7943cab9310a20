/* Which batches of the scikit-image variant go through the image-per-lane
 * kernel (skimage_lanes.h): 8-bit grey, no transform_sqrt, orientations the
 * 8-bit tables hold, small images and blocks. */
#include "hog/skimage_lanes.h"
#include "hog/skimage_lut.h"

void hk_skimage_lanes_pick(const hk_hog_params *p, const hk_image *im0, hk_lanes *lanes)
{
    const hk_skimage_params *s = &p->skimage;
    if (im0->type != HK_U8 || im0->channels != 1 || s->transform_sqrt ||
        s->orientations > HK_LUT_MAX_ORIENTATIONS ||
        (uint64_t)im0->width * im0->height > HK_SK_LANES_MAX_PIXELS ||
        (uint64_t)s->block_rows * (uint64_t)s->block_cols * (uint64_t)s->orientations >
            HK_SK_LANES_MAX_BLOCK ||
        (uint64_t)(im0->width / (uint32_t)s->cell_cols) * (im0->height / (uint32_t)s->cell_rows) *
                (uint64_t)s->orientations >
            HK_SK_LANES_MAX_CELLS)
        return;
    /* AVX-512 CPUs have AVX2; the portable kernel elsewhere */
    hk_lanes_fn fn = p->simd == HK_SIMD_AVX2 || p->simd == HK_SIMD_AVX512 ? hk__sk_lanes_avx2()
                                                                           : NULL;
    if (!fn)
        fn = hk__sk_lanes_generic();
    lanes->run = fn;
    lanes->group = HK_SK_LANES;
}
