"""Differential test: `hogkit hog --variant opencv` against the real
cv2.HOGDescriptor.compute of OpenCV 4.6 (Debian python3-opencv).

Images are made here (noise, odd sizes, exact-angle edges, colour whose
channels tie in magnitude, sizes that are not a multiple of any stride) or
come from Debian packages (OpenCV's and scikit-image's sample photos); every
element must agree within 1e-4.

OpenCV keeps the L2HysThreshold of the first HOG normalisation a process
runs in a function-local `static` (see test_reference_threshold_is_sticky),
so references with any threshold other than 0.2 run in a fresh interpreter.
"""
import json
import os
import subprocess
import sys

import cv2
import numpy as np
import pytest

from conftest import BUILD, run_cli

TOL = 1e-4
SK_DATA = "/usr/lib/python3/dist-packages/skimage/data"
CV_DATA = "/usr/share/doc/opencv-doc/examples/data"

# Pin this process's sticky threshold to the default before any test runs.
cv2.HOGDescriptor().compute(np.zeros((128, 64), np.uint8))

# Parameter sets: keyword arguments of hogkit's options. "ctor" says which
# cv2 constructor the reference uses: "noargs" is cv2.HOGDescriptor()
# (gammaCorrection on), "explicit" passes every argument (gamma off unless set).
PEOPLE = dict(ctor="noargs")
PARAMS = {
    "people_noargs": PEOPLE,
    "people_explicit": dict(ctor="explicit"),
    "small_32": dict(ctor="explicit", win_size=(32, 32), block_size=(8, 8),
                     block_stride=(4, 4), cell_size=(4, 4), win_stride=(4, 4)),
    "nbins12_gamma": dict(ctor="explicit", nbins=12, gamma=True),
    "signed": dict(ctor="explicit", signed_gradient=True, win_stride=(16, 16)),
    "signed_gamma_18": dict(ctor="explicit", signed_gradient=True, gamma=True, nbins=18,
                            win_stride=(16, 24)),
    "sigma": dict(ctor="explicit", win_sigma=2.5, win_stride=(8, 16), padding=(8, 8)),
    "thr03": dict(ctor="explicit", l2hys_threshold=0.3, win_stride=(16, 16)),
    "pad_odd": dict(ctor="noargs", win_stride=(8, 8), padding=(5, 3)),
    "stride_4_pad_6": dict(ctor="noargs", win_stride=(4, 12), padding=(6, 10)),
    # gcd(winStride, blockStride) = 3 and 2: OpenCV's alignSize rounds padding
    # with a power-of-two mask, which hogkit reproduces
    "cs3": dict(ctor="explicit", win_size=(48, 60), block_size=(12, 12), block_stride=(6, 6),
                cell_size=(6, 6), win_stride=(9, 10), padding=(2, 3)),
    "rect_cells": dict(ctor="explicit", win_size=(40, 48), block_size=(20, 12),
                       block_stride=(10, 6), cell_size=(10, 4), nbins=7, gamma=True,
                       win_stride=(5, 6), padding=(1, 1)),
}

REF_SCRIPT = r"""
import json, sys
import numpy as np, cv2
imgs = np.load(sys.argv[1])
kw = json.loads(sys.argv[2])
h = cv2.HOGDescriptor(*kw["ctor_args"]) if kw["ctor_args"] else cv2.HOGDescriptor()
loc = [tuple(p) for p in kw["locations"]] if kw["locations"] else None
out = {}
for name in imgs.files:
    if loc is None:
        d = h.compute(imgs[name], tuple(kw["win_stride"]), tuple(kw["padding"]))
    else:
        d = h.compute(imgs[name], tuple(kw["win_stride"]), tuple(kw["padding"]), loc)
    out[name] = np.asarray(d, np.float32).ravel()
np.savez(sys.argv[3], **out)
"""


def ctor_args(p):
    if p.get("ctor") == "noargs":
        return []
    return [tuple(p.get("win_size", (64, 128))), tuple(p.get("block_size", (16, 16))),
            tuple(p.get("block_stride", (8, 8))), tuple(p.get("cell_size", (8, 8))),
            p.get("nbins", 9), 1, float(p.get("win_sigma", -1)), 0,
            float(p.get("l2hys_threshold", 0.2)), bool(p.get("gamma", False)), 64,
            bool(p.get("signed_gradient", False))]


def references(tmp_path, imgs, p, locations=None):
    """cv2's compute() on each image of the dict imgs; in one fresh interpreter
    when the threshold is not 0.2 (see the module docstring)."""
    args = ctor_args(p)
    ws = tuple(p.get("win_stride", (0, 0)))
    pad = tuple(p.get("padding", (0, 0)))
    if p.get("l2hys_threshold", 0.2) == 0.2:
        h = cv2.HOGDescriptor(*args) if args else cv2.HOGDescriptor()
        out = {}
        for name, img in imgs.items():
            if locations is None:
                d = h.compute(img, ws, pad)
            else:
                d = h.compute(img, ws, pad, [tuple(map(int, q)) for q in locations])
            out[name] = np.asarray(d, np.float32).ravel()
        return out
    np.savez(tmp_path / "ref_in.npz", **imgs)
    kw = dict(ctor_args=args, win_stride=ws, padding=pad,
              locations=None if locations is None else [list(map(int, q)) for q in locations])
    subprocess.run(["/usr/bin/python3", "-c", REF_SCRIPT, str(tmp_path / "ref_in.npz"),
                    json.dumps(kw), str(tmp_path / "ref_out.npz")], check=True)
    with np.load(tmp_path / "ref_out.npz") as z:
        return {k: z[k] for k in z.files}


def reference(tmp_path, img, p, locations=None):
    return references(tmp_path, {"img": img}, p, locations)["img"]


def cli_args(p):
    """hogkit options for a parameter set (gamma follows the constructor)."""
    args = []
    for key in ("win_size", "block_size", "block_stride", "cell_size", "win_stride", "padding"):
        if key in p:
            args += ["--" + key.replace("_", "-"), "%d,%d" % p[key]]
    for key in ("nbins", "win_sigma", "l2hys_threshold"):
        if key in p:
            args += ["--" + key.replace("_", "-"), str(p[key])]
    if p.get("signed_gradient"):
        args.append("--signed-gradient")
    gamma = True if p.get("ctor") == "noargs" else p.get("gamma", False)
    if not gamma:
        args.append("--no-gamma-correction")
    return args


def hk(tmp_path, path, p, extra=()):
    out = tmp_path / "out.npy"
    run_cli("hog", path, "-o", out, "--variant", "opencv", *cli_args(p), *extra, check=True)
    return np.load(out)


def check_close(got, ref, what):
    assert got.dtype == np.float32 and got.ndim == 1, what
    assert got.shape == ref.shape, (what, got.shape, ref.shape)
    err = float(np.abs(got.astype(np.float64) - ref).max()) if ref.size else 0.0
    assert err <= TOL, f"max abs error {err} for {what}"
    return err


def compare(tmp_path, img, p, path=None, extra=()):
    if path is None:
        path = tmp_path / "in.npy"
        np.save(path, img)
    return check_close(hk(tmp_path, path, p, extra), reference(tmp_path, img, p), p)


def compare_many(tmp_path, imgs, p):
    """All images of the dict through one hogkit call and one reference run."""
    ind, outd = tmp_path / "in", tmp_path / "out"
    ind.mkdir()
    paths = []
    for name, img in imgs.items():
        paths.append(ind / f"{name}.npy")
        np.save(paths[-1], img)
    run_cli("hog", *paths, "-o", outd, "--variant", "opencv", *cli_args(p), check=True)
    refs = references(tmp_path, imgs, p)
    return max(check_close(np.load(outd / f"{name}.npy"), refs[name], (name, p))
               for name in imgs)


# ---- made images ----------------------------------------------------------

def noise(shape, seed=0, hi=256):
    return np.random.default_rng(seed).integers(0, hi, shape, dtype=np.uint8)


def angle_edges(h, w, deg):
    """Straight edges at exact angles (multiples of the bin width and its half)."""
    y, x = np.mgrid[0:h, 0:w].astype(np.float64)
    img = np.zeros((h, w))
    for k, a in enumerate(deg):
        t = np.deg2rad(a)
        img += 60 * ((x - w / 2) * np.cos(t) + (y - h / 2) * np.sin(t) > (k - 2) * 7)
    return np.clip(img, 0, 255).astype(np.uint8)


def blurred(shape, seed=1):
    img = noise(shape, seed).astype(np.float32)
    return cv2.GaussianBlur(img, (0, 0), 2.0).astype(np.uint8)


def tie_colour(shape, seed=2):
    """Channels of 0/40: magnitudes tie all the time, directions differ, so
    both of OpenCV's tie rules (SIMD columns and scalar tail) are exercised."""
    return (noise(shape, seed, 2) * 40).astype(np.uint8)


def equal_colour(shape, seed=3):
    """Grey copied to three channels, plus one channel negated: equal
    magnitudes with opposite directions (matters for signed gradients)."""
    g = blurred(shape[:2], seed)
    return np.dstack([g, 255 - g, g]).astype(np.uint8)


MADE = {
    "noise_128x64": lambda: noise((128, 64)),
    "noise_odd": lambda: noise((141, 77), 4),
    "noise_colour_odd": lambda: noise((133, 99, 3), 5),
    "blur_not_stride": lambda: blurred((150, 103)),
    "edges": lambda: angle_edges(136, 90, [0, 10, 20, 45, 90, 135]),
    "edges_signed": lambda: angle_edges(130, 70, [30, 60, 180, 200, 270]),
    "tie_colour": lambda: tie_colour((134, 71, 3)),
    "tie_colour_x4": lambda: tie_colour((128, 68, 3), 7),
    "equal_colour": lambda: equal_colour((131, 83, 3)),
    "flat": lambda: np.full((128, 64), 77, np.uint8),
}


@pytest.mark.parametrize("pname", sorted(PARAMS))
def test_made_images(tmp_path, pname):
    compare_many(tmp_path, {name: make() for name, make in MADE.items()}, PARAMS[pname])


# ---- photos from Debian packages -------------------------------------------

PHOTOS = [os.path.join(CV_DATA, f) for f in ("fruits.jpg", "baboon.jpg", "butterfly.jpg",
                                               "left01.jpg", "box.png", "gradient.png", "pic1.png")] + \
         [os.path.join(SK_DATA, f) for f in ("astronaut.png", "camera.png", "coins.png",
                                              "chelsea.png")]


def load_rgb(path):
    """The pixels as hogkit's readers give them: RGB order for colour."""
    img = cv2.imread(path, cv2.IMREAD_UNCHANGED)
    if img.ndim == 3 and img.shape[2] == 4:
        img = img[..., :3]
    if img.ndim == 3:
        img = np.ascontiguousarray(img[..., ::-1])
    return img


@pytest.mark.parametrize("pname", ["people_noargs", "people_explicit", "small_32", "signed",
                                   "thr03", "pad_odd", "cs3"])
def test_photos(tmp_path, pname):
    imgs = {os.path.splitext(os.path.basename(f))[0]: load_rgb(f) for f in PHOTOS
            if os.path.exists(f)}
    assert len(imgs) >= 5, "Debian's opencv-doc and python3-skimage photos are missing"
    p = dict(PARAMS[pname])
    # keep the output of big photos small: 5 x the window stride (5 is odd and
    # prime, so gcd(winStride, blockStride) stays what the set tests)
    cell = p.get("cell_size", (8, 8))
    ws = p.get("win_stride", cell)
    p["win_stride"] = (5 * ws[0], 5 * ws[1])
    compare_many(tmp_path, imgs, p)


def test_png_read_directly_is_rgb(tmp_path):
    """A PNG given to hogkit is read as RGB: the same as cv2 on the RGB array."""
    path = os.path.join(SK_DATA, "astronaut.png")
    compare(tmp_path, load_rgb(path), dict(PARAMS["people_noargs"], win_stride=(32, 32)),
            path=path)


def test_gray_matches_cvtcolor(tmp_path):
    """--gray with opencv is cv2.cvtColor(COLOR_RGB2GRAY) in 8 bits (RGB and RGBA)."""
    rgb = noise((150, 90, 3), 11)
    rgba = noise((140, 80, 4), 12)
    for img, code in ((rgb, cv2.COLOR_RGB2GRAY), (rgba, cv2.COLOR_RGBA2GRAY)):
        np.save(tmp_path / "c.npy", img)
        grey = cv2.cvtColor(img, code)
        p = PARAMS["people_noargs"]
        ref = reference(tmp_path, grey, p)
        got = hk(tmp_path, tmp_path / "c.npy", p, ["--gray"])
        assert got.shape == ref.shape
        assert np.abs(got - ref).max() <= TOL


def test_exact_fit_and_stride_remainders(tmp_path):
    """Window counts use OpenCV's formula, remainders of the stride dropped."""
    p = PARAMS["people_noargs"]
    for h, w in ((128, 64), (135, 71), (136, 72), (129, 65)):
        compare(tmp_path, noise((h, w), h * w), p)


# ---- errors -----------------------------------------------------------------

def test_too_small_is_an_error(tmp_path):
    # 125 rows: OpenCV still makes one window and reads outside its buffer
    for shape in ((125, 64), (128, 60), (40, 40)):
        path = tmp_path / "s.npy"
        np.save(path, noise(shape))
        out = tmp_path / "s_out.npy"
        proc = run_cli("hog", path, "-o", out, "--variant", "opencv")
        assert proc.returncode == 1 and "too small" in proc.stderr, proc.stderr
        assert not out.exists()
    # with enough padding the same image has windows
    compare(tmp_path, noise((125, 64)), dict(PEOPLE, padding=(8, 8)))


@pytest.mark.parametrize("arr,what", [
    (np.zeros((128, 64), np.uint16), "16-bit"),
    (np.zeros((128, 64), np.float32), "float32"),
    (np.zeros((128, 64, 2), np.uint8), "2 channels"),
    (np.zeros((128, 64, 4), np.uint8), "--gray"),
])
def test_unsupported_inputs(tmp_path, arr, what):
    path = tmp_path / "u.npy"
    np.save(path, arr)
    proc = run_cli("hog", path, "-o", tmp_path / "u_out.npy", "--variant", "opencv")
    assert proc.returncode == 1
    assert "8-bit images with 1 or 3 channels" in proc.stderr and what in proc.stderr
    assert not (tmp_path / "u_out.npy").exists()


@pytest.mark.parametrize("args", [
    ["--block-size", "12,16"],                       # block not a multiple of the cell
    ["--block-stride", "16,16", "--win-size", "72,128"],  # (win - block) % stride
    ["--block-size", "80,16"],                       # block wider than the window
    ["--nbins", "1", "--block-size", "8,8"],         # block histogram under 4 floats
    ["--nbins", "0"],
    ["--win-stride", "0,8"],
    ["--padding", "-1,0"],
    ["--win-sigma", "nan"],
])
def test_invalid_parameters(tmp_path, args):
    path = tmp_path / "i.npy"
    np.save(path, noise((128, 64)))
    proc = run_cli("hog", path, "-o", tmp_path / "i_out.npy", "--variant", "opencv", *args)
    assert proc.returncode == 2, proc.stderr


def test_reference_threshold_is_sticky(tmp_path):
    """Why thresholds other than 0.2 run in a fresh process: OpenCV 4.6 keeps
    the first threshold it normalised with (a `static` SIMD constant)."""
    code = ("import cv2, numpy as np; img = np.random.default_rng(0).integers(0, 256, (128, 64),"
            " dtype=np.uint8); mk = lambda t: cv2.HOGDescriptor((64, 128), (16, 16), (8, 8),"
            " (8, 8), 9, 1, -1, 0, t, False, 64, False); a = mk(0.2).compute(img);"
            " b = mk(0.3).compute(img); print(float(np.abs(a - b).max()))")
    out = subprocess.run(["/usr/bin/python3", "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert float(out) == 0.0


# ---- compute() with locations: hk_opencv_compute_locations through a small C driver

DRIVER = os.path.join(os.path.dirname(__file__), "opencv_locations.c")


@pytest.fixture(scope="module")
def driver(tmp_path_factory):
    src_dir = os.environ.get("HK_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
    exe = tmp_path_factory.mktemp("drv") / "opencv_locations"
    libs = subprocess.run(["pkg-config", "--libs", "spng", "libjpeg", "zlib"],
                          capture_output=True, text=True, check=True).stdout.split()
    san = ["-fsanitize=address,undefined"] if os.environ.get("HK_SANITIZE") == "1" else []
    subprocess.run(["cc", "-std=c11", "-O1", *san, "-I", os.path.join(src_dir, "include"),
                    DRIVER, os.path.join(BUILD, "libhogkit.a"), *libs, "-lm", "-lpthread",
                    "-o", str(exe)], check=True)
    return str(exe)


def run_driver(driver, tmp_path, img, p, locations):
    np.save(tmp_path / "l.npy", img)
    ws = p.get("win_stride", (0, 0))
    pad = p.get("padding", (0, 0))
    o = dict(win_size=(64, 128), block_size=(16, 16), block_stride=(8, 8), cell_size=(8, 8))
    o.update({k: p[k] for k in o if k in p})
    gamma = 1 if p.get("ctor") == "noargs" else int(p.get("gamma", False))
    args = [driver, tmp_path / "l.npy", tmp_path / "l_out.npy",
            *o["win_size"], *o["block_size"], *o["block_stride"], *o["cell_size"],
            p.get("nbins", 9), p.get("win_sigma", -1), p.get("l2hys_threshold", 0.2), gamma,
            int(p.get("signed_gradient", False)), *ws, *pad]
    for q in locations:
        args += list(q)
    subprocess.run(list(map(str, args)), check=True)
    return np.load(tmp_path / "l_out.npy")


@pytest.mark.parametrize("pname", ["people_noargs", "small_32", "pad_odd", "signed"])
def test_locations(driver, tmp_path, pname):
    p = PARAMS[pname]
    img = noise((150, 97, 3), 21)
    win = p.get("win_size", (64, 128))
    pad = p.get("padding", (0, 0))
    # inside, on both edges of the accepted range, off the stride grid, and outside
    locs = [(0, 0), (3, 5), (97 - win[0], 150 - win[1]), (97 - win[0] + 1, 0), (-1, 0),
            (-pad[0], -pad[1]), (17, 11), (1000, 0), (0, -1000)]
    ref = reference(tmp_path, img, p, locs)
    got = run_driver(driver, tmp_path, img, p, locs)
    assert got.shape == ref.shape
    assert np.abs(got - ref).max() <= TOL
    d = ref.size // len(locs)
    assert not got[7 * d:].any()  # out of range: zeros


def test_locations_match_extract(driver, tmp_path):
    """Windows on the stride grid give exactly the descriptors of
    hk_hog_extract's scalar path (the one compute(locations) runs), and those
    of its default (AVX2) path to float rounding."""
    p = dict(PEOPLE, win_stride=(16, 8), padding=(8, 8))
    img = noise((140, 100), 22)
    locs = [(-8, -8), (8, 0), (24, 8)]
    got = run_driver(driver, tmp_path, img, p, locs)
    full = hk(tmp_path, tmp_path / "l.npy", p, extra=("--simd", "scalar"))
    fast = hk(tmp_path, tmp_path / "l.npy", p)
    nwx = (100 + 16 - 64) // 16 + 1
    d = 3780
    for k, (x, y) in enumerate(locs):
        i = ((y + 8) // 8) * nwx + (x + 8) // 16
        assert np.array_equal(got[k * d:(k + 1) * d], full[i * d:(i + 1) * d])
        assert np.abs(got[k * d:(k + 1) * d] - fast[i * d:(i + 1) * d]).max() <= 1e-5
