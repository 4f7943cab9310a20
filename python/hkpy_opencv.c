/* cv2.HOGDescriptor.compute through the library's OpenCV variant. */
#include <stdlib.h>

#include "hkpy.h"

PyObject *hkpy_hog_opencv(PyObject *self, PyObject *args, PyObject *kwargs)
{
    static char *kw[] = {"image", "win_size", "block_size", "block_stride", "cell_size",
                         "nbins", "win_sigma", "l2hys_threshold", "gamma_correction",
                         "signed_gradient", "win_stride", "padding", "threads", NULL};
    PyObject *obj;
    hk_hog_params p;
    hk_hog_params_default(&p, HK_VARIANT_OPENCV);
    hk_opencv_params *o = &p.opencv;
    int threads = 0;
    if (!PyArg_ParseTupleAndKeywords(
            args, kwargs, "O(ii)(ii)(ii)(ii)iddpp(ii)(ii)|i", kw, &obj, &o->win_width,
            &o->win_height, &o->block_width, &o->block_height, &o->block_stride_x,
            &o->block_stride_y, &o->cell_width, &o->cell_height, &o->nbins, &o->win_sigma,
            &o->l2hys_threshold, &o->gamma_correction, &o->signed_gradient, &o->win_stride_x,
            &o->win_stride_y, &o->pad_x, &o->pad_y, &threads))
        return NULL;
    p.threads = threads;
    hk_status st = hk_hog_params_check(&p);
    if (st != HK_OK)
        return hkpy_raise(st, "HOGDescriptor parameters");
    hkpy_image im;
    if (!hkpy_image_from_array(obj, &im))
        return NULL;

    PyArrayObject *out = NULL;
    hk_shape shape;
    st = hk_hog_shape(&p, im.img.width, im.img.height, im.img.channels, &shape);
    if (st != HK_OK) {
        hkpy_raise(st, "HOGDescriptor.compute");
        goto done;
    }
    if (shape.count > (size_t)NPY_MAX_INTP) {
        hkpy_raise(HK_ERR_OVERFLOW, "HOGDescriptor.compute");
        goto done;
    }
    /* OpenCV returns the windows' descriptors one after the other, flat. */
    npy_intp n = (npy_intp)shape.count;
    out = (PyArrayObject *)PyArray_ZEROS(1, &n, NPY_FLOAT32, 0);
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
        hkpy_raise(st, "HOGDescriptor.compute");
        Py_CLEAR(out);
    }
done:
    Py_XDECREF(im.arr);
    return (PyObject *)out;
}
