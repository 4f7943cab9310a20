/* fhog: the VLFeat (UoCTTI, Dalal-Triggs) and dlib variants, and the glyph
 * picture of their features. */
#include <stdlib.h>

#include "hkpy.h"

PyObject *hkpy_fhog(PyObject *self, PyObject *args, PyObject *kwargs)
{
    static char *kw[] = {"image", "variant", "cell_size", "orientations",
                         "bilinear_orientations", "filter_rows_padding",
                         "filter_cols_padding", "threads", NULL};
    PyObject *obj;
    int variant, cell, orient, bilinear, pad_r, pad_c, threads = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "Oiiipii|i", kw, &obj, &variant, &cell,
                                     &orient, &bilinear, &pad_r, &pad_c, &threads))
        return NULL;
    if (variant != HK_VARIANT_VLFEAT_DT && variant != HK_VARIANT_VLFEAT_UOCTTI &&
        variant != HK_VARIANT_DLIB)
        return hkpy_raise(HK_ERR_INVALID_ARG, "fhog variant");
    hk_hog_params p;
    hk_hog_params_default(&p, (hk_variant)variant);
    p.threads = threads;
    p.vlfeat.cell_size = cell;
    p.vlfeat.orientations = orient;
    p.vlfeat.bilinear_orientations = bilinear;
    p.dlib.cell_size = cell;
    p.dlib.filter_rows_padding = pad_r;
    p.dlib.filter_cols_padding = pad_c;
    hk_status st = hk_hog_params_check(&p);
    if (st != HK_OK)
        return hkpy_raise(st, "fhog parameters");
    hkpy_image im;
    if (!hkpy_image_from_array(obj, &im))
        return NULL;
    PyArrayObject *out = NULL;
    hk_shape shape;
    npy_intp dims[HK_MAX_DIMS];
    st = hk_hog_shape(&p, im.img.width, im.img.height, im.img.channels, &shape);
    if (st != HK_OK) {
        hkpy_raise(st, "fhog");
        goto done;
    }
    for (int i = 0; i < shape.ndim; i++)
        dims[i] = (npy_intp)shape.dims[i]; /* each <= count, which the library checked */
    out = (PyArrayObject *)PyArray_ZEROS(shape.ndim, dims, NPY_FLOAT32, 0);
    if (!out)
        goto done;
    Py_BEGIN_ALLOW_THREADS
    hk_hog_ctx *ctx = NULL;
    st = hk_hog_ctx_new(&ctx);
    if (st == HK_OK)
        st = hk_hog_extract(ctx, &p, &im.img, (float *)PyArray_DATA(out), shape.count);
    hk_hog_ctx_free(ctx);
    Py_END_ALLOW_THREADS
    if (st != HK_OK) {
        hkpy_raise(st, "fhog");
        Py_CLEAR(out);
    }
done:
    Py_XDECREF(im.arr);
    return (PyObject *)out;
}

PyObject *hkpy_glyph_render(PyObject *self, PyObject *args, PyObject *kwargs)
{
    static char *kw[] = {"features", "variant", "orientations", NULL};
    PyObject *obj;
    int variant, orient;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "Oii", kw, &obj, &variant, &orient))
        return NULL;
    PyArrayObject *f = (PyArrayObject *)PyArray_FROMANY(obj, NPY_FLOAT32, 3, 3,
                                                         NPY_ARRAY_C_CONTIGUOUS |
                                                             NPY_ARRAY_ALIGNED);
    if (!f)
        return NULL;
    const npy_intp *d = PyArray_DIMS(f);
    npy_intp dims[2];
    PyArrayObject *out = NULL;
    if (__builtin_mul_overflow(d[1], (npy_intp)HK_GLYPH_SIZE, &dims[0]) ||
        __builtin_mul_overflow(d[2], (npy_intp)HK_GLYPH_SIZE, &dims[1]) ||
        !hkpy_shape_count(dims, 2, &(npy_intp){0})) {
        hkpy_raise(HK_ERR_OVERFLOW, "render");
        goto done;
    }
    out = (PyArrayObject *)PyArray_ZEROS(2, dims, NPY_FLOAT32, 0);
    if (!out)
        goto done;
    hk_status st;
    Py_BEGIN_ALLOW_THREADS
    st = hk_hog_glyph_render((hk_variant)variant, (const float *)PyArray_DATA(f), (size_t)d[0],
                             (size_t)d[1], (size_t)d[2], orient, (float *)PyArray_DATA(out),
                             (size_t)PyArray_SIZE(out));
    Py_END_ALLOW_THREADS
    if (st != HK_OK) {
        hkpy_raise(st, "render");
        Py_CLEAR(out);
    }
done:
    Py_DECREF(f);
    return (PyObject *)out;
}
