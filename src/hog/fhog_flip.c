/* Left-right flip permutations of the VLFeat and dlib descriptors. */
#include "hog/hog_internal.h"

/* VLFeat's vl_hog_new permutation, entry for entry: directed bin o maps to
 * n - o (mod 2n), undirected to (n - o) mod n, and the four blocks
 * (UL, UR, LL, LR) swap left and right. */
static void vlfeat_perm(int uoctti, size_t n, size_t *perm)
{
    if (uoctti) {
        for (size_t o = 0; o < n; o++) {
            size_t op = n - o;
            perm[o] = op;
            perm[o + n] = (op + n) % (2 * n);
            perm[o + 2 * n] = op % n + 2 * n;
        }
        for (size_t k = 0; k < 4; k++) {
            size_t q = (1 - k % 2) + (k / 2) * 2;
            perm[k + 3 * n] = q + 3 * n;
        }
        return;
    }
    for (size_t k = 0; k < 4; k++) {
        size_t q = (1 - k % 2) + (k / 2) * 2;
        for (size_t o = 0; o < n; o++)
            perm[o + k * n] = (n - o) % n + q * n;
    }
}

/* dlib: bins at o*20 degrees; mirroring maps angle a to 180 - a, so directed
 * bin o goes to (9 - o) mod 18 and undirected o to (9 - o) mod 9; the
 * texture blocks BR, TR, BL, TL swap left and right (27 <-> 29, 28 <-> 30). */
static void dlib_perm(size_t *perm)
{
    for (size_t o = 0; o < 18; o++)
        perm[o] = (18 + 9 - o) % 18;
    for (size_t o = 0; o < 9; o++)
        perm[18 + o] = 18 + (9 - o) % 9;
    perm[27] = 29;
    perm[28] = 30;
    perm[29] = 27;
    perm[30] = 28;
}

hk_status hk_fhog_flip_permutation(hk_variant variant, int orientations, size_t *perm,
                                   size_t capacity, size_t *dimension)
{
    if (!dimension)
        return HK_ERR_INVALID_ARG;
    *dimension = 0;
    size_t d;
    int uoctti = variant == HK_VARIANT_VLFEAT_UOCTTI;
    if (variant == HK_VARIANT_DLIB) {
        d = 31;
    } else if (variant == HK_VARIANT_VLFEAT_DT || uoctti) {
        if (orientations < 1 || orientations > 4096)
            return HK_ERR_INVALID_ARG;
        d = hk_vlfeat_dimension(uoctti, orientations);
    } else {
        return HK_ERR_INVALID_ARG;
    }
    *dimension = d;
    if (capacity < d)
        return HK_ERR_BUFFER_TOO_SMALL;
    if (!perm)
        return HK_ERR_INVALID_ARG;
    if (variant == HK_VARIANT_DLIB)
        dlib_perm(perm);
    else
        vlfeat_perm(uoctti, (size_t)orientations, perm);
    return HK_OK;
}
