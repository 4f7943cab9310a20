/* AVX2 kernels of the VLFeat fast path: placeholder until written. */
#include "hog/vlfeat_fast.h"

const hk_vlf_kernels *hk_vlf_kernels_avx2(void)
{
    return NULL;
}
