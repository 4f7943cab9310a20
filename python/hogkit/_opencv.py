"""cv2.HOGDescriptor (OpenCV 4.6), computed by libhogkit's OpenCV variant."""
import numpy as np

from . import _hogkit
from ._cvstore import read_hog_file, write_hog_file

_UNSET = object()


def _size(v, name):
    try:
        w, h = v
        return (int(w), int(h))
    except (TypeError, ValueError):
        raise TypeError(f"hogkit: {name} must be a (width, height) pair, got {v!r}") from None


class HOGDescriptor:
    """Drop-in for cv2.HOGDescriptor: the same constructors

        HOGDescriptor()                       # 64x128 people window, gammaCorrection=True
        HOGDescriptor(_winSize, _blockSize, _blockStride, _cellSize, _nbins,
                      _derivAperture=1, _winSigma=-1, _histogramNormType=0,
                      _L2HysThreshold=0.2, _gammaCorrection=False, _nlevels=64,
                      _signedGradient=False)
        HOGDescriptor(filename)               # load()

    and the same attributes and methods, giving OpenCV's numbers. As in
    OpenCV, the no-argument constructor turns gammaCorrection on while the
    long one defaults it to off."""

    L2Hys = 0
    DEFAULT_NLEVELS = 64
    DESCR_FORMAT_COL_BY_COL = 0
    DESCR_FORMAT_ROW_BY_ROW = 1

    def __init__(self, *args, **kwargs):
        self.winSize = (64, 128)
        self.blockSize = (16, 16)
        self.blockStride = (8, 8)
        self.cellSize = (8, 8)
        self.nbins = 9
        self.derivAperture = 1
        self.winSigma = -1.0
        self.histogramNormType = 0
        self.L2HysThreshold = 0.2
        self.gammaCorrection = True
        self.nlevels = 64
        self.signedGradient = False
        self.svmDetector = ()
        if not args and not kwargs:
            return
        if len(args) + len(kwargs) == 1 and (
                (args and isinstance(args[0], str)) or "filename" in kwargs):
            filename = args[0] if args else kwargs["filename"]
            if not self.load(filename):
                raise ValueError(f"hogkit: cannot load a HOGDescriptor from {filename!r}")
            return
        self._construct(*args, **kwargs)

    def _construct(self, _winSize, _blockSize, _blockStride, _cellSize, _nbins,
                   _derivAperture=1, _winSigma=-1, _histogramNormType=0,
                   _L2HysThreshold=0.2, _gammaCorrection=False, _nlevels=64,
                   _signedGradient=False):
        self.winSize = _size(_winSize, "_winSize")
        self.blockSize = _size(_blockSize, "_blockSize")
        self.blockStride = _size(_blockStride, "_blockStride")
        self.cellSize = _size(_cellSize, "_cellSize")
        self.nbins = int(_nbins)
        self.derivAperture = int(_derivAperture)
        self.winSigma = float(_winSigma)
        self.histogramNormType = int(_histogramNormType)
        self.L2HysThreshold = float(_L2HysThreshold)
        self.gammaCorrection = bool(_gammaCorrection)
        self.nlevels = int(_nlevels)
        self.signedGradient = bool(_signedGradient)

    def getWinSigma(self):
        if self.winSigma >= 0:
            return self.winSigma
        return (self.blockSize[0] + self.blockSize[1]) / 8.0

    def getDescriptorSize(self):
        (ww, wh), (bw, bh) = self.winSize, self.blockSize
        (sx, sy), (cw, ch) = self.blockStride, self.cellSize
        if min(ww, wh, bw, bh, sx, sy, cw, ch, self.nbins) <= 0 or bw % cw or bh % ch or \
                (ww - bw) % sx or (wh - bh) % sy:
            raise ValueError("hogkit: inconsistent HOGDescriptor geometry (OpenCV asserts "
                             "blockSize % cellSize == 0 and (winSize - blockSize) % "
                             "blockStride == 0)")
        return self.nbins * (bw // cw) * (bh // ch) * \
            ((ww - bw) // sx + 1) * ((wh - bh) // sy + 1)

    def checkDetectorSize(self):
        n = np.asarray(self.svmDetector).size
        return n == 0 or n == self.getDescriptorSize() or n == self.getDescriptorSize() + 1

    def setSVMDetector(self, svmdetector):
        det = np.ascontiguousarray(svmdetector, dtype=np.float32).reshape(-1)
        self.svmDetector = det
        if not self.checkDetectorSize():
            self.svmDetector = ()
            raise ValueError(f"hogkit: SVM detector of {det.size} coefficients does not fit "
                             f"descriptors of {self.getDescriptorSize()}")

    def _params(self):
        if self.histogramNormType != 0:
            raise ValueError("hogkit: only histogramNormType L2Hys (0) exists in OpenCV")
        return (self.winSize, self.blockSize, self.blockStride, self.cellSize, self.nbins,
                float(self.winSigma), float(self.L2HysThreshold), bool(self.gammaCorrection),
                bool(self.signedGradient))

    def compute(self, img, winStride=_UNSET, padding=_UNSET, locations=_UNSET):
        """Descriptors of every window (winStride apart, over the image padded
        by `padding`), one after the other, as one flat float32 array."""
        img = np.asarray(img)
        if img.dtype != np.uint8:
            raise TypeError(f"hogkit: HOGDescriptor.compute takes uint8 images (CV_8U), "
                            f"got {img.dtype}")
        if img.ndim == 3 and img.shape[2] == 1:
            img = img[:, :, 0]
        if not (img.ndim == 2 or (img.ndim == 3 and img.shape[2] == 3)):
            raise ValueError(f"hogkit: HOGDescriptor.compute takes an (H, W) or (H, W, 3) "
                             f"uint8 image, got shape {img.shape}")
        win_stride = (0, 0) if winStride is _UNSET or winStride is None \
            else _size(winStride, "winStride")
        pad = (0, 0) if padding is _UNSET or padding is None else _size(padding, "padding")
        if locations is not _UNSET and locations is not None and len(locations) > 0:
            raise NotImplementedError("hogkit: HOGDescriptor.compute(locations=...) is not "
                                      "supported yet")
        self.getDescriptorSize()  # OpenCV's geometry asserts, as a ValueError
        return _hogkit.hog_opencv(img, *self._params(), win_stride, pad)

    def save(self, filename, objname=""):
        write_hog_file(self, filename, objname)

    def load(self, filename, objname=""):
        try:
            fields = read_hog_file(filename, objname)
        except (OSError, ValueError):
            return False
        self._construct(fields["winSize"], fields["blockSize"], fields["blockStride"],
                        fields["cellSize"], fields["nbins"], fields.get("derivAperture", 1),
                        fields.get("winSigma", -1), fields.get("histogramNormType", 0),
                        fields.get("L2HysThreshold", 0.2),
                        bool(fields.get("gammaCorrection", 1)), fields.get("nlevels", 64),
                        bool(fields.get("signedGradient", 0)))
        det = fields.get("SVMDetector")
        self.svmDetector = ()
        if det is not None and len(det):
            self.setSVMDetector(det)
        return True
