/* hog / hog_batch for the skimage variant: argument parsing, output arrays,
 * and the library calls, made with the GIL released. */
#include <stdlib.h>

#include "hkpy.h"

/* Parses the shared skimage arguments into params; 0 with an exception set. */
static int skimage_params(hk_hog_params *p, int orientations, int cr, int cc, int br, int bc,
                          int norm, int sqrt_, int threads)
{
    hk_hog_params_default(p, HK_VARIANT_SKIMAGE);
    p->threads = threads;
    p->skimage.orientations = orientations;
    p->skimage.cell_rows = cr;
    p->skimage.cell_cols = cc;
    p->skimage.block_rows = br;
    p->skimage.block_cols = bc;
    p->skimage.block_norm = (hk_block_norm)norm;
    p->skimage.transform_sqrt = sqrt_;
    hk_status st = hk_hog_params_check(p);
    if (st != HK_OK) {
        hkpy_raise(st, "HOG parameters");
        return 0;
    }
    return 1;
}

/* npy dims of a library shape, checked to fit. */
static int shape_dims(const hk_shape *s, npy_intp *dims)
{
    for (int i = 0; i < s->ndim; i++) {
        if (s->dims[i] > (size_t)NPY_MAX_INTP) {
            hkpy_raise(HK_ERR_OVERFLOW, "output shape");
            return 0;
        }
        dims[i] = (npy_intp)s->dims[i];
    }
    return 1;
}

static void widen(const float *src, double *dst, size_t n)
{
    for (size_t i = 0; i < n; i++)
        dst[i] = (double)src[i];
}

/* Fills out (float32, or float64 via a float32 buffer) with the HOG of one
 * image (n == 0) or of a stack of n images stride bytes apart, in one
 * context and with the GIL released; 0 with an exception set (out kept). */
static int extract_into(const hk_hog_params *p, const hk_image *img, size_t stride, size_t n,
                        PyArrayObject *out, int f64, size_t count, const char *what)
{
    float *tmp = NULL;
    if (count == 0)
        return 1;
    if (f64 && !(tmp = malloc(count * sizeof(float)))) {
        PyErr_NoMemory();
        return 0;
    }
    float *dst = f64 ? tmp : (float *)PyArray_DATA(out);
    hk_status st;
    Py_BEGIN_ALLOW_THREADS
    /* the library splits the images (or the rows of one image) over
     * params.threads threads; results do not depend on the count */
    hk_hog_ctx *ctx = NULL;
    st = hk_hog_ctx_new(&ctx);
    if (st == HK_OK)
        st = n ? hk_hog_extract_stack(ctx, p, img, stride, n, dst, count)
               : hk_hog_extract(ctx, p, img, dst, count);
    hk_hog_ctx_free(ctx);
    if (st == HK_OK && f64)
        widen(tmp, (double *)PyArray_DATA(out), count);
    Py_END_ALLOW_THREADS
    free(tmp);
    if (st != HK_OK) {
        hkpy_raise(st, what);
        return 0;
    }
    return 1;
}

/* Both entry points take (array, the skimage geometry..., out_float64,
 * threads=0); `first` names the array argument. */
static int parse_skimage_call(PyObject *args, PyObject *kwargs, char *first, PyObject **obj,
                              hk_hog_params *p, int *f64)
{
    char *kw[] = {first, "orientations", "cell_rows", "cell_cols", "block_rows", "block_cols",
                  "block_norm", "transform_sqrt", "out_float64", "threads", NULL};
    int orientations, cr, cc, br, bc, norm, sqrt_, threads = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "Oiiiiiipp|i", kw, obj, &orientations, &cr,
                                     &cc, &br, &bc, &norm, &sqrt_, f64, &threads))
        return 0;
    return skimage_params(p, orientations, cr, cc, br, bc, norm, sqrt_, threads);
}

PyObject *hkpy_hog_skimage(PyObject *self, PyObject *args, PyObject *kwargs)
{
    PyObject *obj;
    hk_hog_params p;
    int f64 = 0;
    if (!parse_skimage_call(args, kwargs, "image", &obj, &p, &f64))
        return NULL;
    hkpy_image im;
    if (!hkpy_image_from_array(obj, &im))
        return NULL;

    PyArrayObject *out = NULL;
    hk_shape shape;
    npy_intp dims[HK_MAX_DIMS];
    hk_status st = hk_hog_shape(&p, im.img.width, im.img.height, im.img.channels, &shape);
    if (st != HK_OK) {
        hkpy_raise(st, "hog");
        goto done;
    }
    if (!shape_dims(&shape, dims))
        goto done;
    /* Not zeroed: hk_hog_extract writes every element (or fails, and the
     * array is dropped). */
    out = (PyArrayObject *)PyArray_EMPTY(shape.ndim, dims, f64 ? NPY_FLOAT64 : NPY_FLOAT32, 0);
    if (out && !extract_into(&p, &im.img, 0, 0, out, f64, shape.count, "hog"))
        Py_CLEAR(out);
done:
    Py_XDECREF(im.arr);
    return (PyObject *)out;
}

PyObject *hkpy_hog_skimage_batch(PyObject *self, PyObject *args, PyObject *kwargs)
{
    PyObject *obj;
    hk_hog_params p;
    int f64 = 0;
    if (!parse_skimage_call(args, kwargs, "images", &obj, &p, &f64))
        return NULL;
    PyArrayObject *batch = hkpy_batch_from_array(obj);
    if (!batch)
        return NULL;

    PyArrayObject *out = NULL;
    hk_image first;
    hkpy_image_of_batch(batch, 0, &first);
    size_t n = (size_t)PyArray_DIMS(batch)[0];
    hk_shape shape;
    npy_intp dims[2];
    hk_status st = hk_hog_batch_shape(&p, n, first.width, first.height, first.channels, &shape);
    if (st != HK_OK) {
        hkpy_raise(st, "hog_batch");
        goto done;
    }
    if (!shape_dims(&shape, dims))
        goto done;
    out = (PyArrayObject *)PyArray_EMPTY(2, dims, f64 ? NPY_FLOAT64 : NPY_FLOAT32, 0);
    if (out && !extract_into(&p, &first, (size_t)PyArray_STRIDES(batch)[0], n, out, f64,
                             shape.count, "hog_batch"))
        Py_CLEAR(out);
done:
    Py_DECREF(batch);
    return (PyObject *)out;
}

PyObject *hkpy_maskfeat_targets(PyObject *self, PyObject *args, PyObject *kwargs)
{
    static char *kw[] = {"batch", "nbins", "pool", "gaussian_window", "patch", "normalize",
                         "threads", NULL};
    PyObject *obj;
    hk_hog_params p;
    hk_hog_params_default(&p, HK_VARIANT_MASKFEAT);
    int threads = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "Oiiiip|i", kw, &obj, &p.maskfeat.nbins,
                                     &p.maskfeat.pool, &p.maskfeat.gaussian_window,
                                     &p.maskfeat.patch, &p.maskfeat.normalize, &threads))
        return NULL;
    p.threads = threads;
    hk_status st = hk_hog_params_check(&p);
    if (st != HK_OK)
        return hkpy_raise(st, "maskfeat_targets parameters");
    if (!PyArray_Check(obj) || PyArray_NDIM((PyArrayObject *)obj) != 4 ||
        PyArray_TYPE((PyArrayObject *)obj) != NPY_FLOAT32) {
        PyErr_SetString(PyExc_ValueError, "hogkit: maskfeat_targets takes an (N, C, H, W) "
                                          "float32 array");
        return NULL;
    }
    PyArrayObject *batch =
        (PyArrayObject *)PyArray_FROM_OF(obj, NPY_ARRAY_C_CONTIGUOUS | NPY_ARRAY_ALIGNED);
    if (!batch)
        return NULL;
    const npy_intp *d = PyArray_DIMS(batch);
    PyArrayObject *out = NULL;
    hk_shape shape;
    npy_intp dims[HK_MAX_DIMS];
    st = hk_maskfeat_targets_shape(&p, (size_t)d[0], (size_t)d[1], (size_t)d[2], (size_t)d[3],
                                   &shape);
    if (st != HK_OK) {
        hkpy_raise(st, "maskfeat_targets");
        goto done;
    }
    if (!shape_dims(&shape, dims))
        goto done;
    out = (PyArrayObject *)PyArray_ZEROS(shape.ndim, dims, NPY_FLOAT32, 0);
    if (!out)
        goto done;
    Py_BEGIN_ALLOW_THREADS
    hk_hog_ctx *ctx = NULL;
    st = hk_hog_ctx_new(&ctx);
    if (st == HK_OK)
        st = hk_maskfeat_targets(ctx, &p, (const float *)PyArray_DATA(batch), (size_t)d[0],
                                 (size_t)d[1], (size_t)d[2], (size_t)d[3],
                                 (float *)PyArray_DATA(out), shape.count);
    hk_hog_ctx_free(ctx);
    Py_END_ALLOW_THREADS
    if (st != HK_OK) {
        hkpy_raise(st, "maskfeat_targets");
        Py_CLEAR(out);
    }
done:
    Py_DECREF(batch);
    return (PyObject *)out;
}

PyObject *hkpy_render_skimage(PyObject *self, PyObject *args, PyObject *kwargs)
{
    static char *kw[] = {"image", "orientations", "cell_rows", "cell_cols", "transform_sqrt",
                         NULL};
    PyObject *obj;
    int orientations, cr, cc, sqrt_;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "Oiiip", kw, &obj, &orientations, &cr, &cc,
                                     &sqrt_))
        return NULL;
    hk_hog_params p;
    /* blocks are unused by the picture; any valid values pass the check */
    if (!skimage_params(&p, orientations, cr, cc, 1, 1, HK_NORM_L2_HYS, sqrt_, 1))
        return NULL;
    hkpy_image im;
    if (!hkpy_image_from_array(obj, &im))
        return NULL;
    npy_intp dims[2] = {(npy_intp)im.img.height, (npy_intp)im.img.width};
    PyArrayObject *out = (PyArrayObject *)PyArray_ZEROS(2, dims, NPY_FLOAT64, 0);
    if (out) {
        hk_status st;
        Py_BEGIN_ALLOW_THREADS
        st = hk_skimage_render(&p, &im.img, (double *)PyArray_DATA(out),
                               (size_t)PyArray_SIZE(out));
        Py_END_ALLOW_THREADS
        if (st != HK_OK) {
            hkpy_raise(st, "hog visualize");
            Py_CLEAR(out);
        }
    }
    Py_DECREF(im.arr);
    return (PyObject *)out;
}
