/*
 * hogkit.h: the one public header of hogkit, a library of Histograms of
 * Oriented Gradients that reproduces the established implementations
 * (scikit-image, OpenCV, VLFeat, dlib, MaskFeat) exactly on request.
 *
 * Conventions, stated once:
 *  - Images are row-major, top-left pixel first, channels interleaved
 *    (pixel (x, y), channel c lives at data + y*stride + (x*channels + c)*sample_size).
 *    y is the row (down), x the column (right).
 *  - Angles follow the references: theta = atan2(dy, dx) with dy pointing down,
 *    so angles run clockwise on screen and 0 means "gradient points right".
 *  - Memory: the caller owns every buffer. Ask for a size (hk_hog_shape,
 *    hk_image_decode_info), allocate, then call the function that fills it.
 *    The only allocation hogkit hands back is hk_image_load's pixel buffer,
 *    released with hk_image_free.
 *  - Errors: every call returns an hk_status; hk_strerror names it.
 *  - No global mutable state; a context may be used by one thread at a time,
 *    different contexts by different threads.
 */
#ifndef HOGKIT_H
#define HOGKIT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define HK_VERSION_MAJOR 0
#define HK_VERSION_MINOR 1
#define HK_VERSION_PATCH 0
#define HK_VERSION_STRING "0.1.0"

#if defined(HK_BUILDING_LIBRARY) && defined(__GNUC__)
#define HK_API __attribute__((visibility("default")))
#else
#define HK_API
#endif

/* Version of the library actually linked (may differ from the header's). */
HK_API const char *hk_version_string(void);

/* ------------------------------------------------------------------ */
/* Errors                                                              */
/* ------------------------------------------------------------------ */

/* Values are pinned: they never change between versions. */
typedef enum hk_status {
    HK_OK = 0,
    HK_ERR_INVALID_ARG = 1,     /* a parameter is out of its documented range */
    HK_ERR_NOMEM = 2,           /* an allocation failed */
    HK_ERR_OVERFLOW = 3,        /* a size computation would overflow */
    HK_ERR_BUFFER_TOO_SMALL = 4,/* the caller's output buffer is too small */
    HK_ERR_LIMIT = 5,           /* input exceeds a caller-settable limit */
    HK_ERR_IO = 6,              /* reading or writing a file failed */
    HK_ERR_FORMAT = 7,          /* the data is not in the expected format */
    HK_ERR_TRUNCATED = 8,       /* the data ends before it should */
    HK_ERR_UNSUPPORTED = 9,     /* valid data, but a kind hogkit does not handle */
    HK_ERR_TOO_SMALL = 10,      /* the image is too small for the requested geometry */
    HK_ERR_NONFINITE = 11,      /* NaN or infinity in the input */
    HK_ERR_DOMAIN = 12          /* a value outside the operation's domain (e.g. sqrt of a negative) */
} hk_status;

/* A static English description of a status; never NULL. */
HK_API const char *hk_strerror(hk_status status);

/* ------------------------------------------------------------------ */
/* Images                                                              */
/* ------------------------------------------------------------------ */

typedef enum hk_sample_type {
    HK_U8 = 1,
    HK_U16 = 2,
    HK_F32 = 3,
    HK_F64 = 4
} hk_sample_type;

/* A view of pixels the caller owns. stride is in bytes between rows and is at
 * least width * channels * sample size. */
typedef struct hk_image {
    uint32_t width;
    uint32_t height;
    uint32_t channels;       /* 1..HK_MAX_CHANNELS */
    hk_sample_type type;
    size_t stride;
    const void *data;
} hk_image;

#define HK_MAX_CHANNELS 1024u

/* Bytes per sample of a type, 0 for an unknown type. */
HK_API size_t hk_sample_size(hk_sample_type type);

/* Checks that an image view is self-consistent (sizes, stride, type, data).
 * Returns HK_ERR_INVALID_ARG naming no pixel; does not read the pixels. */
HK_API hk_status hk_image_check(const hk_image *image);

/* Limits applied by every reader before it allocates anything. */
typedef struct hk_limits {
    uint64_t max_pixels;     /* width * height; default 2^28 */
    uint32_t max_channels;   /* default 64 */
    uint64_t max_file_bytes; /* default 2^32 (4 GiB) */
    uint32_t max_npy_header; /* bytes of a .npy header; default 65536 */
} hk_limits;

HK_API void hk_limits_default(hk_limits *limits);

typedef enum hk_format {
    HK_FORMAT_UNKNOWN = 0,
    HK_FORMAT_PNG = 1,
    HK_FORMAT_JPEG = 2,
    HK_FORMAT_PNM = 3,       /* P2, P3, P5, P6 */
    HK_FORMAT_NPY = 4
} hk_format;

/* Recognises a format from the first bytes (magic numbers, not names). */
HK_API hk_format hk_format_detect(const void *bytes, size_t size);

/* What a decode will produce. bytes = height * width * channels * sample size,
 * tightly packed. */
typedef struct hk_image_info {
    hk_format format;
    uint32_t width;
    uint32_t height;
    uint32_t channels;
    hk_sample_type type;
    size_t bytes;
} hk_image_info;

/* Reads only the header of an encoded image in memory, applying the limits
 * (NULL: defaults). Treats every byte as hostile. */
HK_API hk_status hk_image_decode_info(const void *bytes, size_t size,
                                      const hk_limits *limits,
                                      hk_image_info *info);

/* Decodes into the caller's buffer of `capacity` bytes (at least info.bytes)
 * and fills `image` as a packed view of it. PNG and PNM keep their bit depth
 * (8 or 16), JPEG gives 8-bit grey or RGB, .npy keeps its dtype. */
HK_API hk_status hk_image_decode(const void *bytes, size_t size,
                                 const hk_limits *limits, void *buffer,
                                 size_t capacity, hk_image *image);

/* Convenience: reads a whole file and decodes it into memory allocated by
 * hogkit; release it with hk_image_free. On error *image is zeroed. */
HK_API hk_status hk_image_load(const char *path, const hk_limits *limits,
                               hk_image *image);
HK_API void hk_image_free(hk_image *image);

/* Writes a float32 array as a .npy file (C order) of the given shape,
 * whole or not at all (temporary file in the same folder, then rename). */
HK_API hk_status hk_npy_write_f32(const char *path, const float *data,
                                  const size_t *shape, int ndim);

/* ------------------------------------------------------------------ */
/* HOG                                                                 */
/* ------------------------------------------------------------------ */

/* Which reference a computation reproduces. Each variant reads only its own
 * section of hk_hog_params. */
typedef enum hk_variant {
    HK_VARIANT_SKIMAGE = 0,        /* skimage.feature.hog, scikit-image 0.19.3 */
    HK_VARIANT_OPENCV = 1,         /* cv::HOGDescriptor::compute, OpenCV 4.6 */
    HK_VARIANT_VLFEAT_DT = 2,      /* vl_hog, VlHogVariantDalalTriggs, VLFeat 0.9.21 */
    HK_VARIANT_VLFEAT_UOCTTI = 3,  /* vl_hog, VlHogVariantUoctti, VLFeat 0.9.21 */
    HK_VARIANT_DLIB = 4,           /* dlib::extract_fhog_features, dlib 19.24 */
    HK_VARIANT_MASKFEAT = 5        /* MaskFeat HOG targets (SlowFast HOGLayerC) */
} hk_variant;

typedef enum hk_block_norm {
    HK_NORM_L1 = 0,
    HK_NORM_L1_SQRT = 1,
    HK_NORM_L2 = 2,
    HK_NORM_L2_HYS = 3
} hk_block_norm;

/* skimage.feature.hog's arguments (defaults in comments). */
typedef struct hk_skimage_params {
    int orientations;            /* 9 */
    int cell_rows, cell_cols;    /* pixels_per_cell (8, 8) */
    int block_rows, block_cols;  /* cells_per_block (3, 3) */
    hk_block_norm block_norm;    /* L2-Hys */
    int transform_sqrt;          /* 0 */
} hk_skimage_params;

/* cv2.HOGDescriptor's constructor and compute() arguments; sizes are
 * (width, height) as OpenCV writes them. Defaults: cv2.HOGDescriptor(). */
typedef struct hk_opencv_params {
    int win_width, win_height;          /* winSize (64, 128) */
    int block_width, block_height;      /* blockSize (16, 16) */
    int block_stride_x, block_stride_y; /* blockStride (8, 8) */
    int cell_width, cell_height;        /* cellSize (8, 8) */
    int nbins;                          /* 9 */
    double win_sigma;                   /* -1: (block_width + block_height) / 8 */
    double l2hys_threshold;             /* 0.2 */
    int gamma_correction;               /* 1, as the no-argument constructor sets it */
    int signed_gradient;                /* 0 */
    int win_stride_x, win_stride_y;     /* compute(winStride): 0 means cellSize */
    int pad_x, pad_y;                   /* compute(padding): (0, 0) */
} hk_opencv_params;

/* vl_hog_new / vl_hog_put_image arguments (both VLFeat variants). */
typedef struct hk_vlfeat_params {
    int cell_size;                /* 8 */
    int orientations;             /* undirected orientations, 9 */
    int bilinear_orientations;    /* 0 */
} hk_vlfeat_params;

/* dlib::extract_fhog_features arguments. */
typedef struct hk_dlib_params {
    int cell_size;                /* 8 */
    int filter_rows_padding;      /* 1 */
    int filter_cols_padding;      /* 1 */
} hk_dlib_params;

/* MaskFeat HOGLayerC and its copies (mmselfsup, FG-MAE). */
typedef struct hk_maskfeat_params {
    int nbins;                    /* 9 */
    int pool;                     /* cell size in pixels, 8 */
    int gaussian_window;          /* 0 = off (MaskFeat); 16 in mmselfsup/FG-MAE */
    int patch;                    /* patch size in pixels, 16 */
    int normalize;                /* per channel and cell L2 step, 1 */
} hk_maskfeat_params;

/* How a computation may use the machine. Results never depend on these
 * beyond the float tolerance documented per variant. */
typedef enum hk_simd {
    HK_SIMD_AUTO = 0,             /* best instruction set the CPU has */
    HK_SIMD_SCALAR = 1,           /* the scalar reference kernels only */
    HK_SIMD_AVX2 = 2,
    HK_SIMD_AVX512 = 3
} hk_simd;

/* Parameters of one HOG computation. Fill with hk_hog_params_default, then
 * change what you need; every field is validated on entry. */
typedef struct hk_hog_params {
    hk_variant variant;
    int threads;                  /* 0: all cores; 1: the calling thread only */
    hk_simd simd;                 /* HK_SIMD_AUTO */
    hk_skimage_params skimage;
    hk_opencv_params opencv;
    hk_vlfeat_params vlfeat;
    hk_dlib_params dlib;
    hk_maskfeat_params maskfeat;
} hk_hog_params;

/* Fills every section with its reference's defaults and selects `variant`. */
HK_API void hk_hog_params_default(hk_hog_params *params, hk_variant variant);

/* Checks parameter ranges without an image. */
HK_API hk_status hk_hog_params_check(const hk_hog_params *params);

#define HK_MAX_DIMS 8

/* The shape of a result, C order. count = product of dims (may be 0). */
typedef struct hk_shape {
    int ndim;
    size_t dims[HK_MAX_DIMS];
    size_t count;
} hk_shape;

/* Output shape for an image of this size.
 * skimage: (n_blocks_row, n_blocks_col, block_rows, block_cols, orientations);
 * an image with no whole block gives count 0, one too small even for that
 * (negative block count in skimage) gives HK_ERR_TOO_SMALL. */
HK_API hk_status hk_hog_shape(const hk_hog_params *params, uint32_t width,
                              uint32_t height, uint32_t channels,
                              hk_shape *shape);

/* A reusable context: keeps scratch buffers between calls on images of the
 * same size. Owned by one thread at a time. */
typedef struct hk_hog_ctx hk_hog_ctx;

HK_API hk_status hk_hog_ctx_new(hk_hog_ctx **ctx);
HK_API void hk_hog_ctx_free(hk_hog_ctx *ctx);

/* Computes HOG of `image` into out[0 .. shape.count), float32, in the layout
 * of hk_hog_shape. Reads the image, writes only `out`, keeps scratch in ctx
 * (ctx may be NULL: a temporary one is used).
 * Float samples that are NaN or infinite give HK_ERR_NONFINITE; finite ones
 * so large that the computation overflows (where the reference library would
 * output Inf/NaN) give HK_ERR_DOMAIN (HK_ERR_NONFINITE from the MaskFeat
 * variant, whose kernel checks its gradients): the output of a successful call is
 * always finite, and a call that fails once computing has begun leaves
 * out[0 .. shape.count) zeroed. */
HK_API hk_status hk_hog_extract(hk_hog_ctx *ctx, const hk_hog_params *params,
                                const hk_image *image, float *out,
                                size_t capacity);

/* Converts to grey as scikit-image's rgb2gray does: integers are scaled to
 * [0, 1] (divided by 255 or 65535), then Y = 0.2125 R + 0.7154 G + 0.0721 B.
 * Float32 input gives float32 grey, everything else float64. An image that is
 * already grey (one channel, or grey plus alpha) is passed through unchanged,
 * values and type, as if rgb2gray had not been called (skimage would refuse
 * it); four channels drop the alpha (skimage itself refuses RGBA).
 * Writes width*height samples into `buffer` and fills `gray` as a view of it;
 * hk_image_gray_bytes gives the size needed. */
HK_API hk_status hk_image_gray_bytes(const hk_image *image, size_t *bytes);
HK_API hk_status hk_image_rgb2gray(const hk_image *image, void *buffer,
                                   size_t capacity, hk_image *gray);

/* --- VLFeat and dlib (FHOG) --- */

/* Left-right flip permutation of one cell's descriptor, for the variants
 * whose output is (D, rows, cols): HK_VARIANT_VLFEAT_DT and
 * HK_VARIANT_VLFEAT_UOCTTI (VLFeat's vl_hog_get_permutation, `orientations`
 * as in hk_vlfeat_params) and HK_VARIANT_DLIB (31 planes; `orientations` is
 * ignored). For the mirrored image, the descriptor of a cell is
 * flipped[d] = hog[perm[d]] taken at the mirrored cell.
 * Sets *dimension to D; writes perm[0 .. D) when capacity >= D (perm may be
 * NULL with capacity 0 to ask for D only, which returns
 * HK_ERR_BUFFER_TOO_SMALL). Reads and keeps nothing else. */
HK_API hk_status hk_fhog_flip_permutation(hk_variant variant, int orientations, size_t *perm,
                                          size_t capacity, size_t *dimension);

/* --- MaskFeat targets (batch) --- */

/* MaskFeat HOG targets of a batch of float32 images laid out N x C x H x W
 * (planar, contiguous, C order: the memory of a contiguous PyTorch tensor),
 * with params->variant == HK_VARIANT_MASKFEAT and params->maskfeat used.
 * Output N x patches x dims float32 (C order), patches = (H/pool/u) *
 * (W/pool/u) row-major, dims = C * nbins * u * u, u = patch / pool, value
 * index ((c*nbins + bin)*u + cy)*u + cx within a patch: the targets of
 * SlowFast's HOGLayerC + _get_hog_label_2d (and the mmselfsup / FG-MAE
 * copies) for any C. Definition: docs/variants/maskfeat.md. The same numbers
 * come from hk_hog_extract on one interleaved image (shape (patches, dims)).
 * hk_maskfeat_targets_shape gives (N, patches, dims). Errors: W or H < 2 is
 * HK_ERR_TOO_SMALL; a Gaussian window on a non-square image, or with H not
 * a multiple of it, HK_ERR_UNSUPPORTED; a non-finite gradient (NaN/Inf
 * samples or float32 overflow) HK_ERR_NONFINITE. Reads `batch`, writes only
 * `out`, keeps scratch in ctx (NULL: a temporary context). */
HK_API hk_status hk_maskfeat_targets_shape(const hk_hog_params *params, size_t n, size_t c,
                                           size_t h, size_t w, hk_shape *shape);
HK_API hk_status hk_maskfeat_targets(hk_hog_ctx *ctx, const hk_hog_params *params,
                                     const float *batch, size_t n, size_t c, size_t h,
                                     size_t w, float *out, size_t capacity);

/* 4-D float32 .npy stacks (N, C, H, W), C order: the batches that
 * hk_maskfeat_targets takes. hk_npy_stack_info reads the header of the file
 * bytes in memory (limits: NULL for defaults; C <= max_channels, H*W <=
 * max_pixels, the file must hold every sample) and gives the shape;
 * hk_npy_stack_decode copies the samples into out (capacity in floats).
 * Anything but a 4-D little-endian float32 array is HK_ERR_UNSUPPORTED. */
HK_API hk_status hk_npy_stack_info(const void *bytes, size_t size, const hk_limits *limits,
                                   size_t shape[4]);
HK_API hk_status hk_npy_stack_decode(const void *bytes, size_t size, const hk_limits *limits,
                                     float *out, size_t capacity);

/* --- Rendering (HOG pictures) --- */

/* skimage.feature.hog(..., visualize=True)[1] of the scikit-image 0.19.3
 * variant (params->variant == HK_VARIANT_SKIMAGE; block parameters unused):
 * image->height x image->width float64 values, row-major, into out
 * (capacity in doubles). For each cell and bin a skimage.draw.line segment
 * through the cell centre, perpendicular to the bin's mid direction,
 * radius min(cell_rows, cell_cols)/2 - 1, gets the un-normalised cell value
 * added (in float32 for float32 images, as skimage does). Images too small
 * for one block still render. Reads the image, writes only out. */
HK_API hk_status hk_skimage_render(const hk_hog_params *params, const hk_image *image,
                                   double *out, size_t capacity);

/* Side of one cell's glyph in hk_hog_glyph_render, as VLFeat's. */
#define HK_GLYPH_SIZE 21

/* vl_hog_render of VLFeat 0.9.21 on any planar (dims, hog_h, hog_w) float32
 * array: variant HK_VARIANT_VLFEAT_UOCTTI or HK_VARIANT_DLIB with dims =
 * 3n + 4 (31 for n = 9; dlib's planes d, d+9, d+18 are the same groups), or
 * HK_VARIANT_VLFEAT_DT with dims = 4n; n = orientations; anything else is
 * HK_ERR_INVALID_ARG. For each cell, the bar glyph of orientation k (a line
 * perpendicular to k*180/n degrees) is weighted by the sum of entry k of the
 * 3 (or 4) groups of n, the glyphs are summed and the cell is clamped to
 * [min(0, weights), max(0, weights)]. Output (hog_h * 21) x (hog_w * 21)
 * float32, row-major, into out (capacity in floats). */
HK_API hk_status hk_hog_glyph_render(hk_variant variant, const float *hog, size_t dims,
                                     size_t hog_h, size_t hog_w, int orientations, float *out,
                                     size_t capacity);

/* Writes 8-bit pixels (channels 1 grey, 2 grey+alpha, 3 RGB, 4 RGBA,
 * interleaved, rows of stride bytes) as a PNG file with libspng, whole or not
 * at all (temporary file in the same folder, then rename). */
HK_API hk_status hk_png_write_u8(const char *path, const uint8_t *pixels, uint32_t width,
                                 uint32_t height, uint32_t channels, size_t stride);

/* Writes a float64 array as a .npy file (C order), like hk_npy_write_f32. */
HK_API hk_status hk_npy_write_f64(const char *path, const double *data, const size_t *shape,
                                  int ndim);
/* --- OpenCV variant (HK_VARIANT_OPENCV) --- */

/* The OpenCV variant reproduces cv::HOGDescriptor::compute of OpenCV 4.6:
 * input u8 with 1 or 3 channels only (else HK_ERR_UNSUPPORTED), channels used
 * in memory order: hogkit's channel 0 is OpenCV's channel 0 (OpenCV's colour
 * tie-break rules are by channel index, so pass the same array to both; note
 * that hogkit decodes PNG/JPEG as RGB while cv2.imread gives BGR).
 * hk_hog_shape gives ndim 1 and count = nwindows * descriptor size, windows
 * row-major over the image padded by params.opencv.pad_x/y rounded as
 * OpenCV's alignSize(pad, gcd(winStride, blockStride)) does; a padded image
 * smaller than the window is HK_ERR_TOO_SMALL. Layout and quirks:
 * docs/variants/opencv.md. */

/* getDescriptorSize(): floats per window for these parameters (validated). */
HK_API hk_status hk_opencv_descriptor_size(const hk_opencv_params *params, size_t *size);

/* compute(img, winStride, padding, locations): the descriptors of the windows
 * whose top-left corners, in image coordinates, are (xy[2i], xy[2i+1]) for
 * i < n_locations; they may be negative down to -padding (padding rounded
 * as above). A location outside [-pad, size + pad - win] leaves its
 * descriptor as zeros, as OpenCV does. Writes n_locations * descriptor size
 * floats into out (capacity in floats); n_locations = 0 writes nothing
 * (OpenCV would then compute every window: use hk_hog_extract). params must
 * select HK_VARIANT_OPENCV. */
HK_API hk_status hk_opencv_compute_locations(hk_hog_ctx *ctx, const hk_hog_params *params,
                                             const hk_image *image, const int32_t *xy,
                                             size_t n_locations, float *out, size_t capacity);

/* Converts u8 RGB (or RGBA, alpha ignored) to u8 grey exactly as OpenCV
 * 4.6's cvtColor(COLOR_RGB2GRAY) does: Y = (9798 R + 19235 G + 3735 B +
 * 16384) >> 15. A one-channel u8 image is copied unchanged. Other types or
 * channel counts: HK_ERR_UNSUPPORTED. Writes width*height bytes into buffer
 * (capacity in bytes) and fills `gray` as a packed view of it. */
HK_API hk_status hk_image_rgb2gray_u8(const hk_image *image, void *buffer, size_t capacity,
                                      hk_image *gray);
/* --- detection --- */

/* A linear HOG detector: cv::HOGDescriptor's geometry plus its SVMDetector
 * vector (OpenCV layout: blocks x-major, cells x-major inside a block, then
 * bins; the last element, when present, is the bias added to every score, as
 * in cv::HOGDescriptor::detect). Immutable once made; one detector may be
 * used by several threads at once. */
typedef struct hk_detector hk_detector;

/* Limits on a model file, checked before anything is allocated. */
typedef struct hk_detector_limits {
    uint64_t max_file_bytes;   /* default 64 MiB */
    size_t max_coefficients;   /* SVMDetector length; default 2^22 */
    int max_window;            /* winSize width/height in pixels; default 4096 */
} hk_detector_limits;

HK_API void hk_detector_limits_default(hk_detector_limits *limits);

/* A detector from HOG geometry (win/block/stride/cell/nbins/win_sigma/
 * l2hys_threshold/gamma_correction/signed_gradient of hk_opencv_params;
 * the compute-only fields are ignored) and n coefficients: n must be the
 * descriptor length (bias 0) or the descriptor length + 1 (bias last). */
HK_API hk_status hk_detector_new(const hk_opencv_params *hog, const float *coef,
                                 size_t n, hk_detector **out);
HK_API void hk_detector_free(hk_detector *det);

/* Reads a file written by cv2.HOGDescriptor.save (XML or YAML, told apart by
 * content). limits may be NULL (defaults). Every byte is treated as hostile. */
HK_API hk_status hk_detector_load(const char *path, const hk_detector_limits *limits,
                                  hk_detector **out);
HK_API hk_status hk_detector_parse(const void *bytes, size_t size,
                                   const hk_detector_limits *limits, hk_detector **out);

/* Writes a file cv2.HOGDescriptor.load accepts: YAML unless the path ends in
 * ".xml" (or ".xml.gz" is not supported). Whole or nothing. */
HK_API hk_status hk_detector_save(const hk_detector *det, const char *path);

/* The detector's geometry, its nlevels, and its coefficient count (including
 * the bias when the model has one). Any output may be NULL. */
HK_API hk_status hk_detector_info(const hk_detector *det, hk_opencv_params *hog,
                                  int *nlevels, size_t *n_coef);
/* Copies the coefficients (n_coef of hk_detector_info) into out. */
HK_API hk_status hk_detector_coefficients(const hk_detector *det, float *out,
                                          size_t capacity);

/* How overlapping hits are merged into detections. */
typedef enum hk_grouping {
    HK_GROUP_OPENCV = 0,      /* cv::HOGDescriptor::groupRectangles (default) */
    HK_GROUP_MEANSHIFT = 1,   /* cv::groupRectangles_meanshift, as useMeanshiftGrouping */
    HK_GROUP_NMS = 2,         /* greedy non-maximum suppression by score, IoU threshold */
    HK_GROUP_NONE = 3         /* every window above the hit threshold */
} hk_grouping;

/* cv::HOGDescriptor::detectMultiScale's arguments. Defaults (from
 * hk_detect_params_default) are OpenCV's. */
typedef struct hk_detect_params {
    double hit_threshold;          /* 0 */
    int win_stride_x, win_stride_y;/* 0: the detector's block stride */
    int pad_x, pad_y;              /* 0 (OpenCV rounds up to the cache stride) */
    double scale;                  /* 1.05; <= 1 means one level */
    int nlevels;                   /* 0: the model's nlevels (64) */
    double group_threshold;        /* finalThreshold, 2 */
    hk_grouping grouping;          /* HK_GROUP_OPENCV */
    double eps;                    /* groupRectangles eps, 0.2 */
    double nms_iou;                /* HK_GROUP_NMS overlap, 0.5 */
    int threads;                   /* 0: all cores; results never depend on it */
    hk_simd simd;                  /* HK_SIMD_AUTO */
} hk_detect_params;

HK_API void hk_detect_params_default(hk_detect_params *params);

/* One detection in image pixels; score is the SVM value (for OpenCV grouping
 * the best score of the group, for mean shift the mode's weight). */
typedef struct hk_box {
    int x, y, w, h;
    double score;
} hk_box;

/* Runs detectMultiScale on an 8-bit grey (1 channel) or colour (3 channels,
 * RGB; 4: alpha ignored) image. Writes up to `capacity` boxes (boxes may be
 * NULL when capacity is 0) and the total number found to *count; returns
 * HK_ERR_BUFFER_TOO_SMALL when *count > capacity (the first `capacity`
 * boxes are still written). Boxes are ordered by score, highest first. */
HK_API hk_status hk_detector_detect(const hk_detector *det, const hk_detect_params *params,
                                    const hk_image *image, hk_box *boxes,
                                    size_t capacity, size_t *count);

/* Training a detector (liblinear, hard-negative mining). */
typedef struct hk_train_params {
    hk_opencv_params hog;          /* geometry; default cv2.HOGDescriptor() */
    int neg_per_image;             /* random negative windows per image, 10 */
    int mining_rounds;             /* hard-negative rounds, 2 */
    int max_hard_per_image;        /* hard negatives kept per image and round, 20 */
    double C;                      /* liblinear cost, 0.1 */
    uint64_t seed;                 /* random windows, 1 */
    int max_samples;               /* most training windows in all, 6000 */
    hk_detect_params detect;       /* used for mining (group none, hit threshold -1:
                                      windows inside the margin count as hard) */
} hk_train_params;

HK_API void hk_train_params_default(hk_train_params *params);

/* Positives are resized (bilinear) to the window size; negatives are whole
 * images from which windows are drawn. Returns a new detector in *out. */
HK_API hk_status hk_detector_train(const hk_train_params *params,
                                   const hk_image *pos, size_t npos,
                                   const hk_image *neg, size_t nneg,
                                   hk_detector **out);
/* --- speed: SIMD, threads, batches and stacks --- */

/* Threads (hk_hog_params.threads): 0 uses one thread per online core, N
 * uses N; 1 runs everything on the calling thread and starts none, which is
 * what a caller that already runs one hogkit call per thread should ask for
 * (no oversubscription). A call with threads > 1 starts its threads and joins
 * them before returning: no pool or thread outlives a call. One image is split
 * into fixed bands of cell rows and a batch into fixed chunks of images, so
 * results are bitwise identical for every thread count and instruction set.
 *
 * SIMD (hk_hog_params.simd): HK_SIMD_AUTO takes the best set this build and
 * CPU have, unless the environment variable HK_SIMD (scalar, avx2, avx512)
 * names one; HK_SIMD_SCALAR runs the scalar reference kernels (on the calling
 * thread); asking for a set the build or CPU lacks gives HK_ERR_UNSUPPORTED
 * (from hk_hog_params_check too). */

/* The name of the kernels a request runs here: "scalar", "generic" (portable
 * fast kernels), "avx2" or "avx512"; NULL when the request is unsupported. */
HK_API const char *hk_simd_name(hk_simd requested);

/* Shape of a batch: (count, D) where D is hk_hog_shape's count for one image. */
HK_API hk_status hk_hog_batch_shape(const hk_hog_params *params, size_t count, uint32_t width,
                                    uint32_t height, uint32_t channels, hk_shape *shape);

/* HOG of `count` images of one size, channel count and sample type into
 * out[count * D] (row i = image i, float32), the threads of params splitting
 * the images (each image on one thread). Reads the images, writes only out,
 * keeps per-thread scratch in ctx (NULL: a temporary one); after the first
 * call with a context nothing is allocated per image. On an error out is
 * unspecified and the status is that of the first failing image. */
HK_API hk_status hk_hog_extract_batch(hk_hog_ctx *ctx, const hk_hog_params *params,
                                      const hk_image *images, size_t count, float *out,
                                      size_t capacity);

/* The same for images laid out one after another: image i is `first` with
 * data advanced by i * image_bytes (e.g. one N x H x W (x C) array). */
HK_API hk_status hk_hog_extract_stack(hk_hog_ctx *ctx, const hk_hog_params *params,
                                      const hk_image *first, size_t image_bytes, size_t count,
                                      float *out, size_t capacity);

/* A stack of same-size images in one buffer owned by hogkit. */
typedef struct hk_stack {
    size_t count;       /* number of images */
    size_t image_bytes; /* distance between images */
    hk_image first;     /* the first image; its data is the whole buffer */
} hk_stack;

/* Reads a stack file: IDX (MNIST/Fashion-MNIST layout, plain or gzip: unsigned
 * byte, float or double; 3-D (N, H, W) or 4-D (N, H, W, C)) or a .npy of 3
 * dims (N, H, W) or 4 dims (N, H, W, C) of |u1 <u2 <f4 <f8. limits (NULL:
 * defaults) apply per image (pixels, channels) and to the whole decoded size
 * (max_file_bytes), before anything is allocated. Release with hk_stack_free;
 * on error *stack is zeroed. */
HK_API hk_status hk_stack_load(const char *path, const hk_limits *limits, hk_stack *stack);
HK_API void hk_stack_free(hk_stack *stack);

/* --- recognition: LBP and Gabor features, datasets, learners, models --- */

/* Progress callback of long calls: done out of total units. May be NULL.
 * Called from the calling thread only. */
typedef void (*hk_progress_fn)(void *user, size_t done, size_t total);

/* Local Binary Patterns as skimage.feature.local_binary_pattern (0.19.3):
 * P neighbours on a circle of radius R (R is rounded to float32 as skimage's
 * Cython signature does), offsets rounded to 5 decimals, bilinear sampling
 * with zeros outside the image, "neighbour - centre >= 0" sets a bit. The
 * grey samples are used as they are (uint8 0..255, float as given). */
typedef enum hk_lbp_method {
    HK_LBP_DEFAULT = 0,      /* 2^P codes */
    HK_LBP_ROR = 1,          /* rotation invariant: min over bit rotations */
    HK_LBP_UNIFORM = 2,      /* P + 2 codes */
    HK_LBP_NRI_UNIFORM = 3,  /* P(P-1) + 3 codes */
    HK_LBP_VAR = 4           /* local variance; NaN where it is 0 */
} hk_lbp_method;

typedef struct hk_lbp_params {
    int points;              /* P, 1..24: 8 */
    double radius;           /* R > 0: 1 */
    hk_lbp_method method;    /* uniform */
    int cell_rows, cell_cols;/* pooling cells: 8 x 8; partial cells dropped */
    int var_bins;            /* var histogram bins over sqrt(var) in [0, var_max): 16 */
    double var_max;          /* 0: 0.5 * sample range (127.5 for uint8, 0.5 for float) */
} hk_lbp_params;

HK_API void hk_lbp_params_default(hk_lbp_params *params);
HK_API hk_status hk_lbp_params_check(const hk_lbp_params *params);

/* Number of histogram bins of one cell for these parameters. */
HK_API hk_status hk_lbp_bins(const hk_lbp_params *params, size_t *bins);

/* Per-pixel codes of a one-channel image (any sample type) into
 * out[height * width] (row-major), float64 exactly as skimage returns them. */
HK_API hk_status hk_lbp_codes(const hk_lbp_params *params, const hk_image *image,
                              double *out, size_t capacity);

/* Pooled descriptor: (cells_down, cells_across, bins), each cell histogram
 * divided by the cell's pixel count (so it sums to 1). */
HK_API hk_status hk_lbp_shape(const hk_lbp_params *params, uint32_t width, uint32_t height,
                              hk_shape *shape);
HK_API hk_status hk_lbp_extract(const hk_lbp_params *params, const hk_image *image,
                                float *out, size_t capacity);

/* Gabor bank as skimage.filters.gabor_kernel / gabor (0.19.3): kernel
 * exp(-0.5 (x'^2/sx^2 + y'^2/sy^2) + i 2 pi f x') / (2 pi sx sy), with
 * x' = x cos t + y sin t, y' = -x sin t + y cos t, sx = sy from the bandwidth,
 * half sizes ceil(max(|n sx cos t|, |n sy sin t|, 1)) across and
 * ceil(max(|n sy cos t|, |n sx sin t|, 1)) down; responses are
 * ndi.convolve(image, real/imag, mode='reflect') in float64. Integer images
 * are first scaled to [0, 1] as img_as_float does (skimage's gabor would
 * keep the integer type and truncate). Orientations theta_k = k pi / n. */
#define HK_GABOR_MAX_FREQUENCIES 16

typedef struct hk_gabor_params {
    int n_frequencies;                            /* 2 */
    double frequencies[HK_GABOR_MAX_FREQUENCIES]; /* 0.25, 0.5 (cycles per pixel) */
    int n_orientations;                           /* 4 */
    double bandwidth;                             /* 1 */
    double n_stds;                                /* 3 */
    int cell_rows, cell_cols;                     /* 8 x 8; partial cells dropped */
} hk_gabor_params;

HK_API void hk_gabor_params_default(hk_gabor_params *params);
HK_API hk_status hk_gabor_params_check(const hk_gabor_params *params);

/* One kernel: size query (rows, cols), then real and imaginary parts, row-major. */
HK_API hk_status hk_gabor_kernel_size(double frequency, double theta, double bandwidth,
                                      double n_stds, uint32_t *rows, uint32_t *cols);
HK_API hk_status hk_gabor_kernel(double frequency, double theta, double bandwidth,
                                 double n_stds, double *re, double *im, size_t capacity);

/* Responses of one filter (real, imaginary; height * width each). */
HK_API hk_status hk_gabor_response(double frequency, double theta, double bandwidth,
                                   double n_stds, const hk_image *image, double *re,
                                   double *im, size_t capacity);

/* Pooled descriptor: (cells_down, cells_across, filters, 2) with the mean and
 * the (population) standard deviation of the magnitude |re + i im| per cell;
 * filters run frequency-major, orientation-minor. */
HK_API hk_status hk_gabor_shape(const hk_gabor_params *params, uint32_t width, uint32_t height,
                                hk_shape *shape);
HK_API hk_status hk_gabor_extract(const hk_gabor_params *params, const hk_image *image,
                                  float *out, size_t capacity);

/* A labelled set of same-size grey uint8 images, owned by hogkit (release
 * with hk_dataset_free). labels[i] in 0..n_classes-1; class_names[c] is the
 * folder name, or the decimal label for IDX and digits.png. */
typedef struct hk_dataset {
    uint32_t count, width, height;
    uint32_t n_classes;
    uint8_t *pixels;         /* count * height * width, image-major */
    int32_t *labels;         /* count, or NULL for unlabelled images */
    char **class_names;      /* n_classes strings */
} hk_dataset;

/* IDX (MNIST layout, ubyte images and labels, gzip or plain). labels may be
 * NULL: found by MNIST naming (...-images-idx3-ubyte[.gz] -> ...-labels-
 * idx1-ubyte[.gz]); when no such file exists the set is unlabelled. */
HK_API hk_status hk_dataset_load_idx(const char *images, const char *labels,
                                     const hk_limits *limits, hk_dataset *ds);
/* A folder with one subfolder per class (sorted by name), images of one size,
 * converted to grey as hk_image_rgb2gray and rounded to uint8. */
HK_API hk_status hk_dataset_load_folder(const char *dir, const hk_limits *limits,
                                        hk_dataset *ds);
/* OpenCV's samples/data/digits.png: 20x20 digits, 50 rows of 100, five rows
 * per class, read in the order of digits.py's split2d. */
HK_API hk_status hk_dataset_load_digits(const char *png, const hk_limits *limits,
                                        hk_dataset *ds);
/* Picks the reader from the path: folder, *.png grid, else IDX. */
HK_API hk_status hk_dataset_load(const char *path, const char *labels, const hk_limits *limits,
                                 hk_dataset *ds);
HK_API void hk_dataset_free(hk_dataset *ds);

/* Reorders in place with numpy's np.random.RandomState(seed).permutation(count)
 * (MT19937, legacy seeding and shuffle), as OpenCV's digits.py does. */
HK_API hk_status hk_dataset_shuffle(hk_dataset *ds, uint32_t seed);
/* Copies images [first, first + count) into a new dataset. */
HK_API hk_status hk_dataset_slice(const hk_dataset *ds, uint32_t first, uint32_t count,
                                  hk_dataset *out);
/* Writes the permutation itself (count entries). */
HK_API hk_status hk_numpy_permutation(uint32_t seed, uint32_t count, uint32_t *perm);

/* Deskew as OpenCV's digits.py: skew = mu11 / mu02 from cv::moments (none
 * when |mu02| < 0.01), then cv::warpAffine with M = [[1, skew, -0.5 w skew],
 * [0, 1, 0]] (float32), WARP_INVERSE_MAP | INTER_LINEAR, constant 0 border,
 * with OpenCV's fixed-point bilinear arithmetic. src and dst may not overlap. */
HK_API hk_status hk_deskew_u8(const uint8_t *src, uint32_t width, uint32_t height,
                              uint8_t *dst);
HK_API hk_status hk_dataset_deskew(hk_dataset *ds);

/* Which descriptor a recognition pipeline computes per image. */
typedef enum hk_feature_kind {
    HK_FEATURE_HOG = 0,
    HK_FEATURE_LBP = 1,
    HK_FEATURE_GABOR = 2
} hk_feature_kind;

typedef struct hk_feature_params {
    hk_feature_kind kind;
    int deskew;          /* deskew each image first (hk_deskew_u8), for digit data: 0 */
    hk_hog_params hog;
    hk_lbp_params lbp;
    hk_gabor_params gabor;
} hk_feature_params;

HK_API void hk_feature_params_default(hk_feature_params *params, hk_feature_kind kind);
/* Descriptor length for images of this size. */
HK_API hk_status hk_features_dim(const hk_feature_params *params, uint32_t width,
                                 uint32_t height, size_t *dim);
/* Descriptors of every image of ds into out[count * dim], row per image;
 * threads: 0 all cores. Results do not depend on the thread count. */
HK_API hk_status hk_features_extract(const hk_feature_params *params, const hk_dataset *ds,
                                     int threads, float *out, size_t capacity,
                                     hk_progress_fn progress, void *user);

typedef enum hk_learner_kind {
    HK_LEARNER_SVM_LINEAR = 0,  /* liblinear, L2-regularised L2-loss dual, one-vs-rest */
    HK_LEARNER_SVM_RBF = 1,     /* libsvm C-SVC, RBF kernel, one-vs-one */
    HK_LEARNER_KNN = 2,         /* exact k nearest neighbours, Euclidean (OpenBLAS sgemm) */
    HK_LEARNER_FOREST = 3,      /* XGBoost random forest: one round of num_parallel_tree */
    HK_LEARNER_GBDT = 4         /* XGBoost gradient-boosted trees, multi:softmax */
} hk_learner_kind;

typedef struct hk_learner_params {
    hk_learner_kind kind;
    double C;            /* SVMs: 1 */
    double gamma;        /* RBF: 0 means 1 / dim (libsvm's default) */
    int k;               /* KNN: 5 */
    int distance_weighted; /* KNN: 0 uniform votes, 1 votes 1/distance */
    int trees;           /* forest: trees (100); gbdt: boosting rounds (100) */
    int max_depth;       /* trees: 6 (forest 0 = 12) */
    double eta;          /* gbdt learning rate: 0.3 */
    double subsample;    /* row sampling per tree: gbdt 1, forest 0.8 */
    double colsample;    /* column sampling per node: gbdt 1, forest sqrt(dim)/dim when 0 */
    int standardize;     /* -1: per learner (RBF SVM, KNN yes; linear SVM, trees no); 0 no; 1 yes */
    int threads;         /* 0: all cores */
    uint32_t seed;       /* 0 */
    int pca;             /* RBF SVM: first project onto this many principal components
                            (of the standardised training rows); 0: no projection */
} hk_learner_params;

HK_API void hk_learner_params_default(hk_learner_params *params, hk_learner_kind kind);
HK_API const char *hk_learner_name(hk_learner_kind kind);   /* "svm-linear", ... */
HK_API const char *hk_feature_name(hk_feature_kind kind);   /* "hog", "lbp", "gabor" */

/* A trained classifier plus what it needs to classify images: the feature
 * parameters, the image size, the class names and the feature scaling. */
typedef struct hk_model hk_model;

/* Trains on n rows of dim floats (row-major) with labels in 0..n_classes-1.
 * Reads X and y, keeps copies of what the model needs. */
HK_API hk_status hk_model_train(const hk_learner_params *params, const float *X, size_t n,
                                size_t dim, const int32_t *y, uint32_t n_classes,
                                hk_model **model);
/* Predicted labels of n rows into out[n]. */
HK_API hk_status hk_model_predict(const hk_model *model, const float *X, size_t n,
                                  int32_t *out);
/* Attaches the pipeline (feature parameters, image size, class names). */
HK_API hk_status hk_model_set_pipeline(hk_model *model, const hk_feature_params *features,
                                       uint32_t width, uint32_t height,
                                       const char *const *class_names);
HK_API hk_status hk_model_pipeline(const hk_model *model, hk_feature_params *features,
                                   uint32_t *width, uint32_t *height, uint32_t *n_classes,
                                   hk_learner_params *learner);
HK_API const char *hk_model_class_name(const hk_model *model, uint32_t label);
/* Versioned, CRC-checked file, written whole or not at all. Loading refuses
 * a foreign, truncated, corrupt or newer-version file with HK_ERR_FORMAT /
 * HK_ERR_TRUNCATED / HK_ERR_UNSUPPORTED. */
HK_API hk_status hk_model_save(const hk_model *model, const char *path);
HK_API hk_status hk_model_load(const char *path, hk_model **model);
HK_API void hk_model_free(hk_model *model);

/* k-fold cross-validated accuracy of a learner on (X, y): folds are a
 * stratified split of a seed-shuffled order. */
HK_API hk_status hk_cross_validate(const hk_learner_params *params, const float *X, size_t n,
                                   size_t dim, const int32_t *y, uint32_t n_classes,
                                   int folds, uint32_t seed, double *accuracy);

#ifdef __cplusplus
}
#endif

#endif /* HOGKIT_H */
