#!/usr/bin/python3
"""Throughput of `hogkit.dask` with 1, 2 and 4 local worker processes on all
70,000 Fashion-MNIST images (train + test), against hog_batch on one thread,
checking every store is bitwise identical to hog_batch.

    PYTHONPATH=build/python bench/bench_dask.py [--workers 1,2,4] [--chunk 5000]
"""
import argparse
import os
import shutil
import sys
import tempfile
import time

import numpy as np


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--workers", default="1,2,4")
    ap.add_argument("--chunk", type=int, default=5000)
    args = ap.parse_args()
    import hogkit
    from distributed import Client, LocalCluster
    from hogkit.dask import compute_dataset, open_features, read_idx

    d = "/usr/share/datasets/fashion-mnist"
    x = np.concatenate([read_idx(f"{d}/train-images-idx3-ubyte.gz"),
                        read_idx(f"{d}/t10k-images-idx3-ubyte.gz")])
    params = dict(orientations=9, pixels_per_cell=(4, 4), cells_per_block=(2, 2))
    tmp = tempfile.mkdtemp(prefix="hogkit-bench-dask-")
    try:
        np.save(os.path.join(tmp, "fm70k.npy"), x)
        t = time.perf_counter()
        ref = hogkit.hog_batch(x, **params, threads=1).astype(np.float32)
        t1 = time.perf_counter() - t
        print(f"| hog_batch, 1 thread, no Dask | {t1:.2f} s | {len(x) / t1:,.0f} | — |")
        for w in map(int, args.workers.split(",")):
            cluster = LocalCluster(n_workers=w, threads_per_worker=1, processes=True,
                                   dashboard_address=None)
            client = Client(cluster)
            store = os.path.join(tmp, f"w{w}.zarr")
            t = time.perf_counter()
            compute_dataset(os.path.join(tmp, "fm70k.npy"), store, params=params,
                            chunk=args.chunk, client=client, progress=False)
            dt = time.perf_counter() - t
            same = np.array_equal(open_features(store)[:], ref)
            print(f"| hogkit.dask, {w} worker{'s' if w > 1 else ''} | {dt:.2f} s | "
                  f"{len(x) / dt:,.0f} | {'yes' if same else 'NO'} |")
            client.close()
            cluster.close()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
