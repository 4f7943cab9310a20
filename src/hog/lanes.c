/* Image-per-lane batch kernels: which variant offers one for a batch.
 *
 * A batch of small images spends most of its time on per-image bookkeeping
 * (rows, cells, borders), not on arithmetic. A lanes kernel runs up to
 * `group` images of one geometry together, image k in vector lane k, so that
 * bookkeeping is paid once per group. Lanes never mix: each image's features
 * are those of the variant's own path (its stated tolerance against the
 * scalar specification), whatever the other images of the group, so the
 * grouping (and thus the thread count) changes no result. */
#include "hog/lanes.h"
#include "hog/dlib_lanes.h"
#include "hog/opencv_lanes.h"
#include "hog/skimage_lanes.h"
#include "hog/vlfeat_lanes.h"

int hk_lanes_pick(const hk_hog_params *p, const hk_image *im0, hk_lanes *lanes)
{
    lanes->run = NULL;
    lanes->group = 1;
    /* forcing the scalar specification forces it in batches too */
    if (p->simd == HK_SIMD_SCALAR)
        return 0;
    switch (p->variant) {
    case HK_VARIANT_SKIMAGE:
        hk_skimage_lanes_pick(p, im0, lanes);
        break;
    case HK_VARIANT_DLIB:
        hk_dlib_lanes_pick(p, im0, lanes);
        break;
    case HK_VARIANT_OPENCV:
        hk_ocv_lanes_pick(p, im0, lanes);
        break;
    case HK_VARIANT_VLFEAT_DT:
    case HK_VARIANT_VLFEAT_UOCTTI:
        hk_vlf_lanes_pick(p, im0, lanes);
        break;
    default:
        break;
    }
    return lanes->run != NULL;
}
