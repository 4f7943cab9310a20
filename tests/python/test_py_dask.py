"""hogkit.dask on a real distributed.LocalCluster of worker processes (loopback):
bitwise identical to hog_batch on one machine, resumable after an interruption,
unchanged when a worker process is killed during the run, and bad files
reported, not fatal."""
import json
import os
import signal
import subprocess
import sys
import threading
import time

import numpy as np
import pytest
import zarr

import hogkit
from hogkit.dask import compute_dataset, open_features, read_idx

FASHION = "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz"
PARAMS = dict(orientations=9, pixels_per_cell=(4, 4), cells_per_block=(2, 2))
BUILD = os.environ.get("HK_BUILD_DIR", os.path.join(os.path.dirname(__file__), "..", "..",
                                                     "build"))


@pytest.fixture(scope="module")
def cluster():
    from distributed import Client, LocalCluster
    c = LocalCluster(n_workers=3, threads_per_worker=1, processes=True, dashboard_address=None)
    client = Client(c)
    yield client
    client.close()
    c.close()


@pytest.fixture(scope="module")
def fashion():
    return read_idx(FASHION)[:6000]


def test_idx_reader_matches_numpy_layout(fashion):
    assert fashion.shape == (6000, 28, 28) and fashion.dtype == np.uint8
    assert fashion.std() > 10


def test_identical_to_hog_batch(tmp_path, cluster, fashion):
    np.save(tmp_path / "stack.npy", fashion)
    s = compute_dataset(tmp_path / "stack.npy", tmp_path / "a.zarr", params=PARAMS, chunk=700,
                        client=cluster)
    assert s["computed"] == 9 and s["failed"] == []
    got = open_features(tmp_path / "a.zarr")[:]
    ref = hogkit.hog_batch(fashion, **PARAMS, threads=1).astype(np.float32)
    assert got.dtype == np.float32 and got.shape == ref.shape
    assert np.array_equal(got, ref)  # bitwise
    attrs = zarr.open_group(str(tmp_path / "a.zarr"), mode="r").attrs
    assert attrs["variant"] == "skimage" and attrs["hogkit_version"] == hogkit.__version__
    assert attrs["params"]["pixels_per_cell"] == [4, 4] and attrs["complete"]
    # a dask.array input gives the same store content
    import dask.array as da
    s2 = compute_dataset(da.from_array(fashion, chunks=1000), tmp_path / "b.zarr",
                         params=PARAMS, chunk=700, client=cluster)
    assert np.array_equal(open_features(tmp_path / "b.zarr")[:], ref)
    assert s2["n"] == 6000


def test_maskfeat_variant(tmp_path, cluster):
    rng = np.random.default_rng(0)
    imgs = rng.random((50, 32, 32, 3)).astype(np.float32)
    compute_dataset(imgs, tmp_path / "m.zarr", variant="maskfeat", chunk=16, client=cluster,
                    params=dict(nbins=9, pool=8, patch=16))
    ref = hogkit.maskfeat_targets(np.ascontiguousarray(np.moveaxis(imgs, -1, 1)), nbins=9,
                                  pool=8, patch=16, threads=1)
    assert np.array_equal(open_features(tmp_path / "m.zarr")[:], ref.reshape(50, -1))


def run_cli_dataset(*args, **kw):
    return subprocess.Popen([os.path.join(BUILD, "hogkit"), "dataset", *map(str, args)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True, **kw)


def test_interrupted_then_resumed(tmp_path, fashion):
    np.save(tmp_path / "stack.npy", fashion)
    store = tmp_path / "r.zarr"
    args = [tmp_path / "stack.npy", "-o", store, "--workers", 1, "--chunk", 200,
            "--pixels-per-cell", "4,4", "--cells-per-block", "2,2", "--no-progress"]
    p = run_cli_dataset(*args)
    done = store / ".hogkit-done"
    deadline = time.time() + 120
    while time.time() < deadline and p.poll() is None:
        if done.exists() and len(os.listdir(done)) >= 3:
            break
        time.sleep(0.02)
    # the CLI, its local cluster and every worker: the whole session, at once
    subprocess.run(["pkill", "-KILL", "-s", str(p.pid)])
    p.wait()

    def markers():
        return len([f for f in os.listdir(done) if f.endswith(".json")])

    # a worker process may still be finishing its chunk: count once nothing changes
    n_done, deadline = -1, time.time() + 30
    while time.time() < deadline:
        now = markers()
        if now == n_done:
            break
        n_done = now
        time.sleep(1.0)
    assert 1 <= n_done < 30, "the run must be interrupted half-way"
    # a chunk whose rows were written but whose marker was not: recomputed
    # (the kill may leave a marker's temporary file behind: pick a real marker)
    os.remove(done / sorted(f for f in os.listdir(done) if f.endswith(".json"))[0])
    p = run_cli_dataset(*args)
    out, err = p.communicate(timeout=300)
    assert p.returncode == 0, err
    summary = json.loads(out)
    assert summary["skipped"] == n_done - 1 and summary["computed"] == 30 - (n_done - 1)
    ref = hogkit.hog_batch(fashion, **PARAMS, threads=1).astype(np.float32)
    assert np.array_equal(open_features(store)[:], ref)


def test_worker_killed_during_run(tmp_path, cluster):
    rng = np.random.default_rng(1)
    imgs = rng.integers(0, 256, (240, 192, 192), dtype=np.uint8)
    np.save(tmp_path / "big.npy", imgs)
    store = tmp_path / "k.zarr"
    result = {}

    def work():
        result["summary"] = compute_dataset(tmp_path / "big.npy", store, params=PARAMS,
                                            chunk=6, client=cluster)

    t = threading.Thread(target=work)
    t.start()
    done = store / ".hogkit-done"
    deadline = time.time() + 120
    while time.time() < deadline and not (done.exists() and len(os.listdir(done)) >= 2):
        time.sleep(0.01)
    workers = cluster.run(os.getpid)
    victim = sorted(workers.values())[0]
    os.kill(victim, signal.SIGKILL)
    t.join(timeout=300)
    assert not t.is_alive() and "summary" in result
    ref = hogkit.hog_batch(imgs, **PARAMS, threads=1).astype(np.float32)
    assert np.array_equal(open_features(store)[:], ref)


def test_bad_files_reported_not_fatal(tmp_path, cluster):
    import cv2
    folder = tmp_path / "imgs"
    folder.mkdir()
    rng = np.random.default_rng(2)
    good = []
    for i in range(7):
        img = rng.integers(0, 256, (40, 48), dtype=np.uint8)
        cv2.imwrite(str(folder / f"{i:02d}.png"), img)
        good.append(img)
    (folder / "03.png").write_bytes((folder / "03.png").read_bytes()[:60])  # truncated
    (folder / "05.png").write_bytes(b"not an image at all")
    cv2.imwrite(str(folder / "06.png"), np.zeros((8, 8), np.uint8))  # other size
    s = compute_dataset(folder, tmp_path / "f.zarr", params=PARAMS, chunk=3, client=cluster)
    assert [f["index"] for f in s["failed"]] == [3, 5, 6]
    assert all(f["path"].endswith(n) for f, n in zip(s["failed"], ["03.png", "05.png",
                                                                    "06.png"]))
    feats = open_features(tmp_path / "f.zarr")[:]
    assert np.isnan(feats[[3, 5, 6]]).all()
    for i in (0, 1, 2, 4):
        ref = hogkit.hog(good[i], **PARAMS).astype(np.float32)
        assert np.array_equal(feats[i], ref)
    manifest = json.loads((tmp_path / "f.zarr" / "failed.json").read_text())
    assert [m["index"] for m in manifest] == [3, 5, 6]


def test_store_of_another_computation_is_refused(tmp_path, cluster, fashion):
    np.save(tmp_path / "s.npy", fashion[:100])
    compute_dataset(tmp_path / "s.npy", tmp_path / "x.zarr", params=PARAMS, chunk=50,
                    client=cluster)
    with pytest.raises(ValueError, match="different computation"):
        compute_dataset(tmp_path / "s.npy", tmp_path / "x.zarr", chunk=50, client=cluster,
                        params=dict(PARAMS, orientations=8))
