/* JPEG reader on libjpeg(-turbo). Gives 8-bit grey or RGB; CMYK/YCCK and
 * other colour spaces are HK_ERR_UNSUPPORTED. Damaged or missing entropy-coded
 * data is an error (HK_ERR_TRUNCATED / HK_ERR_FORMAT) found at the first bad
 * block, never a half-grey image.
 *
 * libjpeg reports fatal errors through error_exit, which by default prints
 * and calls exit(); we replace it with a longjmp back into hk__jpeg_read and
 * silence every message. Its memory source also papers over a truncated
 * file by inventing an EOI marker with only a warning, so we watch for that
 * warning and report HK_ERR_TRUNCATED instead of a half-grey image. */
#include <setjmp.h>
#include <stdio.h> /* jpeglib.h needs FILE and size_t first */
#include <string.h>

#include <jerror.h>
#include <jpeglib.h>

#include "image/decoders.h"

/* Progressive files may hold any number of scans, each a full pass over the
 * coefficients: a tiny file can cost minutes. Real encoders use ~10. */
#define HK_JPEG_MAX_SCANS 1000
/* ...and a scan costs in proportion to the image: a few hundred bytes of
 * end-of-band runs make a scan over 16000x16000 pixels. Bound the product
 * too (2^34 pixel-scans: 64 scans at the default pixel limit, the full 1000
 * for anything up to 17 megapixels), so no file costs more than seconds. */
#define HK_JPEG_MAX_SCAN_PIXELS ((uint64_t)1 << 34)

typedef struct hk_jpeg_err {
    struct jpeg_error_mgr pub; /* first, so the libjpeg pointer casts back */
    jmp_buf jump;
    int hit_eof;               /* the source ran dry: the file is truncated */
    int too_many_scans;
    int corrupt;               /* entropy-coded data is damaged */
} hk_jpeg_err;

static void on_error(j_common_ptr cinfo)
{
    hk_jpeg_err *e = (hk_jpeg_err *)cinfo->err;
    longjmp(e->jump, 1);
}

static void on_message(j_common_ptr cinfo, int level)
{
    hk_jpeg_err *e = (hk_jpeg_err *)cinfo->err;
    if (level >= 0)
        return; /* trace messages */
    /* libjpeg only warns when the entropy-coded data runs out or is corrupt,
     * then fills the rest of the image with grey and carries on. Carrying on
     * is a decompression bomb: a 300-byte file whose header claims
     * 16000x16000 costs half a minute of decoding. Any such warning means the
     * pixels are not the file's, so stop at once (longjmp out, as error_exit
     * does); other warnings (extraneous bytes between markers, odd metadata)
     * leave the pixels intact and are ignored. */
    switch (e->pub.msg_code) {
    case JWRN_JPEG_EOF:     /* the memory source ran dry */
    case JWRN_HIT_MARKER:   /* a marker where entropy data should be */
        e->hit_eof = 1;
        longjmp(e->jump, 1);
    case JWRN_HUFF_BAD_CODE:
    case JWRN_MUST_RESYNC:
    case JWRN_NOT_SEQUENTIAL:
    case JWRN_BOGUS_PROGRESSION:
        e->corrupt = 1;
        longjmp(e->jump, 1);
    default:
        break;
    }
}

static void on_output(j_common_ptr cinfo)
{
    (void)cinfo; /* a library does not print */
}

static void on_progress(j_common_ptr cinfo)
{
    j_decompress_ptr d = (j_decompress_ptr)cinfo;
    hk_jpeg_err *e = (hk_jpeg_err *)cinfo->err;
    if (cinfo->is_decompressor &&
        (d->input_scan_number > HK_JPEG_MAX_SCANS ||
         (uint64_t)d->image_width * d->image_height * (uint64_t)d->input_scan_number >
             HK_JPEG_MAX_SCAN_PIXELS)) {
        e->too_many_scans = 1;
        longjmp(e->jump, 1);
    }
}

static hk_status map_error(const hk_jpeg_err *e)
{
    if (e->hit_eof)
        return HK_ERR_TRUNCATED;
    if (e->too_many_scans)
        return HK_ERR_LIMIT;
    if (e->corrupt)
        return HK_ERR_FORMAT;
    switch (e->pub.msg_code) {
    case JERR_OUT_OF_MEMORY: return HK_ERR_NOMEM;
    case JERR_IMAGE_TOO_BIG:     /* a side over libjpeg's 65500: over any pixel limit */
        return HK_ERR_LIMIT;
    case JERR_BAD_PRECISION:     /* 12/16-bit samples */
    case JERR_SOF_UNSUPPORTED:   /* lossless and other rare processes */
    case JERR_CONVERSION_NOTIMPL: return HK_ERR_UNSUPPORTED;
    default: return HK_ERR_FORMAT;
    }
}

/* Everything touched after setjmp and read after longjmp lives in this
 * struct (reached through a pointer), so no local needs to be volatile. */
typedef struct hk_jpeg_job {
    struct jpeg_decompress_struct cinfo;
    hk_jpeg_err err;
    struct jpeg_progress_mgr progress;
} hk_jpeg_job;

static hk_status run(hk_jpeg_job *job, const uint8_t *data, size_t size,
                     const hk_limits *limits, hk_image_info *info,
                     void *buffer, size_t capacity)
{
    struct jpeg_decompress_struct *c = &job->cinfo;
    uint32_t channels;
    hk_status st;

    if (setjmp(job->err.jump))
        return map_error(&job->err);

    jpeg_mem_src(c, data, (unsigned long)size);
    jpeg_read_header(c, TRUE);
    switch (c->jpeg_color_space) {
    case JCS_GRAYSCALE:
        c->out_color_space = JCS_GRAYSCALE;
        channels = 1;
        break;
    case JCS_YCbCr:
    case JCS_RGB:
        c->out_color_space = JCS_RGB;
        channels = 3;
        break;
    default: /* CMYK, YCCK, unknown component layouts */
        return HK_ERR_UNSUPPORTED;
    }
    st = hk__image_info_set(info, HK_FORMAT_JPEG, c->image_width,
                            c->image_height, channels, HK_U8, limits);
    if (st != HK_OK || !buffer)
        return st;
    st = hk__image_capacity(info, capacity);
    if (st != HK_OK)
        return st;

    /* Only now may libjpeg allocate image-sized state. */
    jpeg_start_decompress(c);
    if (c->output_width != info->width || c->output_height != info->height ||
        (uint32_t)c->output_components != channels)
        return HK_ERR_FORMAT;
    {
        size_t row = (size_t)info->width * channels;
        while (c->output_scanline < c->output_height) {
            JSAMPROW line = (JSAMPROW)buffer + (size_t)c->output_scanline * row;
            if (jpeg_read_scanlines(c, &line, 1) != 1)
                return HK_ERR_TRUNCATED; /* cannot happen with a memory source */
        }
    }
    jpeg_finish_decompress(c);
    /* The memory source warns (not fails) when it invents the EOI. */
    return job->err.hit_eof ? HK_ERR_TRUNCATED : HK_OK;
}

hk_status hk__jpeg_read(const uint8_t *data, size_t size,
                        const hk_limits *limits, hk_image_info *info,
                        void *buffer, size_t capacity)
{
    hk_jpeg_job job;
    hk_status st;

    if ((uint64_t)size > (uint64_t)(unsigned long)-1)
        return HK_ERR_LIMIT;
    memset(&job, 0, sizeof job);
    job.cinfo.err = jpeg_std_error(&job.err.pub);
    job.err.pub.error_exit = on_error;
    job.err.pub.emit_message = on_message;
    job.err.pub.output_message = on_output;
    /* jpeg_create_decompress itself may fail (out of memory) via error_exit. */
    if (setjmp(job.err.jump))
        return map_error(&job.err);
    jpeg_create_decompress(&job.cinfo);
    job.progress.progress_monitor = on_progress;
    job.cinfo.progress = &job.progress;

    st = run(&job, data, size, limits, info, buffer, capacity);
    jpeg_destroy_decompress(&job.cinfo);
    return st;
}
