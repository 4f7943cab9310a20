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
    {"hog_opencv", (PyCFunction)(void (*)(void))hkpy_hog_opencv, METH_VARARGS | METH_KEYWORDS,
     "hog_opencv(image, win_size, block_size, block_stride, cell_size, nbins, win_sigma, "
     "l2hys_threshold, gamma_correction, signed_gradient, win_stride, padding, threads=0) "
     "-> flat float32 descriptors of every window"},
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
    return PyModule_Create(&module);
}
