/* Internal view of a detector and the pieces of detection (src/detect/). */
#ifndef HK_DETECT_DETECTOR_H
#define HK_DETECT_DETECTOR_H

#include <stddef.h>

#include "hogkit.h"

struct hk_detector {
    hk_opencv_params hog;   /* geometry (compute-only fields zero) */
    int deriv_aperture;     /* kept only to write it back */
    int norm_type;          /* 0 = L2Hys, the only one OpenCV implements */
    int nlevels;            /* 64 */
    size_t desc_len;        /* descriptor length of one window */
    size_t n_coef;          /* desc_len or desc_len + 1 */
    float *coef;            /* n_coef values, OpenCV's order */
};

/* Descriptor length of a geometry, after checking it as OpenCV does
 * (cells divide blocks, strides divide win - block); HK_ERR_INVALID_ARG
 * otherwise, HK_ERR_LIMIT when a size is over max_window. */
hk_status hk__detector_geometry(const hk_opencv_params *g, int max_window, size_t *desc_len);

/* Makes a detector taking ownership of coef (freed on failure too). */
hk_status hk__detector_make(const hk_opencv_params *g, int deriv_aperture, int norm_type,
                            int nlevels, float *coef, size_t n, hk_detector **out);

/* Serialises a detector as OpenCV FileStorage text; *text is malloc'ed. */
hk_status hk__detector_format(const hk_detector *det, int xml, const char *name,
                              char **text, size_t *len);

#endif
