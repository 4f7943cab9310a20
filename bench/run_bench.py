#!/usr/bin/python3
"""One-command HOG benchmark: hogkit against scikit-image, OpenCV, VLFeat and
dlib on the same inputs, in one run; writes BENCHMARKS.md.

    make bench            (or: /usr/bin/python3 bench/run_bench.py --build build)

Inputs: a natural photo (scikit-image's astronaut, grey, mirror-tiled so that
every size keeps photo statistics) at 640x480, 1920x1080 and 8192x8192, and
all 70,000 Fashion-MNIST images (train + t10k) as one stack. Every program
gets the pixels already in memory and times only the descriptor calls: best of
REPS after one warm-up; every program leaves each image's descriptor in row k
of one N x D float matrix, the job of hogkit's batch API (refs.cpp: VLFeat
writes straight into the row, OpenCV and dlib copy from their containers). Single thread, then all threads (hogkit: one image
split in row bands, or the batch split in chunks; the references have no
threads for one image, and for the batch the driver runs two processes on
two halves, wall = the slower half).

Agreement is checked while timing: hogkit's skimage variant against
skimage.feature.hog (max abs difference; scikit-image is skipped at 8192x8192,
where one call takes ~20 s, and run on the first 2,000 Fashion-MNIST images,
its time scaled to 70,000), and hogkit's fast path against its own scalar
path, byte for byte. Variants of hogkit for the other references are compared
when this build has them (hogkit hog --variant NAME)."""
import argparse
import datetime
import gzip
import json
import os
import platform
import subprocess
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
FMNIST = "/usr/share/datasets/fashion-mnist"
REFS = ["opencv", "vlfeat-dt", "vlfeat-uoctti", "dlib"]
REF_NAMES = {"opencv": "OpenCV 4.6 HOGDescriptor (one window)", "vlfeat-dt": "VLFeat 0.9.21 DalalTriggs",
             "vlfeat-uoctti": "VLFeat 0.9.21 UoCTTI", "dlib": "dlib 19.24 fhog (-O3 -march=native)"}


def sh(cmd, **kw):
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, **kw).stdout
    return json.loads(out.strip().splitlines()[-1])


def photo(w, h):
    from skimage import data
    from skimage.color import rgb2gray
    g = (rgb2gray(data.astronaut()) * 255).round().astype(np.uint8)
    reps = (h // g.shape[0] + 2, w // g.shape[1] + 2)
    tiled = np.pad(g, ((0, g.shape[0] * (reps[0] - 1)), (0, g.shape[1] * (reps[1] - 1))),
                   mode="symmetric")
    return np.ascontiguousarray(tiled[:h, :w])


def fashion():
    parts = []
    for name in ("train-images-idx3-ubyte.gz", "t10k-images-idx3-ubyte.gz"):
        with gzip.open(os.path.join(FMNIST, name)) as f:
            raw = f.read()
        n, h, w = np.frombuffer(raw[4:16], ">u4")
        parts.append(np.frombuffer(raw[16:], np.uint8).reshape(n, h, w))
    return np.concatenate(parts)


def build_refs(work):
    exe = os.path.join(work, "refs")
    src = os.path.join(HERE, "refs.cpp")
    if not os.path.exists(exe) or os.path.getmtime(exe) < os.path.getmtime(src):
        flags = subprocess.run(["pkg-config", "--cflags", "--libs", "opencv4"], check=True,
                               capture_output=True, text=True).stdout.split()
        print("building refs (g++ -O3 -march=native) ...", flush=True)
        subprocess.run(["g++", "-O3", "-march=native", "-std=c++17", "-DDLIB_NO_GUI_SUPPORT", src,
                        "-o", exe, *flags, "-lvl"], check=True)
    return exe


def hk_variant(bench_hog, mode, src, out, lib, cell, reps, threads):
    """Times hogkit's variant for a reference; None when this build lacks it."""
    p = subprocess.run([bench_hog, mode, src, out, "--variant", lib, "--cell", f"{cell},{cell}",
                        "--threads", str(threads), "--reps", str(reps)],
                       capture_output=True, text=True)
    if p.returncode == 3:
        return None
    if p.returncode != 0:
        raise RuntimeError(f"bench_hog --variant {lib}: {p.stderr}")
    return json.loads(p.stdout.strip().splitlines()[-1])


def agree(hk_npy, ref_f32, name, lib, checks):
    a = np.load(hk_npy)[0].astype(np.float64).ravel()
    b = np.fromfile(ref_f32, np.float32).astype(np.float64)
    if a.size != b.size:
        checks.append(f"{name}: hogkit {lib} variant: {a.size} values, reference {b.size}: "
                      "layouts differ, not compared")
    else:
        checks.append(f"{name}: hogkit {lib} variant vs {REF_NAMES[lib]}: max |diff| = "
                      f"{np.abs(a - b).max():.2e}")


def two_threads(bench_hog, build, npy, name, work, reps, rounds, checks):
    """Each variant on one large image, 1 thread against 2 (wall, best of
    `rounds` interleaved rounds of `reps` calls), the speed-up bench_threads
    derives from per-worker busy time (independent of the load, see its
    header), and a plain spin loop's 2-thread speed-up at the same moment."""
    bt = os.path.join(build, "bench", "bench_threads")
    out = {}
    for lib in ["skimage"] + REFS:
        o1, o2 = (os.path.join(work, f"hk_{lib}_{name}_t{k}.npy") for k in (1, 2))
        t1 = t2 = None
        for _ in range(rounds):
            a = hk_variant(bench_hog, "image", npy, o1, lib, 8, reps, 1)
            if a is None:
                break
            t1 = best_of(t1, a)
            t2 = best_of(t2, hk_variant(bench_hog, "image", npy, o2, lib, 8, reps, 2))
        if t1 is None:
            continue
        same = np.load(o1).tobytes() == np.load(o2).tobytes()
        checks.append(f"{name}: hogkit {lib} variant, 2 threads == 1 thread, byte for byte: {same}")
        e = {"t1": t1["seconds"], "t2": t2["seconds"]}
        if os.path.exists(bt):
            p = subprocess.run([bt, npy, lib, "--threads", "2", "--reps",
                                str(20 if "1080" in name else 3)], capture_output=True, text=True)
            if p.returncode == 0:
                d = json.loads(p.stdout.strip().splitlines()[-1])
                e["ideal"], e["inflation"] = d["ideal_speedup"], d["inflation"]
        out[lib] = e
    if os.path.exists(bt):
        out["spin"] = sh([bt, "spin", "--reps", "20"])
    out["load"] = os.getloadavg()[0]
    return out


def mpx(pixels, seconds):
    return pixels / seconds / 1e6


def one(r):
    """Single-thread time: the smaller of process CPU time and wall time. On a
    shared, overloaded machine wall time mostly measures waiting for a core;
    but on this VM the references' process CPU time of a short call sometimes
    reads twice its wall time (no second thread runs: /usr/bin/time agrees
    with the wall time), which would overstate every ratio."""
    return min(r.get("cpu", r["seconds"]), r["seconds"])


def best_of(a, b):
    """The better of two timings of the same call: on a shared machine noise
    only ever slows a call down, so the faster reading is the truer one."""
    if a is None or b is None:
        return a if b is None else b
    out = dict(a)
    for k in ("seconds", "cpu"):
        if k in a and k in b:
            out[k] = min(a[k], b[k])
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--out", default=os.path.join(ROOT, "BENCHMARKS.md"))
    ap.add_argument("--quick", action="store_true", help="fewer repetitions")
    ap.add_argument("--rounds", type=int, default=None,
                    help="rounds of each (reference, hogkit variant) pair, interleaved, best "
                    "of each side kept (default 5, 1 with --quick)")
    ap.add_argument("--refs", help="comma-separated subset of " + ",".join(REFS) + ": time only "
                    "these references and hogkit's variants of them (no skimage, no threads); "
                    "the report then has only the variant tables")
    args = ap.parse_args()
    refs_only = args.refs is not None
    if refs_only:
        wanted = [x for x in args.refs.split(",") if x]
        bad = [x for x in wanted if x not in REFS]
        if bad or not wanted:
            ap.error(f"--refs: unknown {bad}; choose from {REFS}")
        REFS[:] = wanted
    bench_hog = os.path.join(args.build, "bench", "bench_hog")
    work = os.path.join(args.build, "bench", "work")
    os.makedirs(work, exist_ok=True)
    refs = build_refs(work)
    q = args.quick
    if args.rounds is None:
        args.rounds = 1 if q else 5
    ncpu = os.cpu_count()

    cases = [("640x480", 640, 480, 3 if q else 10, 2 if q else 3),
             ("1920x1080", 1920, 1080, 2 if q else 5, 1 if q else 2),
             ("8192x8192", 8192, 8192, 1 if q else 2, 0)]
    rows, checks = [], []
    for name, w, h, reps, sk_reps in cases:
        print(f"== {name}", flush=True)
        img = photo(w, h)
        npy, raw = os.path.join(work, f"{name}.npy"), os.path.join(work, f"{name}.raw")
        np.save(npy, img)
        img.tofile(raw)
        r = {"name": name, "pixels": w * h}
        out1, outn, outs = (os.path.join(work, f"hk_{name}_{k}.npy") for k in ("1", "n", "s"))
        if refs_only:
            sk_reps = 0
        else:
            r["hk1"] = sh([bench_hog, "image", npy, out1, "--threads", "1", "--reps", str(reps)])
            r["hkn"] = sh([bench_hog, "image", npy, outn, "--threads", "0", "--reps", str(reps)])
            same = np.load(out1).tobytes() == np.load(outn).tobytes()
            checks.append(f"{name}: hogkit 1 thread == {ncpu} threads, byte for byte: {same}")
            if w * h <= 4_000_000:
                sh([bench_hog, "image", npy, outs, "--threads", "1", "--reps", "1", "--simd",
                    "scalar"])
                same = np.load(out1).tobytes() == np.load(outs).tobytes()
                checks.append(f"{name}: hogkit {r['hk1']['simd']} == scalar path, byte for byte: "
                              f"{same}")
        if sk_reps:
            sko = os.path.join(work, f"sk_{name}.npy")
            for k in range(args.rounds):  # interleaved with hogkit's 1-thread timing
                if k:
                    r["hk1"] = best_of(r["hk1"], sh([bench_hog, "image", npy, out1, "--threads",
                                                     "1", "--reps", str(reps)]))
                r["sk"] = best_of(r.get("sk"), sh(["/usr/bin/python3",
                                                   os.path.join(HERE, "skimage_bench.py"), npy,
                                                   sko, str(sk_reps), "8", "3"]))
            d = float(np.abs(np.load(out1).astype(np.float64) - np.load(sko)).max())
            checks.append(f"{name}: hogkit skimage variant vs skimage.feature.hog: max |diff| = {d:.2e}")
        for lib in REFS:
            ref_out = os.path.join(work, f"{lib}_{name}.f32")
            hv_out = os.path.join(work, f"hk_{lib}_{name}.npy")
            for _ in range(args.rounds):  # interleaved, so a slow spell hits both sides
                r[lib] = best_of(r.get(lib), sh([refs, lib, raw, str(w), str(h), "1", "0", "1",
                                                 str(reps), "8", ref_out]))
                hv = hk_variant(bench_hog, "image", npy, hv_out, lib, 8, reps, 1)
                if hv:
                    r["hk_" + lib] = best_of(r.get("hk_" + lib), hv)
            if "hk_" + lib in r:
                agree(hv_out, ref_out, name, lib, checks)
        if not refs_only and w * h >= 2_000_000:
            r["two_threads"] = two_threads(bench_hog, args.build, npy, name, work,
                                           max(reps, 5) if w * h < 4_000_000 else max(reps, 2),
                                           args.rounds, checks)
        rows.append(r)
        print(json.dumps(r), flush=True)

    print("== Fashion-MNIST", flush=True)
    fm = fashion()
    n = len(fm)
    npy, raw = os.path.join(work, "fmnist.npy"), os.path.join(work, "fmnist.raw")
    np.save(npy, fm)
    fm.tofile(raw)
    r = {"name": f"{n:,} x 28x28 (Fashion-MNIST)", "pixels": n * 784}
    geo = ["--cell", "4,4", "--block", "2,2"]
    out1, outn = os.path.join(work, "hk_fm_1.npy"), os.path.join(work, "hk_fm_n.npy")
    reps = 2 if q else 5
    if not refs_only:
        r["hk1"] = sh([bench_hog, "stack", npy, out1, "--threads", "1", "--reps", str(reps), *geo])
        r["hkn"] = sh([bench_hog, "stack", npy, outn, "--threads", "0", "--reps", str(reps), *geo])
        a, b = np.load(out1), np.load(outn)
        checks.append(f"Fashion-MNIST: hogkit 1 thread == {ncpu} threads, byte for byte: "
                      f"{a.tobytes() == b.tobytes()}")
        sub = 500 if q else 2000
        sko = os.path.join(work, "sk_fm.npy")
        for k in range(args.rounds):  # interleaved with hogkit's 1-thread timing
            if k:
                r["hk1"] = best_of(r["hk1"], sh([bench_hog, "stack", npy, out1, "--threads", "1",
                                                 "--reps", str(reps), *geo]))
            sk = sh(["/usr/bin/python3", os.path.join(HERE, "skimage_bench.py"), npy, sko, "1",
                     "4", "2", str(sub)])
            sk["seconds"] *= n / sub  # scaled to the whole set
            sk["cpu"] *= n / sub
            r["sk"] = best_of(r.get("sk"), sk)
        d = float(np.abs(a[:sub].astype(np.float64) - np.load(sko)).max())
        checks.append(f"Fashion-MNIST: hogkit vs skimage.feature.hog on the first {sub} images: "
                      f"max |diff| = {d:.2e}")
    for lib in REFS:
        ref_out = os.path.join(work, f"{lib}_fm.f32")
        for _ in range(args.rounds):
            r[lib] = best_of(r.get(lib), sh([refs, lib, raw, "28", "28", str(n), "0", str(n),
                                             "1" if q else "2", "4", ref_out]))
            hv_out = os.path.join(work, f"hk_{lib}_fm_1.npy")
            hv = hk_variant(bench_hog, "stack", npy, hv_out, lib, 4, 1 if q else 3, 1)
            if hv:
                r["hk_" + lib] = best_of(r.get("hk_" + lib), hv)
        hv = hk_variant(bench_hog, "stack", npy, os.path.join(work, f"hk_{lib}_fm_0.npy"), lib,
                        4, 1 if q else 3, 0)
        if hv:
            r["hk_" + lib + "_n"] = hv
        if "hk_" + lib in r:
            agree(os.path.join(work, f"hk_{lib}_fm_1.npy"), ref_out, "Fashion-MNIST image 0", lib,
                  checks)
        # all threads for a batch: one process per core, each on its share
        share = (n + ncpu - 1) // ncpu
        procs = [subprocess.Popen([refs, lib, raw, "28", "28", str(n), str(k * share),
                                   str(min(share, n - k * share)), "1", "4", os.devnull],
                                  stdout=subprocess.PIPE, text=True) for k in range(ncpu)]
        secs = [json.loads(p.communicate()[0].strip().splitlines()[-1])["seconds"] for p in procs]
        r[lib + "_n"] = {"seconds": max(secs)}
    rows.append(r)
    print(json.dumps(r), flush=True)
    write_report(args, rows, checks, ncpu, refs_only)


def write_report(args, rows, checks, ncpu, refs_only=False):
    cpu = "unknown CPU"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    flags = open("/proc/cpuinfo").read()
    isa = "AVX-512" if "avx512bw" in flags else "AVX2" if "avx2" in flags else "no AVX2"
    try:
        load = os.getloadavg()
    except OSError:
        load = (0, 0, 0)
    L = []
    L.append("# Benchmarks\n")
    L.append(f"Made by `make bench` (`/usr/bin/python3 bench/run_bench.py --build build"
             f"{' --quick' if args.quick else ''}`) on "
             f"{datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC; "
             f"{cpu}, {ncpu} cores, {isa}; load average {load[0]:.1f} when it finished. "
             "All numbers come from this one run; compare ratios, not absolute figures "
             "(a shared machine is noisy). Times are the best of several repetitions after a "
             f"warm-up (each reference and hogkit's variant of it: the best of {args.rounds} "
             "interleaved rounds), descriptor calls only, pixels already in memory; each program, "
             "reference or hogkit, leaves every image's descriptor in row k of one N x D "
             "float matrix (VLFeat writes into the row, OpenCV and dlib copy from their own "
             "containers, as a caller must).\n")
    L.append("hogkit: skimage variant (8x8 cells, 3x3 blocks, 9 bins, L2-Hys; Fashion-MNIST: 4x4 "
             "cells, 2x2 blocks, 1296 dims), 8-bit grey input. References as their authors "
             "document them: skimage.feature.hog with the same arguments; OpenCV HOGDescriptor "
             "with one window covering the whole image (16x16 blocks, 8x8 stride and cells, 9 "
             "bins; 28x28: 8x8 blocks, 4x4 cells); VLFeat `vl_hog` (cell 8, or 4 for 28x28, 9 "
             "orientations, float input converted before timing); dlib `extract_fhog_features` "
             "(cell 8 or 4) compiled with `-O3 -march=native`. OpenCV, VLFeat and dlib compute "
             "different descriptors (other variants of HOG): their columns compare speed only.\n")
    if refs_only:
        L.append(f"Only these references and hogkit's variants of them (`--refs {args.refs}`): "
                 "no scikit-image, no thread runs.\n")
    if not refs_only:
        L.append("## Throughput, Mpixel/s (higher is better)\n")
        L.append("Single-thread columns use the smaller of the process CPU time and the wall time "
                 "of the timed call (best of the repetitions; on this VM a reference's CPU time of "
                 "a short call can read twice its wall time); the " + str(ncpu) + "-thread column and the speed-up use wall time "
                 "(1-thread wall / " + str(ncpu) + "-thread wall), which on an overloaded machine "
                 "understates what threads give.\n")
        hdr = ("| input | hogkit 1 thread | hogkit " + str(ncpu) + " threads (wall) | threads speed-up | "
               "scikit-image | hogkit / scikit-image | OpenCV | VLFeat DT | VLFeat UoCTTI | dlib | "
               "hogkit / dlib |")
        L.append(hdr)
        L.append("|" + "---|" * (hdr.count("|") - 1))
        for r in rows:
            p = r["pixels"]
            h1, hn = mpx(p, one(r["hk1"])), mpx(p, r["hkn"]["seconds"])
            speedup = r["hk1"]["seconds"] / r["hkn"]["seconds"]
            sk = mpx(p, one(r["sk"])) if "sk" in r else None
            cells = [r["name"], f"{h1:.0f}", f"{hn:.0f}", f"{speedup:.2f}x",
                     f"{sk:.2f}" if sk else "skipped", f"**{h1 / sk:.0f}x**" if sk else "-"]
            for lib in REFS:
                cells.append(f"{mpx(p, one(r[lib])):.1f}")
            cells.append(f"{h1 / mpx(p, one(r['dlib'])):.1f}x")
            L.append("| " + " | ".join(cells) + " |")
    variant_rows = [(r, lib) for r in rows for lib in REFS if "hk_" + lib in r]
    if variant_rows:
        L.append("")
        L.append("## hogkit's variant of each reference against that reference, one thread\n")
        L.append("| input | reference | reference Mpixel/s | hogkit variant Mpixel/s | ratio |")
        L.append("|---|---|---|---|---|")
        for r, lib in variant_rows:
            ref, hv = mpx(r["pixels"], one(r[lib])), mpx(r["pixels"], one(r["hk_" + lib]))
            L.append(f"| {r['name']} | {REF_NAMES[lib]} | {ref:.1f} | {hv:.1f} | **{hv / ref:.1f}x** |")
    else:
        L.append("")
        L.append("(This build has no OpenCV, VLFeat or dlib variant: only the skimage variant is "
                 "compared with its reference.)")
    thr = [r for r in rows if "two_threads" in r]
    if thr:
        L.append("")
        L.append("## Two threads against one, one large image\n")
        L.append("Each variant's `hk_hog_extract` on one image, `threads` = 1 and 2: best wall "
                 "times (interleaved rounds), their ratio, and the speed-up the per-worker busy "
                 "times allow (`build/bench/bench_threads`: one-thread CPU time / (serial part + "
                 "busiest worker), medians; it does not need the other core to be free, though other "
                 "tenants still slow the workers' caches). A "
                 "plain spin loop's 2-thread wall speed-up, measured right after, shows what the "
                 "machine gave two threads at that moment (about 1.9x when the other core is "
                 "free).\n")
        L.append("| input | variant | 1 thread, wall | 2 threads, wall | speed-up (wall) | "
                 "speed-up (busy times) |")
        L.append("|---|---|---|---|---|---|")
        for r in thr:
            t = r["two_threads"]
            for lib in ["skimage"] + REFS:
                if lib not in t:
                    continue
                e = t[lib]
                ideal = f"{e['ideal']:.2f}x" if "ideal" in e else "-"
                L.append(f"| {r['name']} | {lib} | {e['t1'] * 1e3:.1f} ms | {e['t2'] * 1e3:.1f} ms | "
                         f"**{e['t1'] / e['t2']:.2f}x** | {ideal} |")
        for r in thr:
            t = r["two_threads"]
            spin = (f"spin loop {t['spin']['spin_speedup_best']:.2f}x best, "
                    f"{t['spin']['spin_speedup_med']:.2f}x median" if "spin" in t else "no spin run")
            L.append(f"\n{r['name']}: load average {t['load']:.1f}; {spin}.")
    fm = rows[-1]
    L.append("")
    L.append("## Fashion-MNIST, all 70,000 images, wall time of the HOG call\n")
    L.append("| | 1 thread, CPU time | 1 thread, wall | " + f"{ncpu} threads, wall |")
    L.append("|---|---|---|---|")
    if not refs_only:
        L.append(f"| hogkit (batch API, skimage variant) | {one(fm['hk1']):.3f} s | "
                 f"{fm['hk1']['seconds']:.3f} s | **{fm['hkn']['seconds']:.3f} s** |")
        L.append(f"| scikit-image (first images, scaled to 70,000) | {one(fm['sk']):.1f} s | "
                 f"{fm['sk']['seconds']:.1f} s | - |")
    for lib in REFS:
        L.append(f"| {REF_NAMES[lib]} | {one(fm[lib]):.3f} s | {fm[lib]['seconds']:.3f} s | "
                 f"{fm[lib + '_n']['seconds']:.3f} s ({ncpu} processes) |")
        if "hk_" + lib in fm:
            L.append(f"| hogkit {lib} variant (batch API) | {one(fm['hk_' + lib]):.3f} s | "
                     f"{fm['hk_' + lib]['seconds']:.3f} s | {fm['hk_' + lib + '_n']['seconds']:.3f} s |")
    L.append("")
    L.append("## Agreement checked during the run\n")
    for c in checks:
        L.append(f"- {c}")
    L.append("")
    L.append("## Raw results (seconds)\n")
    L.append("```")
    for r in rows:
        L.append(json.dumps(r))
    L.append("```")
    tmp = args.out + ".tmp"
    with open(tmp, "w") as f:
        f.write("\n".join(L) + "\n")
    os.replace(tmp, args.out)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
