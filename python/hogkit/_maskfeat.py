"""MaskFeat HOG targets (SlowFast HOGLayerC + _get_hog_label_2d, and the
mmselfsup / FG-MAE copies), computed by libhogkit."""
import operator

import numpy as np

from . import _hogkit
from ._common import check_pixels


def maskfeat_targets(batch, nbins=9, pool=8, gaussian_window=0, patch=16, normalize=True,
                     *, threads=None):
    """HOG targets of an (N, C, H, W) batch (the layout of a PyTorch image
    tensor; a (C, H, W) image is taken as N = 1; anything array-like, cast to
    float32 as the reference's float tensors are) -> (N, patches, dims)
    float32 array, patches in row-major order, dims = C * nbins * u * u with
    u = patch // pool. gaussian_window=16 gives the mmselfsup / FG-MAE
    targets, 0 SlowFast's. threads: None or 0 for every core."""
    if hasattr(batch, "detach"):  # a torch tensor: its CPU values, no torch import
        batch = batch.detach().cpu().numpy()
    batch = np.asarray(batch)
    if batch.ndim == 3:
        batch = batch[None]
    if batch.ndim != 4:
        raise ValueError(f"maskfeat_targets takes an (N, C, H, W) array, got shape "
                         f"{batch.shape}")
    check_pixels(batch.shape[2:])  # before a copy of a broadcast view
    if batch.dtype.kind not in "biuf":
        raise TypeError(f"hogkit: cannot compute MaskFeat targets of dtype {batch.dtype}")
    batch = np.ascontiguousarray(batch, dtype=np.float32)
    threads = 0 if threads is None else operator.index(threads)
    if threads < 0:
        raise ValueError("threads must be None or >= 0")
    return _hogkit.maskfeat_targets(batch, operator.index(nbins), operator.index(pool),
                                    operator.index(gaussian_window), operator.index(patch),
                                    bool(normalize), threads)
