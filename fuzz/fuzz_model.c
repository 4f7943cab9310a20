/* Fuzz target: the detector model reader hk_detector_parse
 * (src/detect/model_io.c), OpenCV HOGDescriptor files in XML or YAML.
 *
 * Properties: only documented statuses, and *out is NULL on error; a parsed
 * model is consistent: hk_detector_info and hk_detector_coefficients work,
 * the coefficient count is within the limits, a buffer one short is refused,
 * every coefficient is finite, and hk_detector_new accepts the same geometry
 * and coefficients (what the reader builds, the constructor would too). */
#include <math.h>
#include <string.h>

#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    hk_detector_limits limits;
    hk_detector_limits_default(&limits);
    hk_detector *det = (hk_detector *)1; /* must be overwritten */
    hk_status st = hk_detector_parse(data, size, &limits, &det);
    FUZZ_CHECK(fuzz_reader_status_ok(st) || st == HK_ERR_INVALID_ARG || st == HK_ERR_DOMAIN ||
               st == HK_ERR_NONFINITE);
    if (st != HK_OK) {
        FUZZ_CHECK(det == NULL);
        return 0;
    }
    FUZZ_CHECK(det != NULL);
    hk_opencv_params hog;
    int nlevels = 0;
    size_t n = 0;
    FUZZ_CHECK(hk_detector_info(det, &hog, &nlevels, &n) == HK_OK);
    FUZZ_CHECK(n >= 1 && n <= limits.max_coefficients);
    FUZZ_CHECK(hog.win_width >= 1 && hog.win_width <= limits.max_window);
    FUZZ_CHECK(hog.win_height >= 1 && hog.win_height <= limits.max_window);
    float *coef = malloc(n * sizeof(float));
    FUZZ_CHECK(coef != NULL);
    FUZZ_CHECK(hk_detector_coefficients(det, coef, n - 1) == HK_ERR_BUFFER_TOO_SMALL);
    FUZZ_CHECK(hk_detector_coefficients(det, coef, n) == HK_OK);
    for (size_t i = 0; i < n; i++)
        FUZZ_CHECK(isfinite(coef[i]));
    hk_detector *again = NULL;
    FUZZ_CHECK(hk_detector_new(&hog, coef, n, &again) == HK_OK);
    hk_detector_free(again);
    free(coef);
    hk_detector_free(det);
    return 0;
}
