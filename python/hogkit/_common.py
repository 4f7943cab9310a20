"""Input preparation shared by the wrappers: dtype casts and axis moves done
the way the reference libraries do them, before the C extension is called."""
import numpy as np

# dtypes the C library reads as they are (it widens integers to float64
# exactly, as skimage's astype(float64) does).
_NATIVE = (np.uint8, np.uint16, np.float32, np.float64)


def skimage_float_type(dtype):
    """skimage.util._supported_float_type: float16/32 -> float32, complex is an
    error, everything else (ints, bool, float64, object) -> float64."""
    dtype = np.dtype(dtype)
    if dtype.kind == "c":
        raise ValueError("complex valued input is not supported")
    if dtype.char in ("e", "f"):
        return np.dtype(np.float32)
    return np.dtype(np.float64)


def check_pixels(shape):
    """Refuses an (H, W) over hogkit's pixel limit before a cast or a copy of
    a broadcast view could allocate gigabytes."""
    from . import _hogkit
    h, w = shape
    if h * w > _hogkit.MAX_PIXELS:
        raise ValueError(f"hogkit: {h} x {w} image: input exceeds a configured limit "
                         f"(at most {_hogkit.MAX_PIXELS} pixels)")


def for_library(image, float_type):
    """`image` as an array the extension takes: uint8/uint16/float32/float64
    in native byte order. Other dtypes are cast to the working float type as
    skimage casts them, so the numbers are the ones skimage would see."""
    dt = image.dtype
    if dt.isnative and any(dt == t for t in _NATIVE) and dt.kind != "b":
        return image
    if dt.kind not in "biuf" and dt != object:
        raise TypeError(f"hogkit: cannot compute HOG of an array of dtype {dt}")
    return image.astype(float_type)


def single_channel_axis(channel_axis):
    """skimage's channel_as_last_axis: an int or a one-element tuple."""
    if channel_axis is None:
        return None
    if np.isscalar(channel_axis):
        channel_axis = (channel_axis,)
    if len(channel_axis) > 1:
        raise ValueError("only a single channel axis is currently suported")
    return channel_axis[0]
