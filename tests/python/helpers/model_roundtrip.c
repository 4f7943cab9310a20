/* Test helper: hogkit loads IN (any OpenCV HOG model) and saves OUT. Prints
 * the status name and exits 0 on success, 1 on a load/save error. */
#include <stdio.h>

#include "hogkit.h"

int main(int argc, char **argv)
{
    if (argc != 3)
        return 2;
    hk_detector *d = NULL;
    hk_status st = hk_detector_load(argv[1], NULL, &d);
    if (st == HK_OK)
        st = hk_detector_save(d, argv[2]);
    printf("%s\n", hk_strerror(st));
    hk_detector_free(d);
    return st == HK_OK ? 0 : 1;
}
