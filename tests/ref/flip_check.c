/* Prints hogkit's left-right flip permutation (hk_fhog_flip_permutation),
 * one entry per line, for the differential tests to compare with VLFeat's
 * vl_hog_get_permutation and with mirrored dlib features.
 *   flip_check dt|uoctti|dlib N */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hogkit.h"

int main(int argc, char **argv)
{
    if (argc != 3)
        return 2;
    hk_variant v = strcmp(argv[1], "dlib") == 0     ? HK_VARIANT_DLIB
                   : strcmp(argv[1], "uoctti") == 0 ? HK_VARIANT_VLFEAT_UOCTTI
                                                    : HK_VARIANT_VLFEAT_DT;
    size_t d = 0;
    if (hk_fhog_flip_permutation(v, atoi(argv[2]), NULL, 0, &d) != HK_ERR_BUFFER_TOO_SMALL)
        return 1;
    size_t *perm = malloc(d * sizeof(size_t));
    if (!perm || hk_fhog_flip_permutation(v, atoi(argv[2]), perm, d, &d) != HK_OK)
        return 1;
    for (size_t i = 0; i < d; i++)
        printf("%zu\n", perm[i]);
    free(perm);
    return 0;
}
