"""hogkit train-detector end to end on synthetic data the test builds.

Pedestrian-like figures (head, torso, arms, legs, random grey levels and
proportions) are drawn on cluttered backgrounds (blurred noise plus random
rectangles, lines and circles). The detector is trained on crops and on
backgrounds without figures, then judged by average precision (IoU >= 0.5)
on held-out pictures with figures at several sizes. The model file must also
load in cv2.HOGDescriptor and give OpenCV's detectMultiScale the same boxes.
"""
import json
import os

import cv2
import numpy as np
import pytest

from conftest import run_cli

WIN = (32, 64)  # (w, h)


def clutter(rng, h, w):
    img = rng.integers(0, 256, (h, w), dtype=np.uint8)
    img = cv2.GaussianBlur(img, (0, 0), 3)
    img = cv2.normalize(img, None, 40, 215, cv2.NORM_MINMAX)
    for _ in range(int(h * w / 2500)):
        c = int(rng.integers(0, 256))
        kind = rng.integers(0, 3)
        x, y = int(rng.integers(0, w)), int(rng.integers(0, h))
        if kind == 0:
            cv2.rectangle(img, (x, y), (x + int(rng.integers(4, 30)), y + int(rng.integers(4, 30))), c, -1)
        elif kind == 1:
            cv2.line(img, (x, y), (int(rng.integers(0, w)), int(rng.integers(0, h))), c, int(rng.integers(1, 3)))
        else:
            cv2.circle(img, (x, y), int(rng.integers(2, 10)), c, int(rng.integers(-1, 3)) or 1)
    return img


def draw_figure(img, rng, x, y, s):
    """A figure filling the window (x, y, 32*s, 64*s)."""
    w, h = WIN[0] * s, WIN[1] * s
    bg = float(img[int(y):int(y + h), int(x):int(x + w)].mean())
    c = int(np.clip(bg + rng.choice([-1, 1]) * rng.uniform(70, 120), 0, 255))
    cx = x + w / 2 + rng.uniform(-1, 1) * s
    j = lambda v: v * rng.uniform(0.9, 1.1)
    P = lambda a, b: (int(round(a)), int(round(b)))
    head_r = j(0.09) * h
    head_y = y + 0.14 * h
    cv2.circle(img, P(cx, head_y), max(1, int(head_r)), c, -1)
    tw = j(0.38) * w
    cv2.rectangle(img, P(cx - tw / 2, head_y + head_r), P(cx + tw / 2, y + 0.58 * h), c, -1)
    lw = max(1, int(j(0.12) * w))
    for side in (-1, 1):
        cv2.line(img, P(cx + side * tw / 2, head_y + head_r + 2 * s),
                 P(cx + side * j(0.42) * w, y + 0.55 * h), c, lw)
        cv2.line(img, P(cx + side * tw / 4, y + 0.58 * h),
                 P(cx + side * j(0.3) * w, y + 0.92 * h), c, lw + 1)


def ap_at_50(dets, gts):
    """VOC average precision (all points). dets: (img, score, box); gts: img -> boxes."""
    def iou(a, b):
        x0, y0 = max(a[0], b[0]), max(a[1], b[1])
        x1, y1 = min(a[0] + a[2], b[0] + b[2]), min(a[1] + a[3], b[1] + b[3])
        inter = max(0, x1 - x0) * max(0, y1 - y0)
        return inter / (a[2] * a[3] + b[2] * b[3] - inter)
    npos = sum(len(v) for v in gts.values())
    used = {k: [False] * len(v) for k, v in gts.items()}
    tp, fp = [], []
    for img, score, box in sorted(dets, key=lambda d: -d[1]):
        best, bi = 0.0, -1
        for i, g in enumerate(gts[img]):
            o = iou(box, g)
            if o > best:
                best, bi = o, i
        if best >= 0.5 and not used[img][bi]:
            used[img][bi] = True
            tp.append(1); fp.append(0)
        else:
            tp.append(0); fp.append(1)
    tp, fp = np.cumsum(tp), np.cumsum(fp)
    rec = tp / max(npos, 1)
    prec = tp / np.maximum(tp + fp, 1e-9)
    mrec = np.concatenate([[0], rec, [1]])
    mpre = np.concatenate([[0], prec, [0]])
    for i in range(len(mpre) - 2, -1, -1):
        mpre[i] = max(mpre[i], mpre[i + 1])
    idx = np.where(mrec[1:] != mrec[:-1])[0]
    return float(np.sum((mrec[idx + 1] - mrec[idx]) * mpre[idx + 1]))


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    rng = np.random.default_rng(7)
    root = tmp_path_factory.mktemp("train")
    pos, neg, test = root / "pos", root / "neg", root / "test"
    for d in (pos, neg, test):
        d.mkdir()
    for i in range(240):
        img = clutter(rng, WIN[1] + 8, WIN[0] + 8)
        draw_figure(img, rng, 4, 4, 1.0)
        crop = img[4 + int(rng.integers(-2, 3)):, 4 + int(rng.integers(-2, 3)):][:WIN[1], :WIN[0]]
        cv2.imwrite(str(pos / f"p{i:03d}.png"), crop)
    for i in range(30):
        cv2.imwrite(str(neg / f"n{i:03d}.png"), clutter(rng, 160, 200))
    gts = {}
    for i in range(30):
        img = clutter(rng, 200, 240)
        boxes = []
        for _ in range(int(rng.integers(1, 3))):
            for _try in range(50):
                s = float(rng.uniform(1.0, 1.6))
                w, h = WIN[0] * s, WIN[1] * s
                x, y = float(rng.uniform(0, 240 - w)), float(rng.uniform(0, 200 - h))
                if all(x + w < b[0] or b[0] + b[2] < x for b in boxes):
                    break
            draw_figure(img, rng, x, y, s)
            boxes.append((x, y, w, h))
        name = str(test / f"t{i:03d}.png")
        cv2.imwrite(name, img)
        gts[name] = boxes
    return root, gts


def test_train_detect_ap_and_opencv_compat(dataset):
    root, gts = dataset
    model = root / "model.yml"
    run_cli("train-detector", "--pos", root / "pos", "--neg", root / "neg", "-o", model,
            "--win", "32,64", "--rounds", "2", check=True)
    # OpenCV reads the model as its own
    hog = cv2.HOGDescriptor()
    assert hog.load(str(model))
    assert hog.winSize == WIN and len(hog.svmDetector) == 3 * 7 * 36 + 1

    out = root / "boxes.json"
    names = sorted(gts)
    run_cli("detect", *names, "--model", model, "-o", out, "--group-threshold", "1",
            "--scale", "1.05", check=True)
    res = json.loads(out.read_text())
    assert [r["image"] for r in res] == names
    dets = [(r["image"], b["score"], (b["x"], b["y"], b["w"], b["h"])) for r in res for b in r["boxes"]]
    ap = ap_at_50(dets, gts)
    print(f"average precision (IoU 0.5) on {len(names)} held-out images: {ap:.3f}")
    with open(os.path.join(root, "ap.txt"), "w") as f:
        f.write(f"{ap:.4f}\n")
    assert ap >= 0.9

    # the same boxes from OpenCV with the same model
    for r in res[:5]:
        img = cv2.imread(r["image"])
        found, w = hog.detectMultiScale(img, groupThreshold=1)
        ours = sorted((b["x"], b["y"], b["w"], b["h"]) for b in r["boxes"])
        theirs = sorted(tuple(int(v) for v in f) for f in found)
        assert ours == theirs
