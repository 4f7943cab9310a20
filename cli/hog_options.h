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
extern const hog_option_set hog_vlfeat_dt_options;
extern const hog_option_set hog_vlfeat_uoctti_options;
extern const hog_option_set hog_dlib_options;

#endif
