/* Image-per-lane batches of the VLFeat variants: which groups the kernel
 * takes, and the geometry and scratch of one call (the kernels are
 * simd/vlfeat_lanes.inc.h, built once per instruction set; what they keep
 * exact is in hog/vlfeat_lanes.h). */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "common/checked.h"
#include "hog/vlfeat_fast.h"
#include "hog/vlfeat_lanes.h"

/* Cell position of pixel coordinate v, as vlfeat.c's cell_pos (double, then
 * float). */
static inline void cell_pos(size_t v, size_t cs, long *bin, float *w2)
{
    float h = (float)(((double)v + 0.5) / (double)cs - 0.5);
    long b = (long)floorf(h);
    *bin = b;
    *w2 = h - (float)b;
}

/* Offsets of one call's arrays in its scratch, 64-byte aligned. */
typedef struct lanes_layout {
    size_t rows, offs, votes, any, wx1, wx2, wy2, colbase, rowbase, hist, comp, energy, blocks,
        fac, stage, plane, lane, ncell, cstride, fstride, bstride;
    size_t used;
    int ok;
} lanes_layout;

static size_t take(lanes_layout *L, size_t n, size_t size)
{
    size_t bytes, start, end;
    if (!L->ok || !hk_mul_size(n, size, &bytes) || !hk_add_size(L->used, 63, &start)) {
        L->ok = 0;
        return 0;
    }
    start &= ~(size_t)63;
    if (!hk_add_size(start, bytes, &end)) {
        L->ok = 0;
        return 0;
    }
    L->used = end;
    return start;
}

/* n rounded up to a multiple of m (a power of two), plus m - 1 to spare:
 * room for whole vectors running past n. 0 on overflow. */
static size_t round_spare(size_t n, size_t m)
{
    size_t r;
    if (!hk_add_size(n, 2 * m - 2, &r))
        return 0;
    return r & ~(m - 1);
}

/* The vectors of the normalisation run past the ends of rows and arrays by
 * up to 7 floats or 3 doubles (into cells written later, or into the spare
 * ends these sizes leave). */
static lanes_layout layout(size_t W, size_t H, size_t C, size_t hw, size_t hh, int n,
                           size_t planes)
{
    const size_t V = HK_VLF_LANES, nb = 2u * (size_t)n;
    lanes_layout L = {0};
    L.ok = 1;
    size_t row = 0, pcells = 0, lane = 0, comp = 0, energy = 0, blocks = 0, fac = 0, dim = 0;
    /* a histogram plane: cell rows -1 .. hh - 1 of hw + 1 cells, cells -1 ..
     * hw - 1; cell hw of a row is cell -1 of the next, and row hh is row -1
     * of the next plane (padding shared: both ends are never read) */
    size_t hplane = 0;
    L.ok = hk_mul_size(C, W, &row) && hk_mul_size(hw + 2, hh + 2, &pcells) &&
           hk_mul_size(hw + 1, hh + 1, &hplane) && hk_mul_size(hplane, nb, &lane) &&
           hk_add_size(lane, hw + 2 + 16 + 15, &lane) &&
           hk_mul_size(hw, hh, &L.ncell) && (L.cstride = round_spare(L.ncell, 8)) != 0 &&
           (L.fstride = round_spare(L.ncell, 4)) != 0 &&
           (L.bstride = round_spare(hw + 1, 4)) != 0 && hk_mul_size(L.cstride, nb, &comp) &&
           hk_add_size(pcells, 16, &energy) && hk_mul_size(L.bstride, hh + 2, &blocks) &&
           hk_mul_size(L.fstride, 4, &fac) && hk_mul_size(planes, L.ncell, &dim) &&
           hk_add_size(dim, 16, &dim);
    lane &= ~(size_t)15; /* 64-byte aligned, 16 floats to spare: the pair and row reads */
    L.plane = hplane;
    L.lane = lane;
    L.rows = take(&L, row, 3 * V * sizeof(float));
    L.offs = take(&L, W, V * sizeof(int32_t));
    L.votes = take(&L, W + 1, 4 * V * sizeof(float));
    L.any = take(&L, W, 1);
    L.wx1 = take(&L, W, sizeof(float));
    L.wx2 = take(&L, W, sizeof(float));
    L.wy2 = take(&L, H, sizeof(float));
    L.colbase = take(&L, W, sizeof(int32_t));
    L.rowbase = take(&L, H, sizeof(int32_t));
    L.hist = take(&L, lane, V * sizeof(float));
    L.comp = take(&L, comp, sizeof(float));
    L.energy = take(&L, energy, sizeof(float));
    L.blocks = take(&L, blocks, sizeof(double));
    L.fac = take(&L, fac, sizeof(double));
    L.stage = take(&L, dim, sizeof(float));
    return L;
}

/* What the kernel takes, before any work: hard assignment, 8/16-bit
 * samples, few channels and orientations, a small image whose scratch stays
 * small (the offsets into it are int32). */
static int takes(const hk_hog_params *p, const hk_image *im0, size_t hw, size_t hh,
                 lanes_layout *L)
{
    const hk_vlfeat_params *v = &p->vlfeat;
    if (v->bilinear_orientations || v->orientations > HK_VLF_LANES_MAX_N ||
        (im0->type != HK_U8 && im0->type != HK_U16) || im0->channels > HK_VLF_LANES_MAX_C ||
        (uint64_t)im0->width * im0->height > HK_VLF_LANES_MAX_PIXELS)
        return 0;
    const int uoctti = p->variant == HK_VARIANT_VLFEAT_UOCTTI;
    *L = layout(im0->width, im0->height, im0->channels, hw, hh, v->orientations,
                hk_vlfeat_dimension(uoctti, v->orientations));
    return L->ok && L->used + 64 <= HK_VLF_LANES_MAX_SCRATCH;
}

int hk_vlf_lanes_pick(const hk_hog_params *p, const hk_image *im0, hk_lanes *lanes)
{
    const int uoctti = p->variant == HK_VARIANT_VLFEAT_UOCTTI;
    hk_shape shape;
    lanes_layout L;
    if (hk_vlfeat_shape(&p->vlfeat, uoctti, im0->width, im0->height, &shape) != HK_OK ||
        !takes(p, im0, shape.dims[2], shape.dims[1], &L))
        return 0;
    hk_lanes_fn f = NULL;
    if (p->simd == HK_SIMD_AVX2 || p->simd == HK_SIMD_AVX512)
        f = hk_vlf_lanes_avx2();
    if (!f)
        f = hk_vlf_lanes_generic();
    lanes->run = f;
    lanes->group = HK_VLF_LANES;
    return 1;
}

hk_status hk_vlf_lanes_setup(hk_hog_ctx *ctx, const hk_hog_params *p, const hk_image *im0,
                             hk_vlf_lanes_geom *g)
{
    const int uoctti = p->variant == HK_VARIANT_VLFEAT_UOCTTI;
    const int n = p->vlfeat.orientations;
    const size_t cs = (size_t)p->vlfeat.cell_size;
    hk_shape shape;
    hk_status st = hk_vlfeat_shape(&p->vlfeat, uoctti, im0->width, im0->height, &shape);
    if (st != HK_OK)
        return st;
    lanes_layout L;
    const size_t hh = shape.dims[1], hw = shape.dims[2];
    if (!takes(p, im0, hw, hh, &L))
        return HK_ERR_UNSUPPORTED;
    const hk_vlf_tables *t;
    st = hk_vlf_tables_get(ctx, im0->width, im0->height, cs, n, hw, hh, &t);
    if (st != HK_OK)
        return st;
    unsigned char *base = hk_ctx_scratch(ctx, L.used + 64);
    if (!base)
        return HK_ERR_NOMEM;
    base += (64 - (uintptr_t)base % 64) % 64;
    memset(g, 0, sizeof(*g));
    g->W = im0->width;
    g->H = im0->height;
    g->C = im0->channels;
    g->hw = hw;
    g->hh = hh;
    g->n = n;
    g->uoctti = uoctti;
    g->planes = hk_vlfeat_dimension(uoctti, n);
    g->sym = t->sym;
    g->u8 = im0->type == HK_U8;
    g->ux = t->ux;
    g->uy = t->uy;
    g->rows = (float *)(base + L.rows);
    g->offs = (int32_t *)(base + L.offs);
    g->votes = (float *)(base + L.votes);
    g->any = base + L.any;
    g->wx1 = (float *)(base + L.wx1);
    g->wx2 = (float *)(base + L.wx2);
    g->wy2 = (float *)(base + L.wy2);
    g->colbase = (int32_t *)(base + L.colbase);
    g->rowbase = (int32_t *)(base + L.rowbase);
    g->hist = (float *)(base + L.hist);
    g->plane = L.plane;
    g->lane = L.lane;
    g->ncell = L.ncell;
    g->cstride = L.cstride;
    g->fstride = L.fstride;
    g->bstride = L.bstride;
    g->comp = (float *)(base + L.comp);
    g->energy = (float *)(base + L.energy);
    g->blocks = (double *)(base + L.blocks);
    g->fac = (double *)(base + L.fac);
    g->stage = (float *)(base + L.stage);
    /* padded cell (bx + 1, by + 1) of every interior pixel: bx, by in
     * [-1, hw - 1] and [-1, hh - 1] (the grid covers the image, so the
     * reference never writes outside it); anything else is not taken */
    for (size_t x = 0; x < g->W; x++) {
        long bx;
        cell_pos(x, cs, &bx, &g->wx2[x]);
        g->wx1[x] = 1.0f - g->wx2[x];
        if (x >= 1 && x + 1 < g->W && (bx < -1 || bx > (long)hw - 1))
            return HK_ERR_UNSUPPORTED;
        g->colbase[x] = (int32_t)(bx + 1);
    }
    for (size_t y = 0; y < g->H; y++) {
        long by;
        cell_pos(y, cs, &by, &g->wy2[y]);
        if (y >= 1 && y + 1 < g->H && (by < -1 || by > (long)hh - 1))
            return HK_ERR_UNSUPPORTED;
        g->rowbase[y] = (int32_t)((by + 1) * (long)(hw + 1));
    }
    return HK_OK;
}

hk_status hk_vlf_lanes_one_by_one(hk_hog_ctx *ctx, const hk_hog_params *p,
                                  const hk_image *const *images, size_t count, float *out,
                                  size_t dim)
{
    for (size_t k = 0; k < count; k++) {
        hk_status st = hk_vlfeat_run(ctx, p, images[k], out + k * dim);
        if (st != HK_OK)
            return st;
    }
    return HK_OK;
}
