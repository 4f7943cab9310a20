/* `hogkit hog --variant opencv` options, named after cv2.HOGDescriptor's
 * constructor and compute() arguments; sizes are W,H as OpenCV writes them. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "hog_options.h"

static int parse_double(const char *opt, const char *text, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    if (errno || end == text || *end || !isfinite(v)) {
        cli_error("%s: expected a finite number, got '%s'", opt, text);
        return 0;
    }
    *out = v;
    return 1;
}

/* A W,H option into two ints; 0 when not this option, -1 on a bad value. */
static int size_option(int argc, char **argv, int *i, const char *name, long lo, long hi,
                       int *w, int *h)
{
    if (!cli_is_option(argv[*i], name))
        return 0;
    const char *val;
    long pair[2];
    if (!(val = cli_option_value(argc, argv, i, name)) || !cli_parse_pair(name, val, lo, hi, pair))
        return -1;
    *w = (int)pair[0];
    *h = (int)pair[1];
    return 1;
}

static int parse_opencv(int argc, char **argv, int *i, hk_hog_params *params)
{
    hk_opencv_params *o = &params->opencv;
    const char *a = argv[*i], *val;
    long v;
    int r;
    if ((r = size_option(argc, argv, i, "--win-size", 1, 65536, &o->win_width, &o->win_height)) ||
        (r = size_option(argc, argv, i, "--block-size", 1, 4096, &o->block_width,
                         &o->block_height)) ||
        (r = size_option(argc, argv, i, "--block-stride", 1, 65536, &o->block_stride_x,
                         &o->block_stride_y)) ||
        (r = size_option(argc, argv, i, "--cell-size", 1, 4096, &o->cell_width,
                         &o->cell_height)) ||
        (r = size_option(argc, argv, i, "--win-stride", 1, 65536, &o->win_stride_x,
                         &o->win_stride_y)) ||
        (r = size_option(argc, argv, i, "--padding", 0, 65536, &o->pad_x, &o->pad_y)))
        return r;
    if (cli_is_option(a, "--nbins")) {
        if (!(val = cli_option_value(argc, argv, i, "--nbins")) ||
            !cli_parse_int("--nbins", val, 1, 256, &v))
            return -1;
        o->nbins = (int)v;
    } else if (cli_is_option(a, "--win-sigma")) {
        if (!(val = cli_option_value(argc, argv, i, "--win-sigma")) ||
            !parse_double("--win-sigma", val, &o->win_sigma))
            return -1;
    } else if (cli_is_option(a, "--l2hys-threshold")) {
        if (!(val = cli_option_value(argc, argv, i, "--l2hys-threshold")) ||
            !parse_double("--l2hys-threshold", val, &o->l2hys_threshold))
            return -1;
    } else if (strcmp(a, "--signed-gradient") == 0) {
        o->signed_gradient = 1;
    } else if (strcmp(a, "--no-gamma-correction") == 0) {
        o->gamma_correction = 0;
    } else {
        return 0;
    }
    return 1;
}

const hog_option_set hog_opencv_options = {
    HK_VARIANT_OPENCV, "opencv",
    "opencv (cv2.HOGDescriptor().compute, OpenCV 4.6; output a 1-D vector of\n"
    "  nwindows x descriptor size, windows row-major; 8-bit grey or 3-channel input):\n"
    "  --win-size W,H            detection window (default 64,128)\n"
    "  --block-size W,H          block in pixels, a multiple of the cell (default 16,16)\n"
    "  --block-stride W,H        block step in pixels (default 8,8)\n"
    "  --cell-size W,H           cell in pixels (default 8,8)\n"
    "  --nbins N                 orientation bins, 1..256 (default 9)\n"
    "  --win-sigma S             Gaussian window sigma; <= 0: (block W + H) / 8 (default)\n"
    "  --l2hys-threshold T       L2-Hys clipping value (default 0.2)\n"
    "  --signed-gradient         bins over 0..360 degrees instead of 0..180\n"
    "  --no-gamma-correction     no square root of the pixels (cv2.HOGDescriptor() has it\n"
    "                            on; the explicit-argument constructor defaults to off)\n"
    "  --win-stride W,H          window step (default the cell size)\n"
    "  --padding W,H             reflect-101 padding, rounded as OpenCV's alignSize to\n"
    "                            gcd(win stride, block stride) (default 0,0)\n"
    "  Channels are used in file order (RGB for PNG/JPEG; cv2.imread gives BGR).\n"
    "  With --gray, colour becomes 8-bit grey as cv2.cvtColor(COLOR_RGB2GRAY) does.\n",
    parse_opencv};

static const char *type_name(hk_sample_type t)
{
    switch (t) {
    case HK_U8: return "8-bit";
    case HK_U16: return "16-bit";
    case HK_F32: return "float32";
    case HK_F64: return "float64";
    }
    return "unknown";
}

int hog_opencv_gray(const char *in, const hk_image *img, void **buf, hk_image *gray)
{
    size_t bytes = (size_t)img->width * img->height;
    hk_status st = HK_OK;
    if (!(*buf = malloc(bytes ? bytes : 1)))
        st = HK_ERR_NOMEM;
    if (st == HK_OK)
        st = hk_image_rgb2gray_u8(img, *buf, bytes, gray);
    if (st == HK_ERR_UNSUPPORTED) {
        cli_error("%s: --gray with the opencv variant takes 8-bit images with 1, 3 or 4 "
                  "channels (as cv2.cvtColor); this one is %s with %u channels",
                  in, type_name(img->type), img->channels);
        return 0;
    }
    if (st != HK_OK) {
        cli_error("%s: cannot convert to grey: %s", in, hk_strerror(st));
        return 0;
    }
    return 1;
}

int hog_opencv_image_ok(const char *in, const hk_image *img, const hk_hog_params *p)
{
    if (img->type == HK_U8 && (img->channels == 1 || img->channels == 3)) {
        hk_shape s;
        if (hk_hog_shape(p, img->width, img->height, img->channels, &s) != HK_ERR_TOO_SMALL)
            return 1;
        const hk_opencv_params *o = &p->opencv;
        cli_error("%s: %ux%u image is too small: with padding %d,%d it is smaller than the "
                  "%dx%d window (OpenCV would read outside the image or fail); add --padding "
                  "or use a smaller --win-size",
                  in, img->width, img->height, o->pad_x, o->pad_y, o->win_width, o->win_height);
        return 0;
    }
    cli_error("%s: the opencv variant takes 8-bit images with 1 or 3 channels, like "
              "cv2.HOGDescriptor (CV_8UC1/CV_8UC3); this one is %s with %u channel%s%s",
              in, type_name(img->type), img->channels, img->channels == 1 ? "" : "s",
              img->type == HK_U8 && img->channels == 4 ? " (try --gray)" : "");
    return 0;
}

void hog_opencv_explain(const hk_opencv_params *o)
{
    const char *why = NULL;
    if (o->block_width % o->cell_width || o->block_height % o->cell_height)
        why = "--block-size must be a multiple of --cell-size";
    else if (o->block_width > o->win_width || o->block_height > o->win_height)
        why = "--block-size must fit in --win-size";
    else if ((o->win_width - o->block_width) % o->block_stride_x ||
             (o->win_height - o->block_height) % o->block_stride_y)
        why = "--win-size minus --block-size must be a multiple of --block-stride";
    else if ((long)o->nbins * (o->block_width / o->cell_width) *
                 (o->block_height / o->cell_height) < 4)
        why = "a block histogram needs at least 4 values (--nbins x cells per block)";
    else if ((long)o->nbins * (o->block_width / o->cell_width) *
                 (o->block_height / o->cell_height) > (1L << 24))
        why = "a block histogram may have at most 2^24 values (--nbins x cells per block)";
    if (why)
        cli_error("hog: opencv variant: %s", why);
}
