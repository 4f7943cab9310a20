"""hogkit.HOGDescriptor against the real cv2.HOGDescriptor (OpenCV 4.6):
constructors and attributes, getDescriptorSize, compute (every window,
winStride, padding, locations), detectMultiScale with OpenCV's people
detector, and files moving both ways through save/load."""
import cv2
import numpy as np
import pytest

import hogkit

TOL = 1e-5
CV_DATA = "/usr/share/doc/opencv-doc/examples/data"
ATTRS = ["winSize", "blockSize", "blockStride", "cellSize", "nbins", "derivAperture",
         "winSigma", "histogramNormType", "L2HysThreshold", "gammaCorrection", "nlevels",
         "signedGradient"]
SMALL = ((32, 64), (16, 16), (8, 8), (8, 8), 9)


def same_attrs(a, b):
    for k in ATTRS:
        assert getattr(a, k) == getattr(b, k), (k, getattr(a, k), getattr(b, k))
    assert a.getWinSigma() == b.getWinSigma()


def photo(name, flags=cv2.IMREAD_COLOR):
    img = cv2.imread(f"{CV_DATA}/{name}", flags)
    assert img is not None, name
    return img


def noise(shape, seed=0):
    return np.random.default_rng(seed).integers(0, 256, shape, dtype=np.uint8)


def close(got, ref):
    assert got.dtype == ref.dtype == np.float32
    assert got.shape == ref.shape, (got.shape, ref.shape)
    if ref.size:
        assert np.abs(got - ref).max() <= TOL


def test_constructors_and_defaults():
    same_attrs(hogkit.HOGDescriptor(), cv2.HOGDescriptor())
    # the long constructor defaults gammaCorrection to False, unlike the short one
    same_attrs(hogkit.HOGDescriptor(*SMALL), cv2.HOGDescriptor(*SMALL))
    args = ((48, 96), (16, 16), (8, 8), (8, 8), 9, 1, 2.5, 0, 0.3, True, 32, True)
    same_attrs(hogkit.HOGDescriptor(*args), cv2.HOGDescriptor(*args))
    kw = dict(_winSize=(64, 64), _blockSize=(32, 32), _blockStride=(16, 16),
              _cellSize=(16, 16), _nbins=12, _signedGradient=True, _L2HysThreshold=0.1)
    same_attrs(hogkit.HOGDescriptor(**kw), cv2.HOGDescriptor(**kw))
    assert hogkit.HOGDescriptor.L2Hys == cv2.HOGDescriptor_L2Hys
    with pytest.raises(TypeError):
        hogkit.HOGDescriptor((64, 128))


@pytest.mark.parametrize("args", [SMALL, ((64, 128), (16, 16), (8, 8), (8, 8), 9),
                                  ((48, 96), (16, 16), (8, 8), (4, 4), 6),
                                  ((64, 64), (32, 32), (16, 16), (8, 16), 18)])
def test_descriptor_size(args):
    assert hogkit.HOGDescriptor(*args).getDescriptorSize() == \
        cv2.HOGDescriptor(*args).getDescriptorSize()


def test_compute_defaults_on_photos():
    for name in ("basketball1.png", "fruits.jpg"):
        img = photo(name)
        for im in (img, cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)):
            close(hogkit.HOGDescriptor().compute(im, (32, 32)),
                  cv2.HOGDescriptor().compute(im, (32, 32)))


@pytest.mark.parametrize("stride,pad", [((8, 8), (0, 0)), ((16, 8), (8, 8)), ((8, 16), (5, 3)),
                                        ((24, 24), (32, 16))])
def test_compute_stride_padding(stride, pad):
    img = noise((150, 110, 3), seed=1)
    for args in (SMALL, ((32, 64), (16, 16), (8, 8), (8, 8), 9, 1, -1, 0, 0.2, True, 64, True)):
        h, c = hogkit.HOGDescriptor(*args), cv2.HOGDescriptor(*args)
        close(h.compute(img, stride, pad), c.compute(img, stride, pad))
        close(h.compute(img[:, :, 1], winStride=stride, padding=pad),
              c.compute(img[:, :, 1], winStride=stride, padding=pad))


def test_compute_locations_and_views():
    img = noise((120, 100), seed=2)
    h, c = hogkit.HOGDescriptor(*SMALL), cv2.HOGDescriptor(*SMALL)
    locs = [(0, 0), (8, 16), (64, 48), (40, 8)]
    close(h.compute(img, (8, 8), (0, 0), locs), c.compute(img, (8, 8), (0, 0), locs))
    close(h.compute(img, locations=[]), c.compute(img, locations=[]))
    # a non-contiguous view gives the numbers of its contiguous copy
    view = noise((200, 300, 3), seed=3)[10:170:2, 20:280:3]
    close(h.compute(view), c.compute(np.ascontiguousarray(view)))


def test_detect_multiscale_people():
    img = photo("basketball1.png")
    people = cv2.HOGDescriptor_getDefaultPeopleDetector()
    assert np.array_equal(hogkit.HOGDescriptor_getDefaultPeopleDetector(), people)
    h, c = hogkit.HOGDescriptor(), cv2.HOGDescriptor()
    h.setSVMDetector(people)
    c.setSVMDetector(people)
    for kw in ({}, {"winStride": (8, 8), "padding": (16, 16), "scale": 1.1},
               {"hitThreshold": 0.2, "groupThreshold": 0}):
        for im in (img, cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)):
            rr, rw = c.detectMultiScale(im, **kw)
            gr, gw = h.detectMultiScale(im, **kw)
            assert len(gr) == len(rr), (kw, gr, rr)
            if len(rr):
                assert gr.dtype == rr.dtype and gw.dtype == rw.dtype
                ref = sorted(zip(map(tuple, rr.tolist()), np.ravel(rw)))
                got = sorted(zip(map(tuple, gr.tolist()), np.ravel(gw)))
                assert [r for r, _ in got] == [r for r, _ in ref]
                assert np.allclose([w for _, w in got], [w for _, w in ref], atol=1e-4)
    assert h.detectMultiScale(np.zeros((130, 70), np.uint8)) == ((), ())
    for args in ((), (-0.5, (16, 16), (8, 8)), (-1.0, (8, 8), (0, 0))):
        for im in (img, cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)):
            rp, rw = c.detect(im, *args)
            gp, gw = h.detect(im, *args)
            assert len(gp) == len(rp), args
            if len(rp):
                assert gp.dtype == rp.dtype and np.array_equal(gp, rp)
                assert np.allclose(gw, np.ravel(rw), atol=1e-4)


def test_save_load_both_ways(tmp_path):
    coef = np.random.default_rng(4).standard_normal(757).astype(np.float32)
    args = (SMALL + (1, 3.0, 0, 0.25, True, 64, True))
    for ext in (".yml", ".xml"):
        for with_det in (True, False):
            for nlevels in (64, 20):
                a = args[:10] + (nlevels,) + args[11:]
                h, c = hogkit.HOGDescriptor(*a), cv2.HOGDescriptor(*a)
                if with_det:
                    h.setSVMDetector(coef)
                    c.setSVMDetector(coef)
                p1, p2 = str(tmp_path / f"hk{ext}"), str(tmp_path / f"cv{ext}")
                h.save(p1)
                c.save(p2)
                c2, h2 = cv2.HOGDescriptor(), hogkit.HOGDescriptor()
                assert c2.load(p1) and h2.load(p2)
                same_attrs(c2, c)
                same_attrs(h2, c)
                assert np.array_equal(np.ravel(c2.svmDetector), np.ravel(c.svmDetector))
                assert np.array_equal(np.ravel(h2.svmDetector), np.ravel(c.svmDetector))
                h3 = hogkit.HOGDescriptor(p2)
                same_attrs(h3, c)
    assert not hogkit.HOGDescriptor().load(str(tmp_path / "missing.yml"))


def test_errors():
    h = hogkit.HOGDescriptor()
    with pytest.raises(TypeError):
        h.compute(np.zeros((128, 64), np.float32))
    with pytest.raises(ValueError):
        h.compute(np.zeros((128, 64, 4), np.uint8))
    with pytest.raises(ValueError, match="too small"):
        h.compute(np.zeros((10, 10), np.uint8))     # OpenCV itself corrupts its heap here
    with pytest.raises(ValueError):
        hogkit.HOGDescriptor((64, 128), (16, 16), (7, 7), (8, 8), 9).compute(
            np.zeros((128, 64), np.uint8))
    with pytest.raises(ValueError):
        h.setSVMDetector(np.zeros(10, np.float32))
    with pytest.raises(ValueError):
        h.detectMultiScale(np.zeros((128, 64), np.uint8))   # no detector set
