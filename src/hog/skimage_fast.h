/* The fast path of the scikit-image variant (internal): kernels from
 * src/simd, rows in bands, threads over bands. Bit-identical to
 * hk_skimage_extract (skimage.c), which stays the specification. */
#ifndef HK_HOG_SKIMAGE_FAST_H
#define HK_HOG_SKIMAGE_FAST_H

#include "hog/hog_internal.h"
#include "simd/kernels.h"

/* Cell rows per band and block rows per band: fixed, so the split of work
 * never depends on the number of threads (and results could not either). */
#define HK_SKIMAGE_BAND 4

/* HOG of one image with the kernel set `k` on `threads` threads (>= 1; 1 runs
 * on the calling thread only). Scratch lives in ctx (and ctx's workers). */
hk_status hk_skimage_fast(hk_hog_ctx *ctx, const hk_skimage_params *p, const hk_image *im,
                          float *out, const hk_skimage_kernels *k, int threads);

/* Entry from hog.c: picks the kernel set named by params->simd (scalar: the
 * specification in skimage.c) and the thread count. */
hk_status hk_skimage_run(hk_hog_ctx *ctx, const hk_hog_params *params, const hk_image *im,
                         float *out);

/* Fills the constants of the bins kernel for n orientations. */
void hk_skbin_consts_init(hk_skbin_consts *k, int n);

#endif
