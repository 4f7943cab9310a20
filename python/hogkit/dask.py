"""hogkit.dask: HOG of whole datasets on a Dask cluster, into a Zarr store.

    from hogkit.dask import compute_dataset
    summary = compute_dataset("/data/tiles/", "tiles.zarr", variant="skimage",
                              params=dict(orientations=9, pixels_per_cell=(8, 8)),
                              client=distributed.Client("tcp://scheduler:8786"))

The input is cut into chunks of `chunk` images; one Dask task per chunk runs
hogkit's batch call (one hogkit thread per Dask worker thread) and writes rows
[i*chunk, (i+1)*chunk) of the store's `features` array, whose Zarr chunks are
exactly those rows, so no two tasks ever write the same Zarr chunk.

Resumable: a chunk counts as done only when its marker file exists, and the
marker is written (atomically: temporary file, fsync, rename) after the
chunk's features are. A re-run skips done chunks; a chunk interrupted half-way
has no marker and is recomputed. Fault-tolerant: tasks are idempotent, so when
a worker dies the scheduler runs its tasks again elsewhere and the store ends
the same as a single-machine run.

Bad files are not fatal: their rows are NaN and they are listed in the
manifest (store attribute `failed` and `failed.json`).
"""
import json
import os
import tempfile

import numpy as np

from . import _hogkit

IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".pgm", ".ppm", ".pnm", ".npy")
DONE_DIR = ".hogkit-done"
VARIANTS = ("skimage", "maskfeat", "opencv")


# --------------------------------------------------------------------------
# Features of one batch, per variant (always one hogkit thread per call)
# --------------------------------------------------------------------------

def batch_features(images, variant="skimage", params=None):
    """(N, D) float32 features of an (N, H, W[, C]) array with hogkit."""
    import hogkit
    params = dict(params or {})
    images = np.asarray(images)
    if variant == "skimage":
        if images.ndim == 4:
            params.setdefault("channel_axis", -1)
        out = hogkit.hog_batch(images, threads=1, **params)
    elif variant == "maskfeat":
        # maskfeat takes N x C x H x W float32; images come as N x H x W (x C)
        batch = images[:, None] if images.ndim == 3 else np.moveaxis(images, -1, 1)
        out = hogkit.maskfeat_targets(np.ascontiguousarray(batch, np.float32), threads=1,
                                      **params)
        out = out.reshape(len(out), -1)
    elif variant == "opencv":
        desc = hogkit.HOGDescriptor(**params)
        out = np.stack([desc.compute(img).ravel() for img in images]) if len(images) else \
            np.zeros((0, desc.getDescriptorSize()), np.float32)
    else:
        raise ValueError(f"unknown variant {variant!r}; expected one of {VARIANTS}")
    return np.asarray(out, dtype=np.float32)


# --------------------------------------------------------------------------
# Sources: where chunk i's images come from (picklable, cheap to ship)
# --------------------------------------------------------------------------

class FileSource:
    """Image files; every file must decode to the shape of the first good one."""

    def __init__(self, paths, max_pixels=0):
        self.paths = [os.fspath(p) for p in paths]
        self.max_pixels = max_pixels
        self.image_shape, self.dtype = self._probe()

    def _probe(self):
        for p in self.paths:
            try:
                img = _hogkit.imread(p, self.max_pixels)
                return img.shape, img.dtype
            except (OSError, ValueError, TypeError, MemoryError):
                continue
        raise ValueError("no input file could be read")

    def __len__(self):
        return len(self.paths)

    def describe(self):
        return {"kind": "files", "count": len(self.paths)}

    def load(self, lo, hi):
        """(images, [(index, path, error)]) for files lo..hi-1; bad ones are zeros."""
        images = np.zeros((hi - lo,) + tuple(self.image_shape), self.dtype)
        failed = []
        for k, p in enumerate(self.paths[lo:hi]):
            try:
                img = _hogkit.imread(p, self.max_pixels)
                if img.shape != tuple(self.image_shape) or img.dtype != self.dtype:
                    raise ValueError(f"{img.shape} {img.dtype} differs from the first image's "
                                     f"{tuple(self.image_shape)} {self.dtype}")
                images[k] = img
            except (OSError, ValueError, TypeError, MemoryError) as e:
                failed.append((lo + k, p, str(e)))
        return images, failed


class ArraySource:
    """An in-memory or memory-mapped (N, H, W[, C]) array (IDX and .npy stacks)."""

    def __init__(self, array, kind, path=None):
        self.array = array
        self.kind = kind
        self.path = path
        self.image_shape, self.dtype = array.shape[1:], array.dtype

    def __len__(self):
        return len(self.array)

    def describe(self):
        d = {"kind": self.kind, "count": len(self.array)}
        if self.path:
            d["path"] = os.fspath(self.path)
        return d

    def load(self, lo, hi):
        return np.asarray(self.array[lo:hi]), []

    def __getstate__(self):
        # memory-mapped stacks travel as their path, not their bytes
        if isinstance(self.array, np.memmap) and self.path:
            return {"kind": self.kind, "path": self.path, "mmap": True}
        return self.__dict__

    def __setstate__(self, state):
        if state.get("mmap"):
            self.__init__(np.load(state["path"], mmap_mode="r"), state["kind"], state["path"])
        else:
            self.__dict__.update(state)


def read_idx(path):
    """An IDX file (MNIST / Fashion-MNIST layout, plain or .gz) as an array."""
    import gzip
    opener = gzip.open if os.fspath(path).endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    if len(data) < 4 or data[0] != 0 or data[1] != 0:
        raise ValueError(f"{path}: not an IDX file")
    types = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}
    if data[2] not in types:
        raise ValueError(f"{path}: unknown IDX type 0x{data[2]:02x}")
    ndim = data[3]
    if not 1 <= ndim <= 4 or len(data) < 4 + 4 * ndim:
        raise ValueError(f"{path}: bad IDX dimension count")
    dims = tuple(int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim))
    dt = np.dtype(types[data[2]])
    need = int(np.prod(dims, dtype=object)) * dt.itemsize
    if len(data) - 4 - 4 * ndim != need:
        raise ValueError(f"{path}: IDX data size does not match its dimensions {dims}")
    return np.frombuffer(data, dt, offset=4 + 4 * ndim).reshape(dims).astype(dt.newbyteorder("="))


def open_source(source, max_pixels=0):
    """A Source for a folder, a list of files, an IDX or .npy stack, or an array."""
    try:
        import dask.array as da
        if isinstance(source, da.Array):
            return source
    except ImportError:  # pragma: no cover
        pass
    if isinstance(source, np.ndarray):
        return ArraySource(source, "array")
    if isinstance(source, (list, tuple)):
        return FileSource(source, max_pixels)
    path = os.fspath(source)
    if os.path.isdir(path):
        names = sorted(n for n in os.listdir(path) if n.lower().endswith(IMAGE_EXTENSIONS))
        return FileSource([os.path.join(path, n) for n in names], max_pixels)
    if path.endswith(".npy"):
        arr = np.load(path, mmap_mode="r")
        if arr.ndim not in (3, 4):
            raise ValueError(f"{path}: a stack must be (N, H, W) or (N, H, W, C); "
                             f"got {arr.shape}")
        return ArraySource(arr, "npy", path)
    if "idx" in os.path.basename(path) or path.endswith((".gz", ".idx")):
        arr = read_idx(path)
        if arr.ndim not in (3, 4):
            raise ValueError(f"{path}: an image stack needs 3 or 4 IDX dimensions")
        return ArraySource(arr, "idx", path)
    raise ValueError(f"{path}: not a folder, .npy stack or IDX file")


# --------------------------------------------------------------------------
# The store
# --------------------------------------------------------------------------

def _marker(store_path, i):
    return os.path.join(store_path, DONE_DIR, f"{i}.json")


def _write_atomic(path, text):
    d = os.path.dirname(path)
    fd, tmp = tempfile.mkstemp(dir=d, prefix=".tmp-")
    try:
        with os.fdopen(fd, "w") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def chunk_done(store_path, i):
    return os.path.exists(_marker(store_path, i))


def run_chunk(store_path, i, lo, hi, images_or_source, variant, params):
    """One task: features of images lo..hi-1 into rows lo..hi-1, then the marker.
    Idempotent, so a retried task gives the same store."""
    import zarr
    marker = _marker(store_path, i)
    if os.path.exists(marker):
        with open(marker) as f:
            return json.load(f)["failed"]
    if hasattr(images_or_source, "load"):
        images, failed = images_or_source.load(lo, hi)
    else:
        images, failed = np.asarray(images_or_source), []
    feats = batch_features(images, variant, params)
    for idx, _, _ in failed:
        feats[idx - lo] = np.nan
    arr = zarr.open_array(zarr.DirectoryStore(store_path), path="features", mode="r+")
    arr[lo:hi] = feats
    failed = [list(f) for f in failed]
    _write_atomic(marker, json.dumps({"rows": [lo, hi], "failed": failed}))
    return failed


def _open_store(store_path, meta, n, d, chunk):
    import zarr
    root = zarr.open_group(zarr.DirectoryStore(store_path), mode="a")
    if "features" in root:
        old = dict(root.attrs)
        for key in ("variant", "params", "n", "d", "chunk"):
            if old.get(key) != meta[key]:
                raise ValueError(f"{store_path} holds a different computation ({key}: "
                                 f"{old.get(key)!r} != {meta[key]!r}); use a new store")
    else:
        root.create_dataset("features", shape=(n, d), chunks=(chunk, d), dtype="f4",
                            fill_value=np.nan)
        root.attrs.update(meta)
    os.makedirs(os.path.join(store_path, DONE_DIR), exist_ok=True)
    return root


def _json_params(params):
    return json.loads(json.dumps(params or {}, default=list))


def compute_dataset(source, store, *, variant="skimage", params=None, chunk=1024,
                    client=None, workers=None, progress=None, max_pixels=0):
    """Computes HOG of every image of `source` into the Zarr store `store`.

    source: a folder, a list of image files, an IDX file (plain or .gz), an
    (N, H, W[, C]) .npy stack, a NumPy array or a dask.array.
    variant/params: which hogkit function and its keyword arguments
    (skimage: hogkit.hog_batch's; maskfeat: hogkit.maskfeat_targets's;
    opencv: hogkit.HOGDescriptor's).
    client: a distributed.Client; without one, a LocalCluster of `workers`
    processes (default: all cores) with one thread each is started.
    Returns a summary dict (n, d, chunks computed/skipped, failed inputs).
    """
    import dask
    import dask.array as da
    import hogkit

    if chunk < 1:
        raise ValueError("chunk must be >= 1")
    src = open_source(source, max_pixels)
    is_dask = isinstance(src, da.Array)
    n = int(src.shape[0]) if is_dask else len(src)
    if n == 0:
        raise ValueError("the input holds no images")
    one_shape = tuple(src.shape[1:]) if is_dask else tuple(src.image_shape)
    one_dtype = src.dtype
    d = batch_features(np.zeros((1,) + one_shape, one_dtype), variant, params).shape[1]
    describe = {"kind": "dask.array", "count": n} if isinstance(src, da.Array) else src.describe()
    meta = {"hogkit_version": hogkit.__version__, "variant": variant,
            "params": _json_params(params), "n": n, "d": int(d), "chunk": int(chunk),
            "source": describe, "image_shape": list(one_shape), "image_dtype": str(one_dtype)}
    store = os.fspath(store)
    _open_store(store, meta, n, d, chunk)

    n_chunks = (n + chunk - 1) // chunk
    todo = [i for i in range(n_chunks) if not chunk_done(store, i)]
    blocks = None
    if isinstance(src, da.Array):
        src = src.rechunk((chunk,) + tuple(-1 for _ in one_shape))
        blocks = src.to_delayed().ravel()
    tasks = []
    for i in todo:
        lo, hi = i * chunk, min(n, (i + 1) * chunk)
        data = blocks[i] if blocks is not None else src
        tasks.append(dask.delayed(run_chunk, pure=False)(store, i, lo, hi, data, variant,
                                                          params))

    own_cluster = None
    if client is None:
        from distributed import Client, LocalCluster
        own_cluster = LocalCluster(n_workers=workers or os.cpu_count() or 1,
                                   threads_per_worker=1, processes=True,
                                   dashboard_address=None)
        client = Client(own_cluster)
    try:
        results = []
        if tasks:
            futures = client.compute(tasks, retries=2)
            if progress is None:
                import sys
                progress = sys.stderr.isatty()
            if progress:
                from distributed import progress as show_progress
                show_progress(futures)
            results = client.gather(futures)
    finally:
        if own_cluster is not None:
            client.close()
            own_cluster.close()

    failed = []
    for i in range(n_chunks):
        with open(_marker(store, i)) as f:
            failed.extend(json.load(f)["failed"])
    failed.sort()
    manifest = [{"index": idx, "path": path, "error": err} for idx, path, err in failed]
    import zarr
    root = zarr.open_group(zarr.DirectoryStore(store), mode="a")
    root.attrs["failed"] = manifest
    root.attrs["complete"] = True
    _write_atomic(os.path.join(store, "failed.json"), json.dumps(manifest, indent=1))
    return {"n": n, "d": int(d), "chunks": n_chunks, "computed": len(todo),
            "skipped": n_chunks - len(todo), "failed": manifest,
            "results": len(results)}


def open_features(store):
    """The (N, D) features array of a finished store (a zarr.Array)."""
    import zarr
    return zarr.open_array(zarr.DirectoryStore(os.fspath(store)), path="features", mode="r")
