/* Shared declarations of the hogkit CPython extension (python/). The module
 * is a client of the public C API only: every number it returns comes from
 * libhogkit; this code converts NumPy arrays to hk_image views and hk_status
 * codes to Python exceptions. */
#ifndef HKPY_H
#define HKPY_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#define PY_ARRAY_UNIQUE_SYMBOL hkpy_ARRAY_API
#define NPY_NO_DEPRECATED_API NPY_1_7_API_VERSION
#ifndef HKPY_MAIN_UNIT
#define NO_IMPORT_ARRAY
#endif
#include <numpy/arrayobject.h>

#include "hogkit.h"

/* Raises the Python exception that matches `st` (ValueError for bad input,
 * MemoryError, OSError, TypeError for unsupported data) with hogkit's message,
 * prefixed by `what`. Returns NULL so callers can `return hkpy_raise(...)`. */
PyObject *hkpy_raise(hk_status st, const char *what);

/* An array prepared for the library: `arr` is a new reference to an aligned
 * array whose rows are contiguous (a copy only when the caller's is not), and
 * `img` views it. */
typedef struct hkpy_image {
    PyArrayObject *arr;
    hk_image img;
} hkpy_image;

/* Converts an (H, W) or (H, W, C) array of uint8/uint16/float32/float64 (the
 * Python layer casts other dtypes first). Returns 0 with an exception set on
 * failure. */
int hkpy_image_from_array(PyObject *obj, hkpy_image *out);

/* Views image n of a contiguous (N, H, W[, C]) array. */
void hkpy_image_of_batch(PyArrayObject *batch, npy_intp n, hk_image *img);

/* Checks that a batch array has (N, H, W[, C]) shape and a supported dtype,
 * returning a new reference to a C-contiguous aligned version of it. */
PyArrayObject *hkpy_batch_from_array(PyObject *obj);

/* Multiplies a shape's dims into *count with overflow checking; 0 on overflow. */
int hkpy_shape_count(const npy_intp *dims, int ndim, npy_intp *count);

/* Module functions, one file per area. */
PyObject *hkpy_hog_skimage(PyObject *self, PyObject *args, PyObject *kwargs);
PyObject *hkpy_hog_skimage_batch(PyObject *self, PyObject *args, PyObject *kwargs);
PyObject *hkpy_maskfeat_targets(PyObject *self, PyObject *args, PyObject *kwargs);
PyObject *hkpy_hog_opencv(PyObject *self, PyObject *args, PyObject *kwargs);
PyObject *hkpy_opencv_descriptor_size(PyObject *self, PyObject *geometry);
PyObject *hkpy_detect(PyObject *self, PyObject *args, PyObject *kwargs);
PyObject *hkpy_detector_load(PyObject *self, PyObject *args);
PyObject *hkpy_detector_save(PyObject *self, PyObject *args);
PyObject *hkpy_render_skimage(PyObject *self, PyObject *args, PyObject *kwargs);
PyObject *hkpy_fhog(PyObject *self, PyObject *args, PyObject *kwargs);
PyObject *hkpy_glyph_render(PyObject *self, PyObject *args, PyObject *kwargs);
PyObject *hkpy_imread(PyObject *self, PyObject *args, PyObject *kwargs);

#endif
