"""End to end: `hogkit train`, `predict` and `study` on small subsets of
Fashion-MNIST (Debian's dataset-fashion-mnist) and OpenCV's digits.png.

Accuracy thresholds sit well below what the learners reach on these subsets
and far above chance (10%); each learner must also beat a nearest-centroid
baseline computed here in numpy on scikit-image's HOG of the same images.
KNN is checked prediction by prediction against a numpy implementation.
Model files must round-trip and be refused when corrupt, truncated or foreign.
"""
import gzip
import json
import os

import cv2
import numpy as np
import pytest
from skimage.feature import hog as sk_hog

from conftest import run_cli

FASHION = "/usr/share/datasets/fashion-mnist"
TRAIN = os.path.join(FASHION, "train-images-idx3-ubyte.gz")
TEST = os.path.join(FASHION, "t10k-images-idx3-ubyte.gz")
DIGITS = "/usr/share/doc/opencv-doc/examples/data/digits.png"
N_TRAIN, N_TEST = 600, 200
HOG = "hog:pixels-per-cell=4,4:cells-per-block=2,2"
FAST = {  # fixed parameters: no search, so the test stays quick
    "svm-linear": ["--param", "C=0.1"],
    "svm-rbf": ["--param", "C=10", "--param", "gamma-scale=1"],
    "knn": ["--param", "k=5", "--param", "weights=uniform"],
    "forest": ["--param", "trees=12", "--param", "max_depth=6"],
    "gbdt": ["--param", "trees=8", "--param", "max_depth=3", "--param", "eta=0.5"],
}
pytestmark = pytest.mark.skipif(not os.path.exists(TRAIN), reason="dataset-fashion-mnist missing")


def idx(path, n):
    with gzip.open(path) as f:
        data = f.read()
    if data[3] == 3:
        return np.frombuffer(data, np.uint8, offset=16)[: n * 784].reshape(n, 28, 28)
    return np.frombuffer(data, np.uint8, offset=8)[:n].astype(int)


def labels_of(images_path):
    return images_path.replace("images-idx3", "labels-idx1")


@pytest.fixture(scope="module")
def fashion():
    xtr, ytr = idx(TRAIN, N_TRAIN), idx(labels_of(TRAIN), N_TRAIN)
    xte, yte = idx(TEST, N_TEST), idx(labels_of(TEST), N_TEST)
    feat = lambda xs: np.array([sk_hog(x, 9, (4, 4), (2, 2)) for x in xs])
    return feat(xtr), ytr, feat(xte), yte


def nearest_centroid(ftr, ytr, fte):
    cents = np.array([ftr[ytr == c].mean(0) for c in range(10)])
    return ((fte[:, None, :] - cents[None]) ** 2).sum(-1).argmin(1)


def train(tmp_path, learner, *extra, data=TRAIN, features=HOG, limit=N_TRAIN):
    model = tmp_path / f"{learner}.hkm"
    r = run_cli("train", data, "--features", features, "--learner", learner, "-o", model,
                "--limit", limit, "-q", "--threads", 1, *extra, check=True)
    assert os.path.exists(model)
    return model, r.stdout


def predict(tmp_path, model, *extra, data=TEST, limit=N_TEST):
    out = tmp_path / "pred.txt"
    r = run_cli("predict", model, data, "--limit", limit, "-o", out, *extra, check=True)
    last = r.stdout.strip().split("\n")[-1]
    assert last.startswith("accuracy: ")
    return np.loadtxt(out, dtype=int, ndmin=1), float(last.split()[1])


@pytest.mark.parametrize("learner", list(FAST))
def test_learner_beats_baseline(tmp_path, fashion, learner):
    ftr, ytr, fte, yte = fashion
    baseline = (nearest_centroid(ftr, ytr, fte) == yte).mean()
    model, out = train(tmp_path, learner, *FAST[learner])
    assert "no search" in out
    pred, acc = predict(tmp_path, model)
    assert len(pred) == N_TEST
    assert acc == pytest.approx((pred == yte).mean(), abs=1e-4)
    assert acc >= 0.6, (learner, acc)
    assert acc >= baseline - 0.03, (learner, acc, baseline)


def test_rbf_pca_with_opencv_hog(tmp_path, fashion):
    """`--param pca=N` projects onto N principal components before libsvm; with
    the OpenCV-variant HOG spec the model round-trips through predict and beats
    the nearest-centroid baseline. pca is a parameter of svm-rbf only."""
    ftr, ytr, fte, yte = fashion
    baseline = (nearest_centroid(ftr, ytr, fte) == yte).mean()
    model, out = train(tmp_path, "svm-rbf", *FAST["svm-rbf"], "--param", "pca=24",
                       features="hog:variant=opencv:signed:orient=12")
    assert "pca=24" in out and "1728 values" in out
    pred, acc = predict(tmp_path, model)
    assert acc == pytest.approx((pred == yte).mean(), abs=1e-4)
    assert acc >= 0.6 and acc >= baseline - 0.03, (acc, baseline)
    r = run_cli("train", TRAIN, "--features", HOG, "--learner", "svm-linear", "--param",
                "pca=4", "--limit", 100, "-o", tmp_path / "x.hkm")
    assert r.returncode != 0 and "not a valid svm-linear parameter" in r.stderr
    assert not (tmp_path / "x.hkm").exists()


def test_knn_matches_numpy(tmp_path, fashion):
    ftr, ytr, fte, yte = fashion
    for k, weights in [(1, "uniform"), (7, "distance")]:
        model, _ = train(tmp_path, "knn", "--param", f"k={k}", "--param", f"weights={weights}")
        pred, _ = predict(tmp_path, model)
        mean, std = ftr.mean(0), ftr.std(0)
        std[std <= 1e-12] = 1
        a, b = (ftr - mean) / std, (fte - mean) / std
        d = ((b[:, None, :] - a[None]) ** 2).sum(-1)
        nn = np.argsort(d, axis=1, kind="stable")[:, :k]
        want = []
        for i in range(len(b)):
            votes = np.zeros(10)
            for j in nn[i]:
                votes[ytr[j]] += 1 if weights == "uniform" else 1 / max(np.sqrt(d[i, j]), 1e-300)
            want.append(int(np.argmax(votes)))
        agree = (pred == np.array(want)).mean()
        assert agree >= 0.99, (k, weights, agree)   # float32 distances may swap near-ties


def test_grid_search_and_budget(tmp_path):
    grid = tmp_path / "grids.conf"
    grid.write_text("# tiny grid\nsvm-linear C 0.01 1   # two values\n")
    model, out = train(tmp_path, "svm-linear", "--grid", grid, "--budget", 300, "--folds", 2,
                       limit=500)
    assert "2-fold cv accuracy" in out
    assert any(f"C={c}" in out for c in ("0.01", "1"))
    # a grid line with a bad value, and an unknown learner, are usage errors
    grid.write_text("svm-linear C -1\n")
    r = run_cli("train", TRAIN, "--features", HOG, "--learner", "svm-linear", "--grid", grid,
                "--limit", 100, "-o", tmp_path / "x.hkm")
    assert r.returncode != 0 and "bad value" in r.stderr
    r = run_cli("train", TRAIN, "--features", HOG, "--learner", "svm-fancy", "-o", tmp_path / "x")
    assert r.returncode == 2


def test_model_files_refused_when_damaged(tmp_path):
    model, _ = train(tmp_path, "svm-linear", *FAST["svm-linear"], limit=300)
    good = model.read_bytes()
    _, acc = predict(tmp_path, model, limit=50)
    cases = {
        "flip": good[:40] + bytes([good[40] ^ 1]) + good[41:],
        "truncated": good[: len(good) // 2],
        "foreign": b"\x89PNG\r\n\x1a\n" + good[8:],
        "empty": b"",
        "version": good[:8] + b"\x63\x00\x00\x00" + good[12:],
        "tail": good + b"x",
    }
    for name, data in cases.items():
        bad = tmp_path / f"{name}.hkm"
        bad.write_bytes(data)
        r = run_cli("predict", bad, TEST, "--limit", 10, "-o", tmp_path / f"{name}.txt")
        assert r.returncode == 1, name
        assert "not a usable hogkit model" in r.stderr, name
        assert not (tmp_path / f"{name}.txt").exists(), name
    # the intact model still works, unchanged
    _, acc2 = predict(tmp_path, model, limit=50)
    assert acc == acc2


@pytest.mark.skipif(not os.path.exists(DIGITS), reason="opencv-doc not installed")
def test_digits_rbf(tmp_path):
    """OpenCV's digits.py protocol on a third of the data: shuffle 321, deskew,
    first 90% train (limited to 1000), the rest test."""
    common = ["--shuffle", 321, "--split", 0.9]
    model, _ = train(tmp_path, "svm-rbf", "--param", "C=10", "--param", "gamma-scale=1",
                     *common, data=DIGITS, features="hog:deskew:cell=5:block=2", limit=1000)
    pred, acc = predict(tmp_path, model, *common, data=DIGITS, limit=300)
    assert len(pred) == 300
    assert acc >= 0.9


def test_study_report(tmp_path):
    out = tmp_path / "report"
    r = run_cli("study", TRAIN, TEST, "--features", "hog:cell=7:block=2,lbp,gabor:freq=0.25",
                "--learners", "svm-linear,knn", "--limit", 300, "-o", out, "-q",
                "--param", "C=0.1", "--param", "k=3", "--threads", 1, check=True)
    table = (out / "table.md").read_text()
    assert table.count("\n| ") == 6   # 3 features x 2 learners
    rep = json.loads((out / "report.json").read_text())
    assert len(rep["results"]) == 6 and all(x["ok"] for x in rep["results"])
    best = max(rep["results"], key=lambda x: x["accuracy"])
    assert best["accuracy"] >= 0.55
    assert rep["best"]["learner"] == best["learner"]
    cm = np.array(rep["best"]["confusion"])
    assert cm.shape == (10, 10) and cm.sum() == 300
    png = cv2.imread(str(out / "confusion.png"))
    assert png is not None and png.shape[0] == png.shape[1] > 10
    assert "best:" in r.stdout


def test_study_jobs_do_not_change_results(tmp_path):
    """Pairs run side by side (--jobs 2, the RBF SVM first) give the same
    table as one after another, in the same feature-major order."""
    reps = []
    for jobs, threads in ((1, 1), (2, 2)):
        out = tmp_path / f"report{jobs}"
        run_cli("study", TRAIN, TEST, "--features", "hog:cell=7:block=2,lbp",
                "--learners", "svm-linear,svm-rbf,knn", "--limit", 300, "-o", out, "-q",
                "--param", "C=1", "--param", "k=3", "--param", "gamma-scale=1",
                "--threads", threads, "--jobs", jobs, check=True)
        reps.append(json.loads((out / "report.json").read_text()))
    keys = ("features", "learner", "ok", "parameters", "accuracy", "macro_f1")
    rows = [[tuple(r[k] for k in keys) for r in rep["results"]] for rep in reps]
    assert rows[0] == rows[1]
    assert [r[1] for r in rows[0]] == ["svm-linear", "svm-rbf", "knn"] * 2
    assert reps[0]["best"] == reps[1]["best"]
    bad = run_cli("study", TRAIN, TEST, "-o", tmp_path / "x", "--jobs", "0")
    assert bad.returncode == 2 and "--jobs" in bad.stderr
