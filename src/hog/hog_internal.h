/* Internal interface between the HOG front end (hog.c) and the variants. */
#ifndef HK_HOG_INTERNAL_H
#define HK_HOG_INTERNAL_H

#include "hogkit.h"

/* Most threads one call uses (more are capped to this). */
#define HK_MAX_WORKERS 256

/* Scratch memory kept by a context between calls. */
struct hk_hog_ctx {
    void *scratch;
    size_t scratch_bytes;
    /* Per-thread contexts of threaded calls, made on first use (ctx_workers.c). */
    struct hk_hog_ctx *workers[HK_MAX_WORKERS];
    /* Tables of the 8-bit skimage path (skimage_lut.c), built on first use. */
    struct hk_skimage_lut *skimage_lut;
    int lut_eager; /* build them even for small images (batch workers) */
    /* Geometry tables of the dlib fast path (dlib_fast.c), made on first use. */
    struct hk_dlib_tables *dlib_tables;
    /* Geometry tables of the VLFeat fast path (vlfeat_tables.c). */
    struct hk_vlf_tables *vlf_tables;
    /* Plan of the OpenCV variant's AVX2 path (opencv_avx2.c), made on first use. */
    struct hk_ocv_plan *ocv_plan;
    /* Tables of the OpenCV variant's image-per-lane batch kernel (opencv_lanes.c). */
    struct hk_ocv_lanes_plan *ocv_lanes;
};

/* Worker context i of ctx (0 <= i < HK_MAX_WORKERS), created on first use;
 * NULL when out of memory. Not thread-safe: call before starting threads. */
hk_hog_ctx *hk_ctx_worker(hk_hog_ctx *ctx, int i);
void hk_ctx_workers_free(hk_hog_ctx *ctx); /* also frees skimage_lut */

/* Returns a scratch buffer of at least `bytes` bytes owned by ctx, or NULL. */
void *hk_ctx_scratch(hk_hog_ctx *ctx, size_t bytes);

/* Reads sample (x, y, c) of an image as a double (exact for every type). */
static inline double hk_sample_at(const hk_image *im, size_t x, size_t y, unsigned c)
{
    const unsigned char *row = (const unsigned char *)im->data + y * im->stride;
    size_t i = x * im->channels + c;
    switch (im->type) {
    case HK_U8: return ((const uint8_t *)row)[i];
    case HK_U16: return ((const uint16_t *)row)[i];
    case HK_F32: return ((const float *)row)[i];
    case HK_F64: return ((const double *)row)[i];
    }
    return 0.0;
}

/* Rejects NaN/Inf samples (HK_ERR_NONFINITE) and, when `no_negative`, negative
 * ones (HK_ERR_DOMAIN). Integer images pass without a scan. */
hk_status hk_image_check_values(const hk_image *im, int no_negative);

/* scikit-image variant (skimage.c). */
hk_status hk_skimage_shape(const hk_skimage_params *p, uint32_t width, uint32_t height,
                           hk_shape *shape);
hk_status hk_skimage_extract(hk_hog_ctx *ctx, const hk_skimage_params *p,
                             const hk_image *im, float *out);
/* The un-normalised cell histograms, (H / cell_rows) x (W / cell_cols) x n. */
hk_status hk_skimage_cells(const hk_skimage_params *p, const hk_image *im, double *hist);

/* Block normalisation of skimage (block_norm.c): normalises n values in place
 * (double) with eps = 1e-5 as skimage does. */
void hk_skimage_normalize_block(double *v, size_t n, hk_block_norm norm);
/* NumPy's pairwise sum of |v[i]| (l1) or v[i]^2 in np.sum's order (block_norm.c). */
double hk_skimage_pairwise_sum(const double *v, size_t n, int l1);

/* VLFeat variants (vlfeat.c): uoctti selects VlHogVariantUoctti. */
size_t hk_vlfeat_dimension(int uoctti, int orientations);
hk_status hk_vlfeat_shape(const hk_vlfeat_params *p, int uoctti, uint32_t width,
                          uint32_t height, hk_shape *shape);
hk_status hk_vlfeat_extract(hk_hog_ctx *ctx, const hk_vlfeat_params *p, int uoctti,
                            const hk_image *im, float *out);

/* dlib variant (dlib.c). hk_dlib_cells: dlib's cell grid (before the
 * one-cell border is dropped) for cell_size >= 2. */
void hk_dlib_cells(int cell_size, uint32_t height, uint32_t width, long *cells_nr,
                   long *cells_nc);
hk_status hk_dlib_shape(const hk_dlib_params *p, uint32_t width, uint32_t height,
                        uint32_t channels, hk_shape *shape);
hk_status hk_dlib_extract(hk_hog_ctx *ctx, const hk_dlib_params *p, const hk_image *im,
                          float *out);

#endif
