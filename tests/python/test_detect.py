"""hogkit detect against cv2.HOGDescriptor.detectMultiScale (OpenCV 4.6).

OpenCV's default people detector is exported by the test (its coefficients
are not in the repository). Frames of OpenCV's vtest.avi are decoded here
with cv2.VideoCapture; photos come from opencv-doc and skimage. JPEGs are
re-encoded as PNG first so that both libraries see the same pixels.

Box sets are compared as sets. hogkit reproduces OpenCV's arithmetic (the
resize, the gradient with OpenCV's fast atan, the block weights and L2-Hys,
the SVM sums, groupRectangles), but blocks are summed in a different order
(separable, row by row), so scores differ from OpenCV's by about 1e-7; a
window whose score sits within that of the hit threshold could flip. The
test therefore requires every box to match exactly except for at most 2% of
the boxes (and, as the issue asks, 95% matched both ways at IoU >= 0.9).
"""
import json
import os
import re
import subprocess

import cv2
import numpy as np
import pytest

from conftest import BUILD, CLI, run_cli

DATA = "/usr/share/doc/opencv-doc/examples/data"
SRC = os.environ.get("HK_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))


@pytest.fixture(scope="module")
def work(tmp_path_factory):
    d = tmp_path_factory.mktemp("detect")
    hog = cv2.HOGDescriptor()
    hog.setSVMDetector(cv2.HOGDescriptor_getDefaultPeopleDetector())
    hog.save(str(d / "people.yml"))
    hog.save(str(d / "people.xml"))
    images = []
    cap = cv2.VideoCapture(os.path.join(DATA, "vtest.avi"))
    i = 0
    while len(images) < 4:
        ok, frame = cap.read()
        assert ok, "vtest.avi ended early"
        if i % 60 == 10:
            name = str(d / f"frame{i:04d}.png")
            cv2.imwrite(name, frame)
            images.append(name)
        i += 1
    for p in ("basketball1.png", "messi5.jpg"):
        name = str(d / ("photo_" + p.split(".")[0] + ".png"))
        cv2.imwrite(name, cv2.imread(os.path.join(DATA, p)))
        images.append(name)
    astro = "/usr/lib/python3/dist-packages/skimage/data/astronaut.png"
    if os.path.exists(astro):
        name = str(d / "photo_astronaut.png")
        cv2.imwrite(name, cv2.imread(astro))
        images.append(name)
    grey = str(d / "grey.png")
    cv2.imwrite(grey, cv2.cvtColor(cv2.imread(images[0]), cv2.COLOR_BGR2GRAY))
    images.append(grey)
    return d, images


def iou(a, b):
    x0, y0 = max(a[0], b[0]), max(a[1], b[1])
    x1, y1 = min(a[0] + a[2], b[0] + b[2]), min(a[1] + a[3], b[1] + b[3])
    inter = max(0, x1 - x0) * max(0, y1 - y0)
    return inter / float(a[2] * a[3] + b[2] * b[3] - inter)


def compare(work, model, cv_kwargs, cli_args, subset=None):
    d, images = work
    images = images if subset is None else [images[i] for i in subset]
    out = d / "boxes.json"
    run_cli("detect", *images, "--model", model, "-o", out, *cli_args, check=True)
    res = json.loads(out.read_text())
    assert [r["image"] for r in res] == images
    hog = cv2.HOGDescriptor()
    assert hog.load(str(model))
    total = exact = matched_cv = matched_hk = n_hk = 0
    for r in res:
        img = cv2.imread(r["image"], cv2.IMREAD_UNCHANGED)
        found, weights = hog.detectMultiScale(img, **cv_kwargs)
        theirs = [tuple(int(v) for v in f) for f in found]
        ours = [(b["x"], b["y"], b["w"], b["h"]) for b in r["boxes"]]
        scores = [b["score"] for b in r["boxes"]]
        assert scores == sorted(scores, reverse=True)
        total += len(theirs)
        n_hk += len(ours)
        exact += len(set(theirs) & set(ours))
        matched_cv += sum(any(iou(t, o) >= 0.9 for o in ours) for t in theirs)
        matched_hk += sum(any(iou(o, t) >= 0.9 for t in theirs) for o in ours)
        # scores of exactly matching boxes agree to float precision
        wmap = {t: float(w) for t, w in zip(theirs, np.ravel(weights))}
        for o, s in zip(ours, scores):
            if o in wmap and not cv_kwargs.get("useMeanshiftGrouping"):
                assert abs(wmap[o] - s) < 1e-4
    assert total > 0
    assert exact >= 0.98 * max(total, n_hk), (exact, total, n_hk)
    assert matched_cv >= 0.95 * total and matched_hk >= 0.95 * n_hk
    return total


def test_default_parameters_yaml(work):
    assert compare(work, work[0] / "people.yml", {}, []) >= 10


def test_default_parameters_xml(work):
    compare(work, work[0] / "people.xml", {}, [])


@pytest.mark.parametrize("cv_kwargs,cli_args", [
    ({"scale": 1.1}, ["--scale", "1.1"]),
    ({"winStride": (4, 4)}, ["--win-stride", "4,4"]),
    ({"padding": (8, 8)}, ["--padding", "8,8"]),
    ({"padding": (16, 16), "winStride": (8, 16)}, ["--padding", "16,16", "--win-stride", "8,16"]),
    ({"hitThreshold": 0.5}, ["--hit-threshold", "0.5"]),
    ({"groupThreshold": 0}, ["--group-threshold", "0"]),
    ({"groupThreshold": 4}, ["--group-threshold", "4"]),
    ({"useMeanshiftGrouping": True, "groupThreshold": 0.1},
     ["--group", "meanshift", "--group-threshold", "0.1"]),
])
def test_variations(work, cv_kwargs, cli_args):
    # two frames, a photo and the grey frame keep the run short
    compare(work, work[0] / "people.yml", cv_kwargs, cli_args, subset=[0, 2, 4, -1])


def test_threads_do_not_change_results(work):
    d, images = work
    outs = []
    for t in ("1", "2", "3"):
        out = d / f"t{t}.json"
        run_cli("detect", *images[:3], "--model", d / "people.yml", "-o", out, "--threads", t,
                "--group", "none", check=True)
        outs.append(out.read_text())
    assert outs[0] == outs[1] == outs[2]


def test_nms_grouping(work):
    d, images = work
    out = d / "nms.json"
    run_cli("detect", images[0], "--model", d / "people.yml", "-o", out, "--group", "nms",
            "--nms-iou", "0.3", check=True)
    boxes = json.loads(out.read_text())[0]["boxes"]
    assert boxes
    rects = [(b["x"], b["y"], b["w"], b["h"]) for b in boxes]
    for i in range(len(rects)):
        for j in range(i):
            assert iou(rects[i], rects[j]) <= 0.3 + 1e-9


def test_draw_writes_png(work, tmp_path):
    d, images = work
    out = tmp_path / "b.json"
    run_cli("detect", images[0], "--model", d / "people.yml", "-o", out, "--draw",
            tmp_path / "pics", check=True)
    pic = cv2.imread(str(tmp_path / "pics" / (os.path.basename(images[0])[:-4] + ".png")))
    src = cv2.imread(images[0])
    assert pic.shape == src.shape
    b = json.loads(out.read_text())[0]["boxes"][0]
    assert tuple(pic[b["y"], b["x"] + 5]) == (0, 255, 0)  # BGR green on the outline


@pytest.fixture(scope="module")
def roundtrip_bin(tmp_path_factory):
    exe = tmp_path_factory.mktemp("bin") / "model_roundtrip"
    san = ["-fsanitize=address,undefined"] if os.environ.get("HK_SANITIZE") in ("1", "ON", "TRUE") else []
    subprocess.run(["cc", "-std=c11", *san, "-I", os.path.join(SRC, "include"),
                    os.path.join(SRC, "tests", "python", "helpers", "model_roundtrip.c"),
                    os.path.join(BUILD, "libhogkit.a"), "-o", str(exe),
                    "-lspng", "-ljpeg", "-lz", "-llinear", "-lpthread", "-lm"], check=True)
    return exe


@pytest.mark.parametrize("src_ext,dst_ext", [("yml", "yml"), ("yml", "xml"), ("xml", "yml"),
                                             ("xml", "xml")])
def test_model_roundtrip_with_opencv(work, roundtrip_bin, tmp_path, src_ext, dst_ext):
    d, _ = work
    # a non-default geometry too: the Daimler detector (48x96)
    daimler = cv2.HOGDescriptor((48, 96), (16, 16), (8, 8), (8, 8), 9)
    daimler.setSVMDetector(cv2.HOGDescriptor_getDaimlerPeopleDetector())
    daimler.save(str(tmp_path / f"daimler.{src_ext}"))
    for src in (d / f"people.{src_ext}", tmp_path / f"daimler.{src_ext}"):
        dst = tmp_path / f"out.{dst_ext}"
        p = subprocess.run([str(roundtrip_bin), str(src), str(dst)], capture_output=True, text=True)
        assert p.returncode == 0, p.stdout
        a, b = cv2.HOGDescriptor(), cv2.HOGDescriptor()
        assert a.load(str(src)) and b.load(str(dst))
        for attr in ("winSize", "blockSize", "blockStride", "cellSize", "nbins", "derivAperture",
                     "winSigma", "histogramNormType", "L2HysThreshold", "gammaCorrection",
                     "nlevels", "signedGradient"):
            assert getattr(a, attr) == getattr(b, attr), attr
        assert np.array_equal(np.asarray(a.svmDetector), np.asarray(b.svmDetector))


def hostile_cases(text):
    """Damaged versions of a model file written by OpenCV."""
    is_xml = text.lstrip().startswith("<")
    n = len(text)
    yield "empty", ""
    yield "truncated_head", text[: n // 50]
    yield "truncated_mid", text[: n // 2]
    yield "truncated_end", text[: n - 30]
    yield "garbage", "\x00\xff" * 100
    if is_xml:
        yield "wrong_winsize", text.replace("64 128", "64 120", 1)
        yield "two_coefficients_less", re.sub(r"\s+\S+\s+\S+</SVMDetector>", "</SVMDetector>", text)
        yield "bad_number", text.replace("5.35938591e-02", "5.3593x591e-02", 1)
        yield "nan", text.replace("5.35938591e-02", "nan", 1)
        yield "huge_vector", text.replace("</SVMDetector>", " 1" * 5000000 + "</SVMDetector>")
        yield "deep_nesting", text.replace("<nbins>9</nbins>", "<x>" + "<a>" * 5000 + "</x>")
        yield "huge_winsize", text.replace("64 128", "99999999999 128", 1)
    else:
        yield "wrong_winsize", text.replace("[ 64, 128 ]", "[ 64, 120 ]", 1)
        yield "two_coefficients_less", re.sub(r",\s+\S+,\s+\S+ \]", " ]", text)
        yield "bad_number", text.replace("5.35938591e-02", "5.3593x591e-02", 1)
        yield "nan", text.replace("5.35938591e-02", ".nan", 1)
        yield "huge_vector", text.replace(" ]", ", 1" * 5000000 + " ]", 1)
        yield "unclosed_list", text.replace(" ]", "", 1)
        yield "zero_cell", text.replace("cellSize: [ 8, 8 ]", "cellSize: [ 0, 8 ]")
        yield "negative_nbins", text.replace("nbins: 9", "nbins: -9")


@pytest.mark.parametrize("ext", ["yml", "xml"])
def test_hostile_model_files(work, tmp_path, ext):
    d, images = work
    text = (d / f"people.{ext}").read_text()
    for name, bad in hostile_cases(text):
        path = tmp_path / f"{name}.{ext}"
        path.write_bytes(bad.encode("latin-1"))
        out = tmp_path / "out.json"
        p = run_cli("detect", images[0], "--model", path, "-o", out)
        assert p.returncode == 1, (name, p.returncode, p.stderr)
        assert "hogkit:" in p.stderr and str(path) in p.stderr, (name, p.stderr)
        assert not out.exists()


def test_cli_usage_errors(work, tmp_path):
    d, images = work
    assert run_cli("detect", images[0], "-o", tmp_path / "x.json").returncode == 2
    assert run_cli("detect", images[0], "--model", d / "people.yml").returncode == 2
    assert run_cli("detect", images[0], "--model", d / "people.yml", "-o", tmp_path / "x.json",
                   "--scale", "abc").returncode == 2
    assert run_cli("detect", images[0], "--model", d / "people.yml", "-o", tmp_path / "x.json",
                   "--group", "bogus").returncode == 2
    p = run_cli("detect", tmp_path / "missing.png", "--model", d / "people.yml", "-o",
                tmp_path / "x.json")
    assert p.returncode == 1 and not (tmp_path / "x.json").exists()
