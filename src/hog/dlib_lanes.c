/* Driver of the dlib variant's image-per-lane batch kernel (dlib_lanes.h):
 * which batches take it, the tables of their geometry (those of the scalar
 * specification, dlib.c) and the scratch of one group. */
#include <string.h>

#include "common/checked.h"
#include "hog/dlib_fast.h"
#include "hog/dlib_lanes.h"

/* Images up to this many pixels and this side (and output up to this many
 * values) take the lanes kernel: past them the per-image fast path has
 * little bookkeeping to save, and a group's scratch (18 bins x 8 lanes per
 * cell) leaves the cache (on a Zen 3: 1.7x at 28x28, 2.2x at 16x16, 1.1-1.2x
 * at 64x64, 0.96x at 96x96, 0.86x at 128x128). */
#define LANES_MAX_PIXELS 4096u
#define LANES_MAX_SIDE 128u
#define LANES_MAX_DIM 32768u

/* 32-byte aligned pieces of one block (offsets; `ok` 0 on overflow). */
typedef struct carve32 {
    size_t used;
    int ok;
} carve32;

static size_t take(carve32 *c, size_t n, size_t size)
{
    size_t bytes, start, end;
    if (!c->ok || !hk_mul_size(n, size, &bytes) || !hk_add_size(c->used, 31, &start)) {
        c->ok = 0;
        return 0;
    }
    start &= ~(size_t)31;
    if (!hk_add_size(start, bytes, &end)) {
        c->ok = 0;
        return 0;
    }
    c->used = end;
    return start;
}

static size_t round8(size_t n)
{
    return (n + 7u) & ~(size_t)7u;
}

/* Geometry of images like im under p (checked: cell_size >= 2, a non-empty
 * output within the limits); 0 when the lanes kernel does not take them. */
static int plan_geometry(const hk_dlib_params *p, const hk_image *im, hk_dlib_lanes_plan *pl)
{
    if (p->cell_size < 2 || im->type != HK_U8 || im->channels < 1 || im->channels > 2 ||
        im->width > LANES_MAX_SIDE || im->height > LANES_MAX_SIDE ||
        im->width * im->height > LANES_MAX_PIXELS)
        return 0;
    hk_shape shape;
    if (hk_dlib_shape(p, im->width, im->height, im->channels, &shape) != HK_OK ||
        shape.count == 0 || shape.count > LANES_MAX_DIM)
        return 0;
    memset(pl, 0, sizeof(*pl));
    pl->cs = p->cell_size;
    pl->width = im->width;
    pl->height = im->height;
    pl->channels = im->channels;
    hk_dlib_cells(p->cell_size, im->height, im->width, &pl->cells_nr, &pl->cells_nc);
    pl->hog_nr = (size_t)pl->cells_nr - 2u;
    pl->hog_nc = (size_t)pl->cells_nc - 2u;
    const long cs = p->cell_size;
    const long vnr = pl->cells_nr * cs < (long)im->height ? pl->cells_nr * cs : (long)im->height;
    const long vnc = pl->cells_nc * cs < (long)im->width ? pl->cells_nc * cs : (long)im->width;
    pl->visible_nr = vnr - 1;
    pl->visible_nc = vnc - 1;
    pl->out_cols = shape.dims[2];
    pl->plane = shape.dims[1] * shape.dims[2];
    pl->off_r = (size_t)(p->filter_rows_padding - 1) / 2;
    pl->off_c = (size_t)(p->filter_cols_padding - 1) / 2;
    pl->dim = shape.count;
    pl->padded = shape.dims[1] != pl->hog_nr || shape.dims[2] != pl->hog_nc;
    pl->hs = (size_t)pl->cells_nc + 2u;
    pl->tw = round8(im->width);
    pl->split = hk_dlib_simd_end(pl->visible_nc);
    return 1;
}

/* Carves the tables and scratch out of ctx's scratch and fills the tables;
 * 0 when out of memory. */
static hk_status plan_scratch(hk_hog_ctx *ctx, hk_dlib_lanes_plan *pl)
{
    const size_t L = HK_DLIB_LANES, ncol = (size_t)pl->visible_nc + 1u;
    const size_t nrow = (size_t)pl->visible_nr + 1u;
    const size_t ncells = (size_t)pl->cells_nr * (size_t)pl->cells_nc;
    carve32 c = {0, 1};
    const size_t o_ix = take(&c, ncol, sizeof(int32_t));
    const size_t o_xoff = take(&c, ncol * L, sizeof(int32_t));
    const size_t o_vx0 = take(&c, ncol, sizeof(float));
    const size_t o_vx1 = take(&c, ncol, sizeof(float));
    const size_t o_iyp = take(&c, nrow, sizeof(int32_t));
    const size_t o_vy0 = take(&c, nrow, sizeof(float));
    const size_t o_trow = take(&c, 3u * pl->tw * L, sizeof(float));
    const size_t o_vote = take(&c, pl->hs * 2u * 18u * L, sizeof(float));
    const size_t o_hist = take(&c, 3u * (size_t)pl->cells_nc * 18u * L, sizeof(float));
    const size_t o_norm = take(&c, ncells * L, sizeof(float));
    const size_t o_blk = take(&c, 2u * ((size_t)pl->cells_nc - 1u) * 2u * L, sizeof(float));
    const size_t nvotes = (ncol + 1u) * L; /* whole vectors stored past the last vote */
    const size_t o_voff = take(&c, nvotes, sizeof(int32_t));
    const size_t o_vw = take(&c, nvotes, 4u * sizeof(float));
    const size_t o_feat = take(&c, pl->dim * L, sizeof(float));
    size_t bytes;
    if (!c.ok || !hk_add_size(c.used, 32u, &bytes))
        return HK_ERR_OVERFLOW;
    unsigned char *base = hk_ctx_scratch(ctx, bytes);
    if (!base)
        return HK_ERR_NOMEM;
    base = (unsigned char *)(((uintptr_t)base + 31u) & ~(uintptr_t)31u);
    int32_t *ix = (int32_t *)(base + o_ix), *iyp = (int32_t *)(base + o_iyp);
    int32_t *xoff = (int32_t *)(base + o_xoff);
    float *vx0 = (float *)(base + o_vx0), *vx1 = (float *)(base + o_vx1);
    float *vy0 = (float *)(base + o_vy0);
    /* the specification's cell positions: dlib's 8-wide loop up to split,
     * its scalar tail after */
    for (long x = 1; x < pl->visible_nc; x++) {
        long cx;
        hk_dlib_column(pl->cs, x, (size_t)x < pl->split, &cx, &vx0[x]);
        ix[x] = (int32_t)cx;
        vx1[x] = 1.0f - vx0[x];
        for (size_t k = 0; k < L; k++)
            xoff[(size_t)x * L + k] = (int32_t)(cx * 18 * (long)L * 2 + 2 * (long)k);
    }
    for (long y = 1; y < pl->visible_nr; y++) {
        long r;
        hk_dlib_row_pos(pl->cs, y, &r, &vy0[y]);
        iyp[y] = (int32_t)r;
    }
    pl->ix = ix;
    pl->xoff = xoff;
    pl->vx0 = vx0;
    pl->vx1 = vx1;
    pl->iyp = iyp;
    pl->vy0 = vy0;
    pl->trow = (float *)(base + o_trow);
    pl->vote = (float *)(base + o_vote);
    pl->hist = (float *)(base + o_hist);
    pl->norm = (float *)(base + o_norm);
    pl->blk = (float *)(base + o_blk);
    pl->voff = (int32_t *)(base + o_voff);
    pl->vw = (float *)(base + o_vw);
    pl->feat = (float *)(base + o_feat);
    /* the output's zero borders: never written by the cores */
    if (pl->padded)
        memset(pl->feat, 0, pl->dim * L * sizeof(float));
    return HK_OK;
}

static hk_status run(hk_hog_ctx *ctx, const hk_hog_params *p, const hk_image *const *images,
                     size_t n, float *out, size_t dim, hk_dlib_lanes_core core)
{
    if (!core || !ctx || !images || n < 1 || n > HK_DLIB_LANES)
        return HK_ERR_INVALID_ARG;
    hk_dlib_lanes_plan pl;
    if (!plan_geometry(&p->dlib, images[0], &pl) || pl.dim != dim)
        return HK_ERR_INVALID_ARG;
    const uint8_t *rows[HK_DLIB_LANES];
    size_t strides[HK_DLIB_LANES];
    for (size_t k = 0; k < HK_DLIB_LANES; k++) {
        const hk_image *im = images[k < n ? k : 0];
        if (im->width != pl.width || im->height != pl.height || im->channels != pl.channels ||
            im->type != HK_U8 || !im->data)
            return HK_ERR_INVALID_ARG;
        rows[k] = im->data;
        strides[k] = im->stride;
    }
    hk_status st = plan_scratch(ctx, &pl);
    if (st != HK_OK)
        return st;
    core(&pl, rows, strides, n, out);
    return HK_OK;
}

hk_status hk_dlib_lanes_run_avx2(hk_hog_ctx *ctx, const hk_hog_params *p,
                                 const hk_image *const *images, size_t n, float *out,
                                 size_t dim)
{
    return run(ctx, p, images, n, out, dim, hk_dlib_lanes_core_avx2());
}

hk_status hk_dlib_lanes_run_generic(hk_hog_ctx *ctx, const hk_hog_params *p,
                                    const hk_image *const *images, size_t n, float *out,
                                    size_t dim)
{
    return run(ctx, p, images, n, out, dim, hk_dlib_lanes_core_generic());
}

void hk_dlib_lanes_pick(const hk_hog_params *p, const hk_image *im0, hk_lanes *lanes)
{
    hk_dlib_lanes_plan pl;
    if (!plan_geometry(&p->dlib, im0, &pl))
        return;
    if ((p->simd == HK_SIMD_AVX2 || p->simd == HK_SIMD_AVX512) && hk_dlib_lanes_core_avx2())
        lanes->run = hk_dlib_lanes_run_avx2;
    else if (p->simd == HK_SIMD_AUTO) /* resolved: the portable fast path */
        lanes->run = hk_dlib_lanes_run_generic;
    else
        return;
    lanes->group = HK_DLIB_LANES;
}
