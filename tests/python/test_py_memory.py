"""Reference counts and memory over many calls: no growth (tracemalloc for
Python objects, resident set size for C allocations), on success and on
every error path."""
import gc
import resource
import sys
import tracemalloc

import numpy as np

import hogkit

CALLS = 2000


def rss_kib():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize() // 1024


def calls(fn):
    """Runs fn CALLS times after a warm-up; returns (traced growth in bytes,
    RSS growth in KiB)."""
    for _ in range(50):
        fn()
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.take_snapshot()
    rss0 = rss_kib()
    for _ in range(CALLS):
        fn()
    gc.collect()
    after = tracemalloc.take_snapshot()
    tracemalloc.stop()
    grown = sum(s.size_diff for s in after.compare_to(before, "filename"))
    return grown, rss_kib() - rss0


def expect_error(fn, exc):
    def run():
        try:
            fn()
        except exc:
            return
        raise AssertionError("no exception")
    return run


def test_no_leak_on_success():
    img = np.random.default_rng(0).integers(0, 256, (96, 80, 3), dtype=np.uint8)
    view = img[::2, ::2]   # forces the copy path too
    refs = sys.getrefcount(img)
    batch = np.stack([img[:, :, 0]] * 4)
    mf = np.random.default_rng(1).random((2, 3, 32, 32)).astype(np.float32)
    hd = hogkit.HOGDescriptor((32, 64), (16, 16), (8, 8), (8, 8), 9)
    hd.setSVMDetector(np.random.default_rng(2).standard_normal(757).astype(np.float32))
    win = np.ascontiguousarray(img[:80, :48])

    def run():
        hogkit.hog(img, channel_axis=-1)
        hogkit.hog(view, channel_axis=-1, feature_vector=False)
        hogkit.hog(img[:, :, 1].astype(np.float32), visualize=True)
        hogkit.hog_batch(batch, cells_per_block=(2, 2))
        hogkit.maskfeat_targets(mf)
        hogkit.fhog(img, channel_axis=-1, visualize=True)
        hogkit.fhog(img[:, :, 0], variant="dlib")
        hd.compute(win, (8, 8), (8, 8))
        hd.compute(win, locations=[(0, 0), (8, 8)])
        hd.detectMultiScale(win, hitThreshold=-1e9, groupThreshold=0)
    traced, rss = calls(run)
    assert sys.getrefcount(img) == refs
    assert traced < 64 * 1024, traced
    assert rss < 2048, rss


def test_no_leak_on_errors():
    nan = np.full((40, 40), np.nan)
    small = np.zeros((10, 10), np.uint8)
    huge = np.broadcast_to(np.uint8(0), (70000, 70000))
    refs = [sys.getrefcount(a) for a in (nan, small)]
    run_all = [expect_error(lambda: hogkit.hog(nan), ValueError),
               expect_error(lambda: hogkit.hog(small), ValueError),
               expect_error(lambda: hogkit.hog(huge), ValueError),
               expect_error(lambda: hogkit.hog(small, orientations=0), ValueError),
               expect_error(lambda: hogkit.hog_batch(np.stack([nan, nan])), ValueError),
               expect_error(lambda: hogkit.fhog(nan), ValueError),
               expect_error(lambda: hogkit.HOGDescriptor().compute(small), ValueError),
               expect_error(lambda: hogkit.maskfeat_targets(nan[None, None, :1]), ValueError),
               expect_error(lambda: hogkit._hogkit.hog_skimage(
                   np.zeros((32, 32), np.int8), 9, 8, 8, 3, 3, 3, False, True), TypeError)]

    def run():
        for r in run_all:
            r()
    traced, rss = calls(run)
    assert [sys.getrefcount(a) for a in (nan, small)] == refs
    assert traced < 64 * 1024, traced
    assert rss < 2048, rss
