"""`hogkit dataset INPUT -o STORE.zarr [--scheduler ADDRESS | --workers N] [variant options]`

The CLI's `dataset` command execs this module (python3 -m hogkit.dataset):
HOG of a whole dataset on a Dask cluster into a Zarr store (see hogkit.dask).
"""
import argparse
import json
import sys


def pair(text):
    try:
        a, b = text.split(",")
        return int(a), int(b)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected two integers as A,B, got {text!r}")


def parser():
    p = argparse.ArgumentParser(
        prog="hogkit dataset",
        description="HOG of a whole dataset on a Dask cluster, into a chunked Zarr store. "
                    "Resumable (finished chunks are skipped on re-run) and fault-tolerant "
                    "(a lost worker's chunks are recomputed elsewhere). Bad files are listed "
                    "in the store's manifest (failed.json), their rows are NaN.")
    p.add_argument("input", help="a folder of images, an IDX file (plain or .gz) or an "
                                 "(N, H, W[, C]) .npy stack")
    p.add_argument("-o", "--output", required=True, help="the Zarr store (a folder) to write")
    g = p.add_mutually_exclusive_group()
    g.add_argument("--scheduler", metavar="ADDRESS",
                   help="address of a running Dask scheduler, e.g. tcp://host:8786")
    g.add_argument("--workers", type=int, metavar="N",
                   help="start a local cluster of N worker processes (default: all cores)")
    p.add_argument("--chunk", type=int, default=1024, metavar="N",
                   help="images per task and per Zarr chunk (default 1024)")
    p.add_argument("--variant", default="skimage", choices=["skimage", "maskfeat"],
                   help="which HOG (default skimage)")
    p.add_argument("--max-pixels", type=int, default=0, metavar="N",
                   help="refuse images with more pixels (default 268435456)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    s = p.add_argument_group("skimage variant options (skimage.feature.hog's names)")
    s.add_argument("--orientations", type=int, default=9, metavar="N")
    s.add_argument("--pixels-per-cell", type=pair, default=(8, 8), metavar="R,C")
    s.add_argument("--cells-per-block", type=pair, default=(3, 3), metavar="R,C")
    s.add_argument("--block-norm", default="L2-Hys", choices=["L1", "L1-sqrt", "L2", "L2-Hys"])
    s.add_argument("--transform-sqrt", action="store_true")
    m = p.add_argument_group("maskfeat variant options")
    m.add_argument("--nbins", type=int, default=9, metavar="N")
    m.add_argument("--pool", type=int, default=8, metavar="N")
    m.add_argument("--gaussian-window", type=int, default=0, metavar="K")
    m.add_argument("--patch", type=int, default=16, metavar="N")
    m.add_argument("--no-normalize", action="store_true")
    return p


def params_of(args):
    if args.variant == "skimage":
        return dict(orientations=args.orientations, pixels_per_cell=args.pixels_per_cell,
                    cells_per_block=args.cells_per_block, block_norm=args.block_norm,
                    transform_sqrt=args.transform_sqrt)
    return dict(nbins=args.nbins, pool=args.pool, gaussian_window=args.gaussian_window,
                patch=args.patch, normalize=not args.no_normalize)


def main(argv=None):
    args = parser().parse_args(argv)
    if args.chunk < 1 or (args.workers is not None and args.workers < 1):
        print("hogkit: dataset: --chunk and --workers must be >= 1", file=sys.stderr)
        return 2
    from hogkit.dask import compute_dataset
    client = None
    try:
        if args.scheduler:
            from distributed import Client
            client = Client(args.scheduler)
        summary = compute_dataset(args.input, args.output, variant=args.variant,
                                  params=params_of(args), chunk=args.chunk, client=client,
                                  workers=args.workers, max_pixels=args.max_pixels,
                                  progress=False if args.no_progress else None)
    except (OSError, ValueError, TypeError) as e:
        print(f"hogkit: dataset: {e}", file=sys.stderr)
        return 1
    finally:
        if client is not None:
            client.close()
    for f in summary["failed"]:
        print(f"hogkit: {f['path']}: {f['error']}", file=sys.stderr)
    print(json.dumps({k: v for k, v in summary.items() if k not in ("failed", "results")}
                     | {"failed": len(summary["failed"])}))
    return 1 if summary["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
