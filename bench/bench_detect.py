#!/usr/bin/python3
"""Detection speed: hogkit vs cv2.HOGDescriptor.detectMultiScale, same run.

Decodes FRAMES frames of OpenCV's vtest.avi (opencv-doc), exports OpenCV's
default people detector, and times both libraries with default parameters
(scale 1.05, stride 8x8, padding 0, group threshold 2) on one thread and on
all threads. Times are the best of REPEAT passes over all frames, per frame,
both wall clock and process CPU time (on a shared machine the CPU time of the
one-thread runs is the fairer measure); decoding is not timed for either.
Also prints the number of boxes each found.

usage: bench/bench_detect.py [BUILD_DIR] [FRAMES] [REPEAT]   (run with nice -n 19)
"""
import os
import subprocess
import sys
import tempfile
import time

import cv2

HERE = os.path.dirname(os.path.abspath(__file__))
BUILD = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "..", "build")
FRAMES = int(sys.argv[2]) if len(sys.argv) > 2 else 10
REPEAT = int(sys.argv[3]) if len(sys.argv) > 3 else 3
VIDEO = "/usr/share/doc/opencv-doc/examples/data/vtest.avi"


def main():
    tmp = tempfile.mkdtemp(prefix="bench_detect_")
    model = os.path.join(tmp, "people.yml")
    hog = cv2.HOGDescriptor()
    hog.setSVMDetector(cv2.HOGDescriptor_getDefaultPeopleDetector())
    hog.save(model)
    cap = cv2.VideoCapture(VIDEO)
    frames, paths = [], []
    i = 0
    while len(frames) < FRAMES:
        ok, f = cap.read()
        if not ok:
            break
        if i % 20 == 0:
            p = os.path.join(tmp, f"f{i:04d}.png")
            cv2.imwrite(p, f)
            frames.append(f)
            paths.append(p)
        i += 1
    exe = os.path.join(tmp, "bench_detect")
    subprocess.run(["cc", "-O2", "-std=c11", "-I", os.path.join(HERE, "..", "include"),
                    os.path.join(HERE, "bench_detect.c"), os.path.join(BUILD, "libhogkit.a"),
                    "-o", exe, "-lspng", "-ljpeg", "-lz", "-llinear", "-lpthread", "-lm"],
                   check=True)
    ncpu = os.cpu_count()
    print(f"{len(frames)} frames of vtest.avi ({frames[0].shape[1]}x{frames[0].shape[0]}), "
          f"best of {REPEAT}, {ncpu} cores, OpenCV {cv2.__version__}")
    rows = []
    for threads in (1, ncpu):
        cv2.setNumThreads(threads)
        best = best_cpu = 1e30
        n_cv = 0
        for _ in range(REPEAT):
            t0, c0 = time.perf_counter(), time.process_time()
            n_cv = sum(len(hog.detectMultiScale(f)[0]) for f in frames)
            best = min(best, time.perf_counter() - t0)
            best_cpu = min(best_cpu, time.process_time() - c0)
        cv_ms = best * 1e3 / len(frames)
        cv_cpu = best_cpu * 1e3 / len(frames)
        out = subprocess.run([exe, model, str(threads), str(REPEAT), *paths], check=True,
                             capture_output=True, text=True).stdout.split()
        hk_ms, n_hk, hk_cpu = float(out[3]), int(out[5]), float(out[7])
        rows.append((threads, cv_ms, hk_ms, cv_cpu, hk_cpu, n_cv, n_hk))
        print(f"threads {threads}: wall OpenCV {cv_ms:7.1f} hogkit {hk_ms:6.1f} ms/frame"
              f" ({cv_ms / hk_ms:4.1f}x);  CPU OpenCV {cv_cpu:7.1f} hogkit {hk_cpu:6.1f} ms/frame"
              f" ({cv_cpu / hk_cpu:4.1f}x);  boxes {n_cv} / {n_hk}")
    return rows


if __name__ == "__main__":
    main()
