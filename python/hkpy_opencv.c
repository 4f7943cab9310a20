/* cv2.HOGDescriptor through the library: compute (every window or given
 * locations), getDescriptorSize, detectMultiScale, load and save. The
 * geometry travels from Python as one tuple, GEOMETRY_FMT. */
#include <stdlib.h>

#include "hkpy.h"

#define GEOMETRY_FMT "(ii)(ii)(ii)(ii)iddpp"
#define GEOMETRY_ARGS(o)                                                                    \
    &(o)->win_width, &(o)->win_height, &(o)->block_width, &(o)->block_height,               \
        &(o)->block_stride_x, &(o)->block_stride_y, &(o)->cell_width, &(o)->cell_height,    \
        &(o)->nbins, &(o)->win_sigma, &(o)->l2hys_threshold, &(o)->gamma_correction,        \
        &(o)->signed_gradient

static int parse_geometry(PyObject *tuple, hk_hog_params *p)
{
    hk_hog_params_default(p, HK_VARIANT_OPENCV);
    if (!PyArg_ParseTuple(tuple, GEOMETRY_FMT ";geometry", GEOMETRY_ARGS(&p->opencv)))
        return 0;
    hk_status st = hk_hog_params_check(p);
    if (st != HK_OK) {
        hkpy_raise(st, "HOGDescriptor parameters");
        return 0;
    }
    return 1;
}

static PyObject *geometry_tuple(const hk_opencv_params *o)
{
    return Py_BuildValue("((ii)(ii)(ii)(ii)iddOO)", o->win_width, o->win_height,
                         o->block_width, o->block_height, o->block_stride_x,
                         o->block_stride_y, o->cell_width, o->cell_height, o->nbins,
                         o->win_sigma, o->l2hys_threshold,
                         o->gamma_correction ? Py_True : Py_False,
                         o->signed_gradient ? Py_True : Py_False);
}

PyObject *hkpy_opencv_descriptor_size(PyObject *self, PyObject *geometry)
{
    hk_hog_params p;
    if (!parse_geometry(geometry, &p))
        return NULL;
    size_t n;
    hk_status st = hk_opencv_descriptor_size(&p.opencv, &n);
    if (st != HK_OK)
        return hkpy_raise(st, "getDescriptorSize");
    return PyLong_FromSize_t(n);
}

/* Runs extract (locations == NULL) or compute_locations into a new flat array. */
static PyObject *compute(hk_hog_params *p, PyObject *image, const int32_t *xy, size_t n_loc)
{
    hkpy_image im;
    if (!hkpy_image_from_array(image, &im))
        return NULL;
    PyArrayObject *out = NULL;
    size_t count;
    hk_status st;
    if (xy) {
        size_t d;
        st = hk_opencv_descriptor_size(&p->opencv, &d);
        if (st == HK_OK && __builtin_mul_overflow(d, n_loc, &count))
            st = HK_ERR_OVERFLOW;
    } else {
        hk_shape shape;
        st = hk_hog_shape(p, im.img.width, im.img.height, im.img.channels, &shape);
        count = shape.count;
    }
    if (st == HK_OK && count > (size_t)NPY_MAX_INTP)
        st = HK_ERR_OVERFLOW;
    if (st != HK_OK) {
        hkpy_raise(st, "HOGDescriptor.compute");
        goto done;
    }
    npy_intp n = (npy_intp)count;
    out = (PyArrayObject *)PyArray_ZEROS(1, &n, NPY_FLOAT32, 0);
    if (!out)
        goto done;
    Py_BEGIN_ALLOW_THREADS
    hk_hog_ctx *ctx = NULL;
    st = hk_hog_ctx_new(&ctx);
    if (st == HK_OK && xy)
        st = hk_opencv_compute_locations(ctx, p, &im.img, xy, n_loc,
                                         (float *)PyArray_DATA(out), count);
    else if (st == HK_OK)
        st = hk_hog_extract(ctx, p, &im.img, (float *)PyArray_DATA(out), count);
    hk_hog_ctx_free(ctx);
    Py_END_ALLOW_THREADS
    if (st != HK_OK) {
        hkpy_raise(st, "HOGDescriptor.compute");
        Py_CLEAR(out);
    }
done:
    Py_XDECREF(im.arr);
    return (PyObject *)out;
}

PyObject *hkpy_hog_opencv(PyObject *self, PyObject *args, PyObject *kwargs)
{
    static char *kw[] = {"image", "geometry", "win_stride", "padding", "locations", "threads",
                         NULL};
    PyObject *image, *geometry, *locations = Py_None;
    int sx, sy, px, py, threads = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "OO(ii)(ii)|Oi", kw, &image, &geometry, &sx,
                                     &sy, &px, &py, &locations, &threads))
        return NULL;
    hk_hog_params p;
    if (!parse_geometry(geometry, &p))
        return NULL;
    p.threads = threads;
    p.opencv.win_stride_x = sx;
    p.opencv.win_stride_y = sy;
    p.opencv.pad_x = px;
    p.opencv.pad_y = py;
    hk_status st = hk_hog_params_check(&p);
    if (st != HK_OK)
        return hkpy_raise(st, "HOGDescriptor.compute");
    if (locations == Py_None)
        return compute(&p, image, NULL, 0);
    PyArrayObject *loc = (PyArrayObject *)PyArray_FROMANY(
        locations, NPY_INT32, 2, 2, NPY_ARRAY_C_CONTIGUOUS | NPY_ARRAY_ALIGNED);
    if (!loc)
        return NULL;
    PyObject *out = NULL;
    if (PyArray_DIMS(loc)[1] != 2)
        PyErr_SetString(PyExc_ValueError, "hogkit: locations must be (x, y) points");
    else
        out = compute(&p, image, (const int32_t *)PyArray_DATA(loc),
                      (size_t)PyArray_DIMS(loc)[0]);
    Py_DECREF(loc);
    return out;
}

PyObject *hkpy_detect(PyObject *self, PyObject *args, PyObject *kwargs)
{
    static char *kw[] = {"image", "geometry", "coefficients", "nlevels", "hit_threshold",
                         "win_stride", "padding", "scale", "group_threshold", "grouping",
                         "threads", NULL};
    PyObject *image, *geometry, *coefobj;
    hk_detect_params dp;
    hk_detect_params_default(&dp);
    int grouping;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "OOOid(ii)(ii)ddi|i", kw, &image, &geometry,
                                     &coefobj, &dp.nlevels, &dp.hit_threshold,
                                     &dp.win_stride_x, &dp.win_stride_y, &dp.pad_x, &dp.pad_y,
                                     &dp.scale, &dp.group_threshold, &grouping, &dp.threads))
        return NULL;
    if (grouping < HK_GROUP_OPENCV || grouping > HK_GROUP_NONE)
        return hkpy_raise(HK_ERR_INVALID_ARG, "detect grouping");
    dp.grouping = (hk_grouping)grouping;
    hk_hog_params p;
    if (!parse_geometry(geometry, &p))
        return NULL;
    PyArrayObject *coef = (PyArrayObject *)PyArray_FROMANY(
        coefobj, NPY_FLOAT32, 1, 1, NPY_ARRAY_C_CONTIGUOUS | NPY_ARRAY_ALIGNED);
    if (!coef)
        return NULL;
    hkpy_image im = {NULL};
    hk_detector *det = NULL;
    hk_box *boxes = NULL;
    PyObject *result = NULL;
    hk_status st = hk_detector_new(&p.opencv, (const float *)PyArray_DATA(coef),
                                   (size_t)PyArray_SIZE(coef), &det);
    if (st != HK_OK) {
        hkpy_raise(st, "setSVMDetector");
        goto done;
    }
    if (!hkpy_image_from_array(image, &im))
        goto done;
    size_t cap = 256, count = 0;
    for (;;) {
        hk_box *nb = realloc(boxes, cap * sizeof *boxes);
        if (!nb) {
            PyErr_NoMemory();
            goto done;
        }
        boxes = nb;
        Py_BEGIN_ALLOW_THREADS
        st = hk_detector_detect(det, &dp, &im.img, boxes, cap, &count);
        Py_END_ALLOW_THREADS
        if (st != HK_ERR_BUFFER_TOO_SMALL || count <= cap)
            break;
        cap = count;
    }
    if (st != HK_OK) {
        hkpy_raise(st, "detectMultiScale");
        goto done;
    }
    npy_intp bd[2] = {(npy_intp)count, 4}, wd[1] = {(npy_intp)count};
    PyArrayObject *rects = (PyArrayObject *)PyArray_ZEROS(2, bd, NPY_INT32, 0);
    PyArrayObject *weights = (PyArrayObject *)PyArray_ZEROS(1, wd, NPY_FLOAT64, 0);
    if (rects && weights) {
        int32_t *r = PyArray_DATA(rects);
        double *w = PyArray_DATA(weights);
        for (size_t i = 0; i < count; i++) {
            r[4 * i] = boxes[i].x;
            r[4 * i + 1] = boxes[i].y;
            r[4 * i + 2] = boxes[i].w;
            r[4 * i + 3] = boxes[i].h;
            w[i] = boxes[i].score;
        }
        result = Py_BuildValue("(NN)", rects, weights);
    } else {
        Py_XDECREF(rects);
        Py_XDECREF(weights);
    }
done:
    free(boxes);
    hk_detector_free(det);
    Py_XDECREF(im.arr);
    Py_DECREF(coef);
    return result;
}

PyObject *hkpy_detector_load(PyObject *self, PyObject *args)
{
    PyObject *path;
    if (!PyArg_ParseTuple(args, "O&", PyUnicode_FSConverter, &path))
        return NULL;
    hk_detector *det = NULL;
    PyObject *result = NULL;
    hk_status st;
    Py_BEGIN_ALLOW_THREADS
    st = hk_detector_load(PyBytes_AS_STRING(path), NULL, &det);
    Py_END_ALLOW_THREADS
    Py_DECREF(path);
    if (st != HK_OK)
        return hkpy_raise(st, "HOGDescriptor.load");
    hk_opencv_params g;
    int nlevels;
    size_t n;
    st = hk_detector_info(det, &g, &nlevels, &n);
    npy_intp dims[1] = {(npy_intp)n};
    PyArrayObject *coef = st == HK_OK ? (PyArrayObject *)PyArray_ZEROS(1, dims, NPY_FLOAT32, 0)
                                      : NULL;
    if (coef)
        st = hk_detector_coefficients(det, (float *)PyArray_DATA(coef), n);
    if (st != HK_OK)
        hkpy_raise(st, "HOGDescriptor.load");
    else if (coef)
        result = Py_BuildValue("(NiO)", geometry_tuple(&g), nlevels, (PyObject *)coef);
    Py_XDECREF(coef);
    hk_detector_free(det);
    return result;
}

PyObject *hkpy_detector_save(PyObject *self, PyObject *args)
{
    PyObject *path, *geometry, *coefobj;
    if (!PyArg_ParseTuple(args, "O&OO", PyUnicode_FSConverter, &path, &geometry, &coefobj))
        return NULL;
    hk_hog_params p;
    PyArrayObject *coef = NULL;
    hk_detector *det = NULL;
    PyObject *result = NULL;
    if (!parse_geometry(geometry, &p))
        goto done;
    coef = (PyArrayObject *)PyArray_FROMANY(coefobj, NPY_FLOAT32, 1, 1,
                                            NPY_ARRAY_C_CONTIGUOUS | NPY_ARRAY_ALIGNED);
    if (!coef)
        goto done;
    hk_status st = hk_detector_new(&p.opencv, (const float *)PyArray_DATA(coef),
                                   (size_t)PyArray_SIZE(coef), &det);
    if (st == HK_OK) {
        Py_BEGIN_ALLOW_THREADS
        st = hk_detector_save(det, PyBytes_AS_STRING(path));
        Py_END_ALLOW_THREADS
    }
    if (st != HK_OK)
        hkpy_raise(st, "HOGDescriptor.save");
    else
        result = Py_NewRef(Py_None);
done:
    hk_detector_free(det);
    Py_XDECREF(coef);
    Py_DECREF(path);
    return result;
}
