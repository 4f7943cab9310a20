/* The strip reduction of the VLFeat fast path (hk_vlf_kernels.strip_reduce
 * in hog/vlfeat_fast.h), written once with GCC vector extensions and
 * included by each kernel unit, which compiles it with its own flags (8
 * floats per vector: one AVX2 register, or two SSE2 ones). The including
 * unit defines HK_VLF_MADD(acc, e, w), acc + e * w as one fused operation
 * (AVX2 unit: the AVX2 set is only picked on CPUs with FMA) or two rounded
 * ones (portable unit), and HK_VLF_REDUCE_ATTR, the target attribute. The
 * sums are regrouped anyway (see hog/vlfeat_fast.h), so fusing changes
 * nothing but the last bit.
 *
 * The slots are taken in groups of up to 5 vectors (40 floats: all 2n
 * {A, B} pairs of n <= 10 orientations, so one group for the usual 9); a
 * group's two sums and its carry stay in registers across the strip's
 * spans. */
#include <stddef.h>
#include <string.h>

typedef float hk_vlf_v8 __attribute__((vector_size(32), aligned(4), may_alias));

/* Floats [g, g + 8 NV) of every slot; NV is a constant in each call. */
static inline __attribute__((always_inline)) HK_VLF_REDUCE_ATTR void
reduce_group(const hk_vlf_reduce *q, size_t g, const int NV)
{
    const hk_vlf_v8 zero = {0};
    hk_vlf_v8 carry[5];
    for (int v = 0; v < NV; v++)
        memcpy(&carry[v], q->carry + g + 8 * v, sizeof(hk_vlf_v8));
    const size_t slot = q->slot;
    for (size_t s = q->s0; s < q->s1; s++) {
        hk_vlf_v8 a1[5], a2[5];
        for (int v = 0; v < NV; v++)
            a1[v] = a2[v] = zero;
        const size_t count = q->len[s], x = q->start[s];
        float *t = q->slots + (count ? x - q->x0 : 0) * slot + g;
        for (size_t i = 0; i < count; i++, t += slot) {
            hk_vlf_v8 *c = (hk_vlf_v8 *)t;
            const float w1 = q->wx1[x + i], w2 = q->wx2[x + i];
            for (int v = 0; v < NV; v++) {
                const hk_vlf_v8 e = c[v];
                a1[v] = HK_VLF_MADD(a1[v], e, w1);
                a2[v] = HK_VLF_MADD(a2[v], e, w2);
                c[v] = zero;
            }
        }
        if (s >= 1) { /* cell s - 1: span s - 2's wx2 sums, then span s - 1's wx1 sums */
            float *o = q->out + (s - 1) * slot + g;
            for (int v = 0; v < NV; v++) {
                const hk_vlf_v8 sum = carry[v] + a1[v];
                memcpy(o + 8 * v, &sum, sizeof(hk_vlf_v8));
            }
        }
        for (int v = 0; v < NV; v++)
            carry[v] = a2[v];
    }
    for (int v = 0; v < NV; v++)
        memcpy(q->carry + g + 8 * v, &carry[v], sizeof(hk_vlf_v8));
}

static HK_VLF_REDUCE_ATTR void strip_reduce(const hk_vlf_reduce *q)
{
    for (size_t g = 0; g < q->slot; g += 40) {
        switch ((q->slot - g) / 8) {
        case 1: reduce_group(q, g, 1); break;
        case 2: reduce_group(q, g, 2); break;
        case 3: reduce_group(q, g, 3); break;
        case 4: reduce_group(q, g, 4); break;
        default: reduce_group(q, g, 5); break;
        }
    }
}
