#!/usr/bin/python3
"""hogkit.hog against skimage.feature.hog on one 1920x1080 image, from
Python, as a user would call them (same call, only the import differs).

    PYTHONPATH=build/python nice -n 19 /usr/bin/python3 bench/bench_py_hog.py

Prints the best of several hogkit runs, one skimage run (it takes seconds),
their ratio and the largest difference between the two results. Also times
hog_batch on 256 Fashion-MNIST-sized images against a skimage loop."""
import time

import numpy as np
from skimage import data
from skimage.feature import hog as sk_hog
from skimage.transform import resize

import hogkit


def best(fn, runs):
    t = []
    for _ in range(runs):
        t0 = time.perf_counter()
        out = fn()
        t.append(time.perf_counter() - t0)
    return min(t), out


def main():
    photo = (resize(data.astronaut(), (1080, 1920)) * 255).astype(np.uint8)
    for name, img, axis in (("grey uint8", photo[..., 0], None), ("RGB uint8", photo, -1)):
        t_hk, a = best(lambda: hogkit.hog(img, channel_axis=axis), 5)
        t_sk, b = best(lambda: sk_hog(img, channel_axis=axis), 1)
        print(f"1920x1080 {name}: hogkit {t_hk * 1e3:.1f} ms, skimage {t_sk * 1e3:.0f} ms, "
              f"x{t_sk / t_hk:.0f}, max |diff| {np.abs(a - b).max():.2e}")
    small = np.random.default_rng(0).integers(0, 256, (256, 28, 28), dtype=np.uint8)
    kw = dict(pixels_per_cell=(7, 7), cells_per_block=(2, 2))
    t_hk, a = best(lambda: hogkit.hog_batch(small, **kw), 5)
    t_sk, b = best(lambda: np.stack([sk_hog(im, **kw) for im in small]), 1)
    print(f"hog_batch 256 x 28x28: hogkit {t_hk * 1e3:.1f} ms, skimage loop {t_sk * 1e3:.0f} ms, "
          f"x{t_sk / t_hk:.0f}, max |diff| {np.abs(a - b).max():.2e}")


if __name__ == "__main__":
    main()
