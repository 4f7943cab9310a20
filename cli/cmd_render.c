/* `hogkit render`: the HOG picture of an image as an 8-bit PNG. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "hog_options.h"
#include "render_picture.h"

static void print_usage(void)
{
    fputs("usage: hogkit render INPUT -o OUT.png [--variant NAME] [options]\n"
          "\n"
          "Draws the HOG of INPUT (PNG, JPEG, PGM/PPM, .npy) as a picture:\n"
          "  skimage         skimage.feature.hog(..., visualize=True)[1]: a line per cell\n"
          "                  and bin, perpendicular to the bin's direction, as bright as\n"
          "                  the cell's un-normalised value (same size as INPUT);\n"
          "  vlfeat-uoctti,  vl_hog_render glyphs: a 21x21 picture per cell of the bars\n"
          "  vlfeat-dt, dlib of every orientation, weighted by the summed feature groups.\n"
          "The PNG is 8-bit grey scaled by the picture's maximum:\n"
          "v8 = round(255 * min(1, gain * v / max)).\n"
          "\n"
          "options:\n"
          "  -o, --output OUT.png      output picture (required)\n"
          "  --variant NAME            skimage (default), vlfeat-uoctti, vlfeat-dt or dlib\n"
          "  --over                    blend over the photo (RGB PNG): P = photo grey (0..255),\n"
          "                            a = v8/255, R = G = (1-a)*0.6*P + a*255, B = (1-a)*0.6*P\n"
          "  --gain G                  brighten: multiply v/max by G before clipping (default 1)\n"
          "  --raw OUT.npy             also write the float picture (float64, before scaling)\n"
          "  --gray                    convert colour to grey first (skimage rgb2gray weights)\n"
          "  --max-pixels N            refuse images with more pixels (default 268435456)\n"
          "  -h, --help                show this help\n"
          "Variant options are those of `hogkit hog` (see hogkit hog --help).\n"
          "\n"
          "Exit status: 0 success, 1 data error, 2 usage error. A failed output is never\n"
          "left behind.\n",
          stdout);
}

typedef struct render_opts {
    hk_hog_params params;
    hk_limits limits;
    const char *input, *output, *raw;
    int over, gray;
    double gain;
} render_opts;

static int render_variant_ok(hk_variant v)
{
    return v == HK_VARIANT_SKIMAGE || v == HK_VARIANT_VLFEAT_UOCTTI ||
           v == HK_VARIANT_VLFEAT_DT || v == HK_VARIANT_DLIB;
}

static int parse_render_args(int argc, char **argv, render_opts *o)
{
    const char *name = "skimage", *val;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            print_usage();
            exit(HK_EXIT_OK);
        }
        if (cli_is_option(argv[i], "--variant") &&
            !(name = cli_option_value(argc, argv, &i, "--variant")))
            return 0;
    }
    const hog_option_set *set = hog_option_set_find(name);
    if (!set || !render_variant_ok(set->variant)) {
        cli_error("render: --variant %s: expected skimage, vlfeat-uoctti, vlfeat-dt or dlib%s",
                  name, set ? "" : " (a variant this build has)");
        return 0;
    }
    hk_hog_params_default(&o->params, set->variant);
    hk_limits_default(&o->limits);
    o->gain = 1;
    unsigned long long u;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-o") == 0 || cli_is_option(a, "--output")) {
            if (!(val = cli_option_value(argc, argv, &i, a[1] == 'o' ? "-o" : "--output")))
                return 0;
            o->output = val;
        } else if (cli_is_option(a, "--raw")) {
            if (!(o->raw = cli_option_value(argc, argv, &i, "--raw")))
                return 0;
        } else if (cli_is_option(a, "--variant")) {
            i += strchr(a, '=') ? 0 : 1; /* read above */
        } else if (cli_is_option(a, "--gain")) {
            char *end;
            if (!(val = cli_option_value(argc, argv, &i, "--gain")))
                return 0;
            errno = 0;
            o->gain = strtod(val, &end);
            if (errno || end == val || *end || !(o->gain > 0) || o->gain > 1e6) {
                cli_error("--gain: expected a number in (0, 1e6], got '%s'", val);
                return 0;
            }
        } else if (cli_is_option(a, "--max-pixels")) {
            if (!(val = cli_option_value(argc, argv, &i, "--max-pixels")) ||
                !cli_parse_u64("--max-pixels", val, &u))
                return 0;
            o->limits.max_pixels = u;
        } else if (strcmp(a, "--over") == 0) {
            o->over = 1;
        } else if (strcmp(a, "--gray") == 0) {
            o->gray = 1;
        } else if (a[0] == '-' && a[1] != 0) {
            int r = set->parse(argc, argv, &i, &o->params);
            if (r < 0)
                return 0;
            if (r == 0) {
                cli_error("render: unknown option '%s' for variant %s (see hogkit render --help)",
                          a, set->name);
                return 0;
            }
        } else if (o->input) {
            cli_error("render: one INPUT at a time (got %s and %s)", o->input, a);
            return 0;
        } else {
            o->input = a;
        }
    }
    if (!o->input || !o->output) {
        cli_error("render: %s (see hogkit render --help)",
                  o->input ? "missing -o OUT.png" : "no input file");
        return 0;
    }
    return 1;
}

/* The float picture of `im` (allocated, *w x *h) and how it maps to the photo. */
static hk_status draw(const render_opts *o, const hk_image *im, double **pic, uint32_t *w,
                      uint32_t *h, picture_map *map)
{
    hk_status st;
    *pic = NULL;
    *map = (picture_map){1, 1, 1, 0, 0};
    if (o->params.variant == HK_VARIANT_SKIMAGE) {
        size_t n = (size_t)im->width * im->height;
        if (!(*pic = malloc(n * sizeof(double))))
            return HK_ERR_NOMEM;
        *w = im->width;
        *h = im->height;
        return hk_skimage_render(&o->params, im, *pic, n);
    }
    /* Glyph variants: features (D, hog_h, hog_w), then 21x21 glyphs per cell. */
    hk_shape s;
    st = hk_hog_shape(&o->params, im->width, im->height, im->channels, &s);
    if (st != HK_OK)
        return st;
    if (s.ndim != 3 || s.count == 0)
        return s.ndim == 3 ? HK_ERR_TOO_SMALL : HK_ERR_UNSUPPORTED;
    int n = o->params.variant == HK_VARIANT_DLIB ? 9 : o->params.vlfeat.orientations;
    size_t hh = s.dims[1], hw = s.dims[2];
    /* The picture is 441 pixels per cell: it obeys --max-pixels too. */
    if (hh > UINT32_MAX / HK_GLYPH_SIZE || hw > UINT32_MAX / HK_GLYPH_SIZE ||
        (double)hh * hw * HK_GLYPH_SIZE * HK_GLYPH_SIZE > (double)o->limits.max_pixels)
        return HK_ERR_LIMIT;
    size_t count = hh * HK_GLYPH_SIZE * hw * HK_GLYPH_SIZE;
    float *feat = malloc(s.count * sizeof(float));
    float *glyphs = malloc(count * sizeof(float));
    *pic = malloc(count * sizeof(double));
    st = feat && glyphs && *pic ? HK_OK : HK_ERR_NOMEM;
    if (st == HK_OK)
        st = hk_hog_extract(NULL, &o->params, im, feat, s.count);
    if (st == HK_OK)
        st = hk_hog_glyph_render(o->params.variant, feat, s.dims[0], hh, hw, n, glyphs, count);
    if (st == HK_OK)
        for (size_t i = 0; i < count; i++)
            (*pic)[i] = glyphs[i];
    *w = (uint32_t)(hw * HK_GLYPH_SIZE);
    *h = (uint32_t)(hh * HK_GLYPH_SIZE);
    map->glyph = HK_GLYPH_SIZE;
    if (o->params.variant == HK_VARIANT_DLIB) {
        /* dlib's output cell (0, 0) is histogram cell (1, 1), shifted by the
         * zero border of (padding - 1) / 2 cells. */
        map->cell_x = map->cell_y = o->params.dlib.cell_size;
        map->offset_x = 1 - (o->params.dlib.filter_cols_padding - 1) / 2;
        map->offset_y = 1 - (o->params.dlib.filter_rows_padding - 1) / 2;
    } else {
        map->cell_x = map->cell_y = o->params.vlfeat.cell_size;
    }
    free(feat);
    free(glyphs);
    return st;
}

int cmd_render(int argc, char **argv)
{
    render_opts o;
    memset(&o, 0, sizeof o);
    if (!parse_render_args(argc, argv, &o))
        return HK_EXIT_USAGE;
    hk_status st = hk_hog_params_check(&o.params);
    if (st != HK_OK) {
        cli_error("render: invalid parameters: %s", hk_strerror(st));
        return HK_EXIT_USAGE;
    }
    hk_image img, gray_img;
    void *gray_buf = NULL;
    double *pic = NULL;
    uint8_t *pix8 = NULL, *rgb = NULL;
    int rc = HK_EXIT_DATA;
    st = hk_image_load(o.input, &o.limits, &img);
    if (st != HK_OK) {
        cli_error("%s: cannot read image: %s", o.input, hk_strerror(st));
        return HK_EXIT_DATA;
    }
    const hk_image *src = &img;
    if (o.gray) {
        if (!cli_to_gray(o.input, &img, &gray_buf, &gray_img))
            goto done;
        src = &gray_img;
    }
    uint32_t w = 0, h = 0;
    picture_map map;
    st = draw(&o, src, &pic, &w, &h, &map);
    if (st != HK_OK) {
        cli_error("%s: %ux%u image: cannot render: %s", o.input, src->width, src->height,
                  hk_strerror(st));
        goto done;
    }
    size_t n = (size_t)w * h;
    if (o.raw) {
        size_t shape[2] = {h, w};
        st = hk_npy_write_f64(o.raw, pic, shape, 2);
        if (st != HK_OK) {
            cli_error("%s: cannot write %s: %s", o.input, o.raw, hk_strerror(st));
            goto done;
        }
    }
    if (!(pix8 = malloc(n)) || (o.over && !(rgb = malloc(n * 3)))) {
        cli_error("%s", hk_strerror(HK_ERR_NOMEM));
        goto done;
    }
    picture_to_gray(pic, n, o.gain, pix8);
    if (o.over && (st = picture_over(pix8, w, h, &img, &map, rgb)) != HK_OK) {
        cli_error("%s: cannot blend: %s", o.input, hk_strerror(st));
        goto done;
    }
    st = o.over ? hk_png_write_u8(o.output, rgb, w, h, 3, (size_t)w * 3)
                : hk_png_write_u8(o.output, pix8, w, h, 1, w);
    if (st != HK_OK) {
        cli_error("%s: cannot write %s: %s", o.input, o.output, hk_strerror(st));
        goto done;
    }
    rc = HK_EXIT_OK;
done:
    free(rgb);
    free(pix8);
    free(pic);
    free(gray_buf);
    hk_image_free(&img);
    return rc;
}
