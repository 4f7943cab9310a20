"""Times skimage.feature.hog (scikit-image 0.19.3) for bench/run_bench.py.

usage: skimage_bench.py IN.npy OUT.npy REPS CELL BLOCK [COUNT]
IN is one grey image (H, W) or a stack (N, H, W); for a stack the first COUNT
images are timed one by one (scikit-image has no batch call) and OUT receives
their descriptors as a (COUNT, D) matrix. Prints {"seconds": best, ...}."""
import json
import sys
import time

import numpy as np
from skimage.feature import hog


def main():
    src, out, reps, cell, block = sys.argv[1:6]
    reps, cell, block = int(reps), int(cell), int(block)
    img = np.load(src)
    kw = dict(orientations=9, pixels_per_cell=(cell, cell), cells_per_block=(block, block),
              block_norm="L2-Hys", feature_vector=True)
    if img.ndim == 3:
        count = int(sys.argv[6])
        imgs = img[:count]
        work = lambda: np.stack([hog(im, **kw) for im in imgs])
    else:
        count = 1
        work = lambda: hog(img, **kw)[None, :]
    times, cpu = [], []
    res = work()  # warm-up
    for _ in range(reps):
        t0, c0 = time.perf_counter(), time.process_time()
        res = work()
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    np.save(out, res.astype(np.float32))
    times.sort()
    cpu.sort()
    print(json.dumps({"seconds": times[0], "median": times[len(times) // 2], "cpu": cpu[0],
                      "images": count}))


if __name__ == "__main__":
    main()
