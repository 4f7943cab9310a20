"""hogkit.fhog against the real VLFeat (libvl) and dlib, through the
reference drivers of tests/ref; hogkit.maskfeat_targets against the CLI's
MaskFeat variant on the same batch."""
import os

import numpy as np
import pytest
from skimage import data as skdata

import fhog_ref as F
import hogkit
from conftest import run_cli


@pytest.fixture(scope="module")
def refs(tmp_path_factory):
    if not (F.have_vlfeat() and F.have_dlib()):
        pytest.skip("VLFeat or dlib headers missing")
    d = str(tmp_path_factory.mktemp("ref"))
    return F.compile_vlfeat(d), F.compile_dlib(d)


def images():
    return {"noise": F.noise((67, 53)), "noise16": F.noise((40, 48), np.uint16, seed=1),
            "float": F.noise((45, 61), np.float32, seed=2),
            "edges": F.angle_edges(64, 64, 37),
            "camera": skdata.camera()[::2, ::2], "astronaut": skdata.astronaut()[::3, ::3]}


@pytest.mark.parametrize("variant", ["uoctti", "dt"])
@pytest.mark.parametrize("bilinear", [False, True])
def test_vlfeat(tmp_path, refs, variant, bilinear):
    for key, img in images().items():
        for cell, n in ((8, 9), (6, 7)):
            ref = F.vlfeat_ref(refs[0], str(tmp_path), img, variant, n, int(bilinear), cell)
            axis = -1 if img.ndim == 3 else None
            got = hogkit.fhog(img, cell, variant, n, bilinear, channel_axis=axis)
            assert F.max_diff(got, ref) <= 1e-5, (key, cell, n)
            last = hogkit.fhog(img, cell, variant, n, bilinear, channel_axis=axis,
                               channels_last=True)
            assert np.array_equal(last, np.moveaxis(got, 0, -1))


def test_dlib(tmp_path, refs):
    for key, img in images().items():
        for cell, pad in ((8, (1, 1)), (4, (3, 2))):
            ref = F.dlib_ref(refs[1], str(tmp_path), img, cell, pad)
            got = hogkit.fhog(img, cell, "dlib", filter_padding=pad,
                              channel_axis=-1 if img.ndim == 3 else None)
            assert F.max_diff(got, ref) <= 1e-5, (key, cell)


def test_fhog_visualize_and_errors():
    img = F.noise((64, 80))
    feat, pic = hogkit.fhog(img, visualize=True)
    assert pic.shape == (feat.shape[1] * 21, feat.shape[2] * 21) and pic.dtype == np.float32
    assert np.abs(pic).max() > 0
    with pytest.raises(ValueError, match="variant"):
        hogkit.fhog(img, variant="nope")
    with pytest.raises(ValueError):
        hogkit.fhog(img, cell_size=0)
    with pytest.raises(ValueError, match="too small"):
        hogkit.fhog(np.zeros((3, 3), np.uint8))
    with pytest.raises(ValueError):
        hogkit.fhog(np.zeros((30, 30, 3), np.uint8))     # colour without channel_axis
    with pytest.raises(ValueError, match="NaN"):
        hogkit.fhog(np.full((30, 30), np.nan))


def test_maskfeat_targets_match_cli(tmp_path):
    rng = np.random.default_rng(5)
    batch = rng.random((3, 3, 48, 64)).astype(np.float32)
    for kw, opts in (({}, []), ({"gaussian_window": 16, "nbins": 9},
                                ["--gaussian-window", "16"])):
        b = batch if not kw else batch[:, :, :48, :48].copy()
        got = hogkit.maskfeat_targets(b, **kw)
        src = tmp_path / "batch.npy"
        np.save(src, b)
        out = tmp_path / "out.npy"
        proc = run_cli("hog", src, "-o", out, "--variant", "maskfeat", *opts)
        if proc.returncode != 0:
            pytest.fail(proc.stderr)
        ref = np.load(out)
        assert got.dtype == np.float32
        assert got.shape == ref.reshape(got.shape).shape
        assert np.array_equal(got, ref.reshape(got.shape))
    # one (C, H, W) image, and a non-contiguous float64 view
    assert np.array_equal(hogkit.maskfeat_targets(batch[0]), hogkit.maskfeat_targets(batch[:1]))
    view = batch.astype(np.float64)[:, :, ::2, ::2]
    assert np.array_equal(hogkit.maskfeat_targets(view),
                          hogkit.maskfeat_targets(np.ascontiguousarray(view, np.float32)))
