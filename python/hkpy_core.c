/* Error mapping and NumPy array -> hk_image conversion for the extension. */
#include "hkpy.h"

PyObject *hkpy_raise(hk_status st, const char *what)
{
    PyObject *type;
    switch (st) {
    case HK_ERR_NOMEM:
        type = PyExc_MemoryError;
        break;
    case HK_ERR_IO:
        type = PyExc_OSError;
        break;
    case HK_ERR_UNSUPPORTED:
        type = PyExc_TypeError;
        break;
    default:
        type = PyExc_ValueError;
    }
    if (what && *what)
        PyErr_Format(type, "hogkit: %s: %s", what, hk_strerror(st));
    else
        PyErr_Format(type, "hogkit: %s", hk_strerror(st));
    return NULL;
}

int hkpy_shape_count(const npy_intp *dims, int ndim, npy_intp *count)
{
    npy_intp c = 1;
    for (int i = 0; i < ndim; i++)
        if (dims[i] < 0 || __builtin_mul_overflow(c, dims[i], &c))
            return 0;
    *count = c;
    return 1;
}

static int sample_type_of(PyArrayObject *arr, hk_sample_type *type)
{
    if (!PyArray_ISNOTSWAPPED(arr))
        return 0;
    switch (PyArray_TYPE(arr)) {
    case NPY_UINT8: *type = HK_U8; return 1;
    case NPY_UINT16: *type = HK_U16; return 1;
    case NPY_FLOAT32: *type = HK_F32; return 1;
    case NPY_FLOAT64: *type = HK_F64; return 1;
    default: return 0;
    }
}

/* Rejects what the library's uint32 sizes cannot express, before any cast,
 * and images over hogkit's default pixel limit (hk_limits.max_pixels), before
 * a copy of a broadcast view could allocate gigabytes. */
static int check_dims(const npy_intp *dims, int n_spatial, npy_intp channels)
{
    hk_limits lim;
    hk_limits_default(&lim);
    for (int i = 0; i < n_spatial; i++)
        if (dims[i] <= 0 || (unsigned long long)dims[i] > UINT32_MAX) {
            PyErr_Format(PyExc_ValueError,
                         "hogkit: image dimension %zd is out of range (1 .. 4294967295)",
                         (Py_ssize_t)dims[i]);
            return 0;
        }
    if ((uint64_t)dims[0] * (uint64_t)dims[1] > lim.max_pixels) {
        PyErr_Format(PyExc_ValueError,
                     "hogkit: %zd x %zd image: %s (at most %llu pixels)", (Py_ssize_t)dims[0],
                     (Py_ssize_t)dims[1], hk_strerror(HK_ERR_LIMIT),
                     (unsigned long long)lim.max_pixels);
        return 0;
    }
    if (channels < 1 || channels > (npy_intp)HK_MAX_CHANNELS) {
        PyErr_Format(PyExc_ValueError, "hogkit: %zd channels; hogkit takes 1 to %u",
                     (Py_ssize_t)channels, HK_MAX_CHANNELS);
        return 0;
    }
    return 1;
}

int hkpy_image_from_array(PyObject *obj, hkpy_image *out)
{
    out->arr = NULL;
    if (!PyArray_Check(obj)) {
        PyErr_SetString(PyExc_TypeError, "hogkit: expected a numpy.ndarray");
        return 0;
    }
    PyArrayObject *arr = (PyArrayObject *)obj;
    int nd = PyArray_NDIM(arr);
    if (nd != 2 && nd != 3) {
        PyErr_Format(PyExc_ValueError, "hogkit: expected a 2-D or 3-D image, got %d-D", nd);
        return 0;
    }
    hk_sample_type type;
    if (!sample_type_of(arr, &type)) {
        PyErr_SetString(PyExc_TypeError,
                        "hogkit: image dtype must be native uint8, uint16, float32 or float64");
        return 0;
    }
    const npy_intp *dims = PyArray_DIMS(arr);
    npy_intp channels = nd == 3 ? dims[2] : 1;
    if (!check_dims(dims, 2, channels))
        return 0;
    /* Rows may be anywhere (a crop of a bigger array keeps its row stride);
     * within a row, samples must be packed as hk_image requires. */
    npy_intp ss = PyArray_ITEMSIZE(arr);
    const npy_intp *st = PyArray_STRIDES(arr);
    int packed = PyArray_ISALIGNED(arr) && st[0] > 0 && st[0] % ss == 0 &&
                 st[1] == ss * channels && (nd == 2 || st[2] == ss) &&
                 st[0] >= dims[1] * channels * ss;
    if (packed) {
        Py_INCREF(arr);
        out->arr = arr;
    } else {
        out->arr = (PyArrayObject *)PyArray_NewCopy(arr, NPY_CORDER);
        if (!out->arr)
            return 0;
    }
    out->img.width = (uint32_t)dims[1];
    out->img.height = (uint32_t)dims[0];
    out->img.channels = (uint32_t)channels;
    out->img.type = type;
    out->img.stride = (size_t)PyArray_STRIDES(out->arr)[0];
    out->img.data = PyArray_DATA(out->arr);
    return 1;
}

PyArrayObject *hkpy_batch_from_array(PyObject *obj)
{
    if (!PyArray_Check(obj)) {
        PyErr_SetString(PyExc_TypeError, "hogkit: expected a numpy.ndarray");
        return NULL;
    }
    PyArrayObject *arr = (PyArrayObject *)obj;
    int nd = PyArray_NDIM(arr);
    if (nd != 3 && nd != 4) {
        PyErr_Format(PyExc_ValueError,
                     "hogkit: expected an (N, H, W) or (N, H, W, C) batch, got %d-D", nd);
        return NULL;
    }
    hk_sample_type type;
    if (!sample_type_of(arr, &type)) {
        PyErr_SetString(PyExc_TypeError,
                        "hogkit: batch dtype must be native uint8, uint16, float32 or float64");
        return NULL;
    }
    const npy_intp *dims = PyArray_DIMS(arr);
    if (!check_dims(dims + 1, 2, nd == 4 ? dims[3] : 1))
        return NULL;
    return (PyArrayObject *)PyArray_FROM_OF(obj, NPY_ARRAY_C_CONTIGUOUS | NPY_ARRAY_ALIGNED);
}

void hkpy_image_of_batch(PyArrayObject *batch, npy_intp n, hk_image *img)
{
    const npy_intp *dims = PyArray_DIMS(batch);
    int nd = PyArray_NDIM(batch);
    img->height = (uint32_t)dims[1];
    img->width = (uint32_t)dims[2];
    img->channels = nd == 4 ? (uint32_t)dims[3] : 1;
    sample_type_of(batch, &img->type);
    img->stride = (size_t)PyArray_STRIDES(batch)[1];
    img->data = (const char *)PyArray_DATA(batch) + n * PyArray_STRIDES(batch)[0];
}
