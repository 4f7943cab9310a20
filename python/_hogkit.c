/* The hogkit._hogkit extension module: low-level entry points that the pure
 * Python package (python/hogkit/) wraps with the reference libraries'
 * signatures and defaults. */
#define HKPY_MAIN_UNIT
#include "hkpy.h"

static PyObject *hkpy_strerror(PyObject *self, PyObject *arg)
{
    long code = PyLong_AsLong(arg);
    if (code == -1 && PyErr_Occurred())
        return NULL;
    return PyUnicode_FromString(hk_strerror((hk_status)code));
}

static PyObject *hkpy_version(PyObject *self, PyObject *unused)
{
    return PyUnicode_FromString(hk_version_string());
}

static PyMethodDef methods[] = {
    {"hog_skimage", (PyCFunction)(void (*)(void))hkpy_hog_skimage, METH_VARARGS | METH_KEYWORDS,
     "hog_skimage(image, orientations, cell_rows, cell_cols, block_rows, block_cols, "
     "block_norm, transform_sqrt, out_float64, threads=0) -> 5-D array"},
    {"hog_skimage_batch", (PyCFunction)(void (*)(void))hkpy_hog_skimage_batch,
     METH_VARARGS | METH_KEYWORDS,
     "hog_skimage_batch(images, ...same as hog_skimage...) -> (N, D) array"},
#define KW(name, fn, doc) {name, (PyCFunction)(void (*)(void))fn, METH_VARARGS | METH_KEYWORDS, doc}
    KW("hog_opencv", hkpy_hog_opencv,
       "hog_opencv(image, geometry, win_stride, padding, locations=None, threads=0) -> flat "
       "float32 descriptors of every window (or of the windows at locations)"),
    {"opencv_descriptor_size", hkpy_opencv_descriptor_size, METH_O,
     "opencv_descriptor_size(geometry) -> floats per window"},
    KW("detect", hkpy_detect,
       "detect(image, geometry, coefficients, nlevels, hit_threshold, win_stride, padding, "
       "scale, group_threshold, grouping (hk_grouping), threads=0) -> (rects int32 (n, 4), weights)"),
    {"detector_load", hkpy_detector_load, METH_VARARGS,
     "detector_load(path) -> (geometry, nlevels, coefficients)"},
    {"detector_save", hkpy_detector_save, METH_VARARGS,
     "detector_save(path, geometry, coefficients)"},
    KW("render_skimage", hkpy_render_skimage,
       "render_skimage(image, orientations, cell_rows, cell_cols, transform_sqrt) -> "
       "float64 hog_image"),
    KW("fhog", hkpy_fhog,
       "fhog(image, variant, cell_size, orientations, bilinear_orientations, "
       "filter_rows_padding, filter_cols_padding, threads=0) -> (D, rows, cols) float32"),
    KW("glyph_render", hkpy_glyph_render,
       "glyph_render(features (D, rows, cols), variant, orientations) -> float32 picture"),
    {"maskfeat_targets", (PyCFunction)(void (*)(void))hkpy_maskfeat_targets,
     METH_VARARGS | METH_KEYWORDS,
     "maskfeat_targets(batch, nbins, pool, gaussian_window, patch, normalize, threads=0) "
     "-> (N, patches, dims) float32"},
    {"imread", (PyCFunction)(void (*)(void))hkpy_imread, METH_VARARGS | METH_KEYWORDS,
     "imread(path, max_pixels=0) -> (H, W) or (H, W, C) array decoded by hogkit's readers"},
    {"strerror", hkpy_strerror, METH_O, "strerror(code) -> hogkit's message for a status"},
    {"version", hkpy_version, METH_NOARGS, "version() -> version of the linked libhogkit"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_hogkit", "hogkit C extension (use the hogkit package)", -1, methods,
    NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__hogkit(void)
{
    import_array();
    PyObject *m = PyModule_Create(&module);
    if (!m)
        return NULL;
    /* The largest image (H * W) the wrappers accept, hogkit's default limit;
     * checked before any cast or copy is made. */
    hk_limits lim;
    hk_limits_default(&lim);
    if (PyModule_AddObject(m, "MAX_PIXELS", PyLong_FromUnsignedLongLong(lim.max_pixels)) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
