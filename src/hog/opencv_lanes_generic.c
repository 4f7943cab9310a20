/* OpenCV variant, the portable image-per-lane kernel (opencv_lanes.h): the
 * kernel source with plain GCC vectors (two SSE registers per vector on
 * x86-64). Used where the CPU lacks AVX2, and by the tests. */
#include <math.h>

#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#define OCVL_FN(name) ocvl_generic_##name
#define OCVL_SQRT(v) ocvl_generic_sqrt(v)
#define OCVL_HALVES 1
typedef float ocvl_generic_vf __attribute__((vector_size(32)));
static inline ocvl_generic_vf ocvl_generic_sqrt(ocvl_generic_vf v)
{
#if defined(__SSE2__) /* x86-64: two IEEE square roots of 4 lanes */
    __m128 h[2];
    memcpy(h, &v, sizeof v);
    h[0] = _mm_sqrt_ps(h[0]);
    h[1] = _mm_sqrt_ps(h[1]);
    memcpy(&v, h, sizeof v);
#else
    for (int i = 0; i < 8; i++)
        v[i] = sqrtf(v[i]);
#endif
    return v;
}
#include "hog/opencv_lanes_kernel.inc.h"

int hk__ocvl_group_generic(const hk__ocvl_job *job, const hk_image *const *images, size_t n,
                           float *out, size_t dim)
{
    return ocvl_generic_group(job, images, n, out, dim);
}
