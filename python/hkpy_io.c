/* hogkit._hogkit.imread: hogkit's own hostile-input-safe image readers,
 * returning the decoded samples as a NumPy array. */
#include <string.h>

#include "hkpy.h"

static int npy_type(hk_sample_type t)
{
    switch (t) {
    case HK_U8: return NPY_UINT8;
    case HK_U16: return NPY_UINT16;
    case HK_F32: return NPY_FLOAT32;
    case HK_F64: return NPY_FLOAT64;
    }
    return -1;
}

PyObject *hkpy_imread(PyObject *self, PyObject *args, PyObject *kwargs)
{
    static char *kw[] = {"path", "max_pixels", NULL};
    PyObject *path_obj = NULL;
    unsigned long long max_pixels = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O&|K", kw, PyUnicode_FSConverter, &path_obj,
                                     &max_pixels))
        return NULL;
    hk_limits limits;
    hk_limits_default(&limits);
    if (max_pixels)
        limits.max_pixels = max_pixels;
    hk_image img;
    hk_status st;
    const char *path = PyBytes_AS_STRING(path_obj);
    Py_BEGIN_ALLOW_THREADS
    st = hk_image_load(path, &limits, &img);
    Py_END_ALLOW_THREADS
    if (st != HK_OK) {
        PyObject *r = hkpy_raise(st, path);
        Py_DECREF(path_obj);
        return r;
    }
    Py_DECREF(path_obj);
    npy_intp dims[3] = {img.height, img.width, img.channels};
    PyArrayObject *arr =
        (PyArrayObject *)PyArray_SimpleNew(img.channels == 1 ? 2 : 3, dims, npy_type(img.type));
    if (arr) {
        size_t row = (size_t)img.width * img.channels * hk_sample_size(img.type);
        for (uint32_t y = 0; y < img.height; y++)
            memcpy((char *)PyArray_DATA(arr) + y * row,
                   (const char *)img.data + y * img.stride, row);
    }
    hk_image_free(&img);
    return (PyObject *)arr;
}
