/* Variant-specific options of `hogkit hog`: one option set per variant, each
 * in its own cli/opts_<variant>.c, listed in cmd_hog.c's table. */
#ifndef HK_CLI_HOG_OPTIONS_H
#define HK_CLI_HOG_OPTIONS_H

#include "hogkit.h"

typedef struct hog_option_set {
    hk_variant variant;
    const char *name; /* the --variant value */
    const char *help; /* lines for `hogkit hog --help` */
    /* Looks at argv[*i]: returns 1 when it was this set's option (and
     * consumed its value, advancing *i), 0 when it is not this set's option,
     * -1 on a bad value (after printing a usage error). */
    int (*parse)(int argc, char **argv, int *i, hk_hog_params *p);
} hog_option_set;

extern const hog_option_set hog_skimage_options;
extern const hog_option_set hog_maskfeat_options;

/* The option set whose --variant name is `name`, or NULL (cmd_hog.c). */
const hog_option_set *hog_option_set_find(const char *name);
extern const hog_option_set hog_opencv_options;
extern const hog_option_set hog_vlfeat_dt_options;
extern const hog_option_set hog_vlfeat_uoctti_options;
extern const hog_option_set hog_dlib_options;

/* OpenCV variant (opts_opencv.c): --gray as cv2.cvtColor(COLOR_RGB2GRAY) in
 * 8 bits into *buf (malloc'ed; the caller frees it), and a clear message for
 * images the variant cannot take (type, channels, too small). Both print
 * their own error and return 0. */
int hog_opencv_gray(const char *in, const hk_image *img, void **buf, hk_image *gray);
int hog_opencv_image_ok(const char *in, const hk_image *img, const hk_hog_params *p);
/* Prints which OpenCV geometry rule invalid parameters break (if one does). */
void hog_opencv_explain(const hk_opencv_params *o);

#endif
