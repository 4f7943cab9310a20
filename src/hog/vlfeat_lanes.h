/* Image-per-lane batch kernel of the VLFeat variants (internal; the hook is
 * hog/lanes.h). Up to 8 images of one small geometry go through one call,
 * image k in vector lane k, and each lane does exactly the scalar
 * specification's arithmetic (vlfeat.c), in its order:
 *  - the channel choice, gradient, magnitude and the hard orientation bin
 *    (rounded products, strict > in k order, first wins) per pixel;
 *  - the four votes ((grad * wx) * wy) added one by one, in raster order,
 *    into the pixel's bin of the four cells around it. Lanes vote into
 *    different bins, so the adds are scalar read-modify-writes of the
 *    image's own histogram (cells (bx, by) and (bx + 1, by) adjacent: one
 *    2-float add, two independent IEEE adds); a lane without a vote adds
 *    +0 to bin 0, which changes no bit of a non-negative sum. Cells outside
 *    the grid are padding, never read;
 *  - then image by image, straight from its own histogram: the cell
 *    energies in float, the block factors 1 / sqrt(... + 1e-4) and the
 *    clipped outputs in double, as vl_hog_extract, vectors running over the
 *    image's cells (each element its own cell: no sum crosses elements).
 * So every image's features are the scalar path's, bit for bit, whatever the
 * other images of the group (tests/unit/test_vlfeat_lanes.c).
 *
 * Taken for hard orientation assignment, 8- and 16-bit samples (no value
 * check is needed, hk_vlfeat_output_finite), up to HK_VLF_LANES_MAX_C
 * channels and small images (HK_VLF_LANES_MAX_PIXELS); everything else goes
 * one image at a time through hk_vlfeat_run. */
#ifndef HK_HOG_VLFEAT_LANES_H
#define HK_HOG_VLFEAT_LANES_H

#include <stddef.h>
#include <stdint.h>

#include "hog/hog_internal.h"
#include "hog/lanes.h"

#define HK_VLF_LANES 8             /* images per call: one AVX2 register of floats */
#define HK_VLF_LANES_MAX_PIXELS 4096 /* larger images amortise their bookkeeping */
#define HK_VLF_LANES_MAX_C 4
#define HK_VLF_LANES_MAX_N 32      /* orientations */
#define HK_VLF_LANES_MAX_SCRATCH ((size_t)4 << 20)

/* One call's geometry and scratch (hk_vlf_lanes_setup). Vectors of the
 * pixel pass are 8 floats (one per lane), 32 bytes; the normalisation works
 * on one image at a time, its vectors over that image's cells. Every array
 * starts 64-byte aligned. */
typedef struct hk_vlf_lanes_geom {
    size_t W, H, C, hw, hh, planes; /* planes: output planes (dim / cells) */
    int n, uoctti, sym;             /* sym: ux[n-k] == -ux[k], uy[n-k] == uy[k] */
    int u8;                         /* 8-bit samples: integer gradients in [-255, 255] */
    const float *ux, *uy;           /* the n unit vectors (vlfeat_tables.c) */
    float *wx1, *wx2;               /* per column x: cell weights */
    float *wy2;                     /* per row y: weight of cell row by + 1 */
    int32_t *colbase;               /* per column: bx + 1 */
    int32_t *rowbase;               /* per row: (by + 1) * (hw + 1) */
    size_t plane;                   /* floats per bin plane of one lane: (hw+1) (hh+1) */
    size_t lane;                    /* floats per lane's histogram: 2n planes, padded */
    /* pixel pass, in vectors of 8 lanes */
    float *rows;    /* 3 converted rows: C planes of W vectors each */
    int32_t *offs;  /* per column: each lane's offset of its bin's cell */
    float *votes;   /* per column: 16 floats {(bx,by), (bx+1,by)} per lane, then 16
                       {(bx,by+1), (bx+1,by+1)}, lanes in unpack order 0,1,4,5,2,3,6,7 */
    uint8_t *any;   /* per column: some lane votes */
    float *hist;    /* per lane (lane floats apart): 2n planes of hh + 1 padded cell
                       rows of hw + 1 cells (cells of a row adjacent); padding
                       cell hw of a row is cell -1 of the next, padding row hh
                       of a plane row -1 of the next */
    /* normalisation, one image at a time */
    size_t ncell;   /* hw * hh, the cells in output order */
    size_t cstride; /* floats per bin of comp: ncell + 7 rounded up to 8 */
    size_t fstride; /* doubles per factor array of fac: ncell + 3 rounded up to 4 */
    size_t bstride; /* doubles per block row: hw + 1 rounded up to 4 */
    float *comp;    /* the image's 2n bins, each its ncell cells in output order */
    float *energy;  /* (hh + 2) x (hw + 2) cell energies, borders replicated */
    double *blocks; /* (hh + 1) rows of hw + 1 block factors, bstride apart */
    double *fac;    /* 4 arrays (UL, UR, LL, LR) of each cell's block factor */
    float *stage;   /* the image's features, before the streaming copy out */
} hk_vlf_lanes_geom;

/* Computes the geometry for images like im0 and carves the scratch out of
 * ctx. HK_ERR_UNSUPPORTED: a geometry the kernel does not take (the caller
 * then runs the images one by one). */
hk_status hk_vlf_lanes_setup(hk_hog_ctx *ctx, const hk_hog_params *p, const hk_image *im0,
                             hk_vlf_lanes_geom *g);

/* The kernels (hk_lanes_fn). The AVX2 one is NULL when not built. */
hk_lanes_fn hk_vlf_lanes_avx2(void);
hk_lanes_fn hk_vlf_lanes_generic(void);

/* Images one at a time through hk_vlfeat_run: what a kernel does with a
 * group it cannot take. */
hk_status hk_vlf_lanes_one_by_one(hk_hog_ctx *ctx, const hk_hog_params *p,
                                  const hk_image *const *images, size_t count, float *out,
                                  size_t dim);

/* Whether the lanes kernel takes images like im0 with parameters p (checked
 * already); sets lanes (run, group) when it does. */
int hk_vlf_lanes_pick(const hk_hog_params *p, const hk_image *im0, hk_lanes *lanes);

#endif
