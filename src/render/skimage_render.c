/*
 * hk_skimage_render: the hog_image of skimage.feature.hog(..., visualize=True)
 * (scikit-image 0.19.3, spec section 1 "Visualisation"):
 *   radius = min(c_r, c_c) // 2 - 1;  mid_o = pi * (o + 0.5) / n;
 *   dr_o = radius * sin(mid_o), dc_o = radius * cos(mid_o)   (float64);
 *   for each cell (r, c) and bin o, with centre (r*c_r + c_r//2, c*c_c + c_c//2):
 *     draw.line(int(cr - dc_o), int(cc + dr_o), int(cr + dc_o), int(cc - dr_o))
 *     and add the un-normalised cell value to each pixel of the line.
 * hog_image has the working type of the image (float32 for float32 input,
 * float64 otherwise), so each add is rounded to float32 for float32 images.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/checked.h"
#include "hog/hog_internal.h"
#include "render/render_internal.h"

typedef struct canvas {
    double *px;
    long width, height;
    double value;
    int f32;
} canvas;

static void add_pixel(void *ctx, long r, long c)
{
    canvas *cv = ctx;
    /* The centres keep every segment inside its image; the guard is for
     * safety only (NumPy would wrap a negative index). */
    if (r < 0 || c < 0 || r >= cv->height || c >= cv->width)
        return;
    double *p = cv->px + (size_t)r * (size_t)cv->width + (size_t)c;
    *p = cv->f32 ? (double)((float)*p + (float)cv->value) : *p + cv->value;
}

hk_status hk_skimage_render(const hk_hog_params *params, const hk_image *image, double *out,
                            size_t capacity)
{
    if (!params || params->variant != HK_VARIANT_SKIMAGE)
        return HK_ERR_INVALID_ARG;
    hk_status st = hk_hog_params_check(params);
    if (st == HK_OK)
        st = hk_image_check(image);
    if (st != HK_OK)
        return st;
    const hk_skimage_params *p = &params->skimage;
    size_t npix, n_hist, bytes;
    const size_t n = (size_t)p->orientations;
    const size_t cr = (size_t)p->cell_rows, cc = (size_t)p->cell_cols;
    const size_t ncr = image->height / cr, ncc = image->width / cc;
    if (!hk_mul_size(image->width, image->height, &npix))
        return HK_ERR_OVERFLOW;
    if (capacity < npix)
        return HK_ERR_BUFFER_TOO_SMALL;
    if (!out)
        return HK_ERR_INVALID_ARG;
    st = hk_image_check_values(image, p->transform_sqrt);
    if (st != HK_OK)
        return st;
    if (!hk_mul_size(ncr * ncc, n, &n_hist) || !hk_mul_size(n_hist + 1, sizeof(double), &bytes))
        return HK_ERR_OVERFLOW;
    double *hist = malloc(bytes);
    if (!hist)
        return HK_ERR_NOMEM;
    st = hk_skimage_cells(p, image, hist);
    if (st != HK_OK) {
        free(hist);
        return st;
    }
    memset(out, 0, npix * sizeof(double));
    canvas cv = {out, (long)image->width, (long)image->height, 0, image->type == HK_F32};
    const long radius = (long)((cr < cc ? cr : cc) / 2) - 1;
    const double pi = 3.14159265358979323846;
    for (size_t r = 0; r < ncr; r++)
        for (size_t c = 0; c < ncc; c++) {
            const double cen_r = (double)(r * cr + cr / 2), cen_c = (double)(c * cc + cc / 2);
            for (size_t o = 0; o < n; o++) {
                double mid = pi * ((double)o + 0.5) / (double)n;
                double dr = (double)radius * sin(mid), dc = (double)radius * cos(mid);
                cv.value = hist[(r * ncc + c) * n + o];
                /* C's (long) truncates toward zero, as Python's int(). */
                hk_draw_line((long)(cen_r - dc), (long)(cen_c + dr), (long)(cen_r + dc),
                             (long)(cen_c - dr), add_pixel, &cv);
            }
        }
    free(hist);
    return HK_OK;
}
