/* The span reduction of the VLFeat fast path (see hk_vlf_kernels.span_reduce
 * in hog/vlfeat_fast.h), written once with GCC vector extensions and
 * included by each kernel unit, which compiles it with its own flags (8
 * floats per vector: one AVX2 register, or two SSE2 ones). No FMA
 * (-ffp-contract=off): each product is rounded, then added.
 *
 * Groups of up to 5 vectors (40 floats: the 2n {A, B} pairs of n <= 10
 * orientations) of the two accumulators stay in registers while the span's
 * columns are walked once; wider slots take the columns again per group. */
#include <stddef.h>
#include <string.h>

typedef float hk_vlf_v8 __attribute__((vector_size(32), aligned(4), may_alias));

/* NV vectors of the slots from float g on; NV is a constant in each call. */
static inline __attribute__((always_inline)) void
reduce_group(float *t, size_t stride, size_t count, const float *wx1, const float *wx2,
             float *acc1, float *acc2, size_t g, const int NV)
{
    hk_vlf_v8 a1[5], a2[5];
    const hk_vlf_v8 zero = {0};
    for (int q = 0; q < NV; q++)
        a1[q] = a2[q] = zero;
    for (size_t i = 0; i < count; i++) {
        hk_vlf_v8 *c = (hk_vlf_v8 *)(t + i * stride + g);
        const float w1 = wx1[i], w2 = wx2[i];
        for (int q = 0; q < NV; q++) {
            const hk_vlf_v8 v = c[q];
            a1[q] += v * w1;
            a2[q] += v * w2;
            c[q] = zero;
        }
    }
    for (int q = 0; q < NV; q++) {
        memcpy(acc1 + g + 8 * q, &a1[q], sizeof(hk_vlf_v8));
        memcpy(acc2 + g + 8 * q, &a2[q], sizeof(hk_vlf_v8));
    }
}

static void span_reduce(float *t, size_t stride, size_t count, const float *wx1,
                        const float *wx2, float *acc1, float *acc2)
{
    for (size_t g = 0; g < stride; g += 40) {
        switch ((stride - g) / 8) {
        case 1: reduce_group(t, stride, count, wx1, wx2, acc1, acc2, g, 1); break;
        case 2: reduce_group(t, stride, count, wx1, wx2, acc1, acc2, g, 2); break;
        case 3: reduce_group(t, stride, count, wx1, wx2, acc1, acc2, g, 3); break;
        case 4: reduce_group(t, stride, count, wx1, wx2, acc1, acc2, g, 4); break;
        default: reduce_group(t, stride, count, wx1, wx2, acc1, acc2, g, 5); break;
        }
    }
}
