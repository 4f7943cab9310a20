/*
 * hk_hog_glyph_render: VLFeat 0.9.21's vl_hog_render on a planar
 * (dims, hog_h, hog_w) array, for UoCTTI/FHOG (dims = 3n + 4: VLFeat UoCTTI,
 * dlib fhog, whose planes d, d+9, d+18 are the same three groups) and
 * Dalal-Triggs (dims = 4n).
 *
 * Glyphs (vl_hog_new): a 21 x 21 bar per orientation o, at angle
 * fmod(o*pi/n + pi/2, pi), i.e. perpendicular to the gradient direction,
 * rasterised along its longer axis with round(). Rendering: for each cell,
 * weight_k = sum of entry k of each group (float32, group order), the glyph
 * images are accumulated weight_k * glyph_k in k order, then the cell is
 * clamped to [min(0, weights), max(0, weights)].
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/checked.h"
#include "hogkit.h"

#define G HK_GLYPH_SIZE

/* vl_hog_new's glyph construction (non-transposed). */
static void make_glyphs(size_t n, float *glyphs)
{
    const double pi = 3.141592653589793; /* VL_PI */
    memset(glyphs, 0, n * G * G * sizeof(float));
    for (size_t o = 0; o < n; o++) {
        float *g = glyphs + o * G * G;
        double angle = fmod((double)o * pi / (double)n + pi / 2, pi);
        double x2 = G * cos(angle) / 2;
        double y2 = G * sin(angle) / 2;
        if (angle <= pi / 4 || angle >= pi * 3 / 4) {
            double slope = y2 / x2;
            double offset = (1 - slope) * (G - 1) / 2;
            long skip = (long)((1 - fabs(cos(angle))) / 2 * G);
            for (long i = skip; i < G - skip; i++) {
                long j = (long)round(slope * (double)i + offset);
                if (j >= 0 && j < G)
                    g[i + G * j] = 1;
            }
        } else {
            double slope = x2 / y2;
            double offset = (1 - slope) * (G - 1) / 2;
            long skip = (long)((1 - sin(angle)) / 2 * G);
            for (long j = skip; j < G - skip; j++) {
                long i = (long)round(slope * (double)j + offset);
                if (i >= 0 && i < G)
                    g[i + G * j] = 1;
            }
        }
    }
}

hk_status hk_hog_glyph_render(hk_variant variant, const float *hog, size_t dims, size_t hog_h,
                              size_t hog_w, int orientations, float *out, size_t capacity)
{
    if (orientations < 1 || orientations > 4096 || hog_h == 0 || hog_w == 0)
        return HK_ERR_INVALID_ARG;
    const size_t n = (size_t)orientations;
    /* The variant, not dims, picks the groups: 3n + 4 == 4n when n = 4. */
    size_t groups;
    if ((variant == HK_VARIANT_VLFEAT_UOCTTI || variant == HK_VARIANT_DLIB) && dims == 3 * n + 4)
        groups = 3;
    else if (variant == HK_VARIANT_VLFEAT_DT && dims == 4 * n)
        groups = 4;
    else
        return HK_ERR_INVALID_ARG;
    size_t stride, rows, cols, total;
    if (!hk_mul_size(hog_h, hog_w, &stride) || !hk_mul_size(hog_h, G, &rows) ||
        !hk_mul_size(hog_w, G, &cols) || !hk_mul_size(rows, cols, &total) ||
        !hk_mul_size(stride, dims, &(size_t){0}))
        return HK_ERR_OVERFLOW;
    if (capacity < total)
        return HK_ERR_BUFFER_TOO_SMALL;
    if (!hog || !out)
        return HK_ERR_INVALID_ARG;
    float *glyphs = malloc(n * G * G * sizeof(float));
    if (!glyphs)
        return HK_ERR_NOMEM;
    make_glyphs(n, glyphs);
    memset(out, 0, total * sizeof(float));
    for (size_t y = 0; y < hog_h; y++)
        for (size_t x = 0; x < hog_w; x++) {
            const float *d = hog + y * hog_w + x;
            float *cell = out + y * G * cols + x * G;
            float lo = 0, hi = 0;
            for (size_t k = 0; k < n; k++) {
                float weight = d[k * stride];
                for (size_t gi = 1; gi < groups; gi++)
                    weight = weight + d[(k + gi * n) * stride];
                hi = weight > hi ? weight : hi;
                lo = weight < lo ? weight : lo;
                const float *g = glyphs + k * G * G;
                for (size_t cy = 0; cy < G; cy++)
                    for (size_t cx = 0; cx < G; cx++)
                        cell[cy * cols + cx] += weight * g[cy * G + cx];
            }
            for (size_t cy = 0; cy < G; cy++)
                for (size_t cx = 0; cx < G; cx++) {
                    /* VL_MAX(min, VL_MIN(max, v)), NaN handling included */
                    float v = cell[cy * cols + cx];
                    float t = hi < v ? hi : v;
                    cell[cy * cols + cx] = lo > t ? lo : t;
                }
        }
    free(glyphs);
    return HK_OK;
}
