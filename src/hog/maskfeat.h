/* MaskFeat HOG targets (internal): geometry and the per-plane kernel shared
 * by the single-image path (hk_hog_extract) and the batch API
 * (hk_maskfeat_targets). Definition: docs/variants/maskfeat.md. */
#ifndef HK_HOG_MASKFEAT_H
#define HK_HOG_MASKFEAT_H

#include <stddef.h>

#include "hogkit.h"

/* Everything that follows from (params, C, H, W). Only the cells that some
 * patch uses are computed: cells_h = patches_h * u, cells_w = patches_w * u. */
typedef struct hk_mf_geom {
    size_t width, height, channels;
    size_t nbins, pool, u, window;
    size_t cells_h, cells_w;     /* cells covered by whole patches */
    size_t patches_h, patches_w, patches;
    size_t dims;                 /* channels * nbins * u * u */
    size_t plane_cells;          /* cells_h * cells_w * nbins */
} hk_mf_geom;

hk_status hk_maskfeat_params_check(const hk_maskfeat_params *p);

/* Validates the image geometry against the parameters: W or H below 2 is
 * HK_ERR_TOO_SMALL (reflect padding needs two samples), a Gaussian window on
 * a non-square image or one whose side is not a multiple of the window is
 * HK_ERR_UNSUPPORTED (the reference asserts both). */
hk_status hk_maskfeat_geometry(const hk_maskfeat_params *p, size_t channels, size_t width,
                               size_t height, hk_mf_geom *g);

/* Single image: (patches, dims). */
hk_status hk_maskfeat_shape(const hk_maskfeat_params *p, uint32_t width, uint32_t height,
                            uint32_t channels, hk_shape *shape);
hk_status hk_maskfeat_extract(hk_hog_ctx *ctx, const hk_maskfeat_params *p,
                              const hk_image *im, float *out);

/* The window get_gkern(k, k // 2) normalised to sum 1, k*k float32. */
void hk_maskfeat_gkern(size_t k, float *kern);

/* Cell histograms of one contiguous float32 plane (H x W): cells is
 * cells_h x cells_w x nbins, overwritten. gkern is NULL or the window.
 * HK_ERR_NONFINITE when a gradient magnitude is not finite. */
hk_status hk_maskfeat_plane_cells(const hk_mf_geom *g, const float *plane, const float *gkern,
                                  float *cells);

/* The optional L2 step, then the scatter of channel c's cells into the
 * per-patch layout of out (patches x dims). */
void hk_maskfeat_cells_out(const hk_mf_geom *g, size_t c, float *cells, int normalize,
                           float *out);

#endif
