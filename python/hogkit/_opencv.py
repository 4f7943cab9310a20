"""cv2.HOGDescriptor (OpenCV 4.6), computed by libhogkit's OpenCV variant."""
import numpy as np

from . import _hogkit
from ._cvstore import read_hog_file, write_hog_file

_UNSET = object()
# hk_grouping values
_GROUP_OPENCV, _GROUP_MEANSHIFT, _GROUP_NONE = 0, 1, 3


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
        return _hogkit.opencv_descriptor_size(self._geometry())

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

    def _geometry(self):
        if self.histogramNormType != 0:
            raise ValueError("hogkit: only histogramNormType L2Hys (0) exists in OpenCV")
        return (tuple(self.winSize), tuple(self.blockSize), tuple(self.blockStride),
                tuple(self.cellSize), int(self.nbins), float(self.winSigma),
                float(self.L2HysThreshold), bool(self.gammaCorrection),
                bool(self.signedGradient))

    @staticmethod
    def _image(img, what):
        img = np.asarray(img)
        if img.dtype != np.uint8:
            raise TypeError(f"hogkit: HOGDescriptor.{what} takes uint8 images (CV_8U), "
                            f"got {img.dtype}")
        if img.ndim == 3 and img.shape[2] == 1:
            img = img[:, :, 0]
        if not (img.ndim == 2 or (img.ndim == 3 and img.shape[2] == 3)):
            raise ValueError(f"hogkit: HOGDescriptor.{what} takes an (H, W) or (H, W, 3) "
                             f"uint8 image, got shape {img.shape}")
        return img

    def compute(self, img, winStride=_UNSET, padding=_UNSET, locations=_UNSET):
        """Descriptors of every window (winStride apart, over the image padded
        by `padding`), or of the windows whose top-left corners are
        `locations`, one after the other, as one flat float32 array."""
        img = self._image(img, "compute")
        win_stride = (0, 0) if winStride is _UNSET or winStride is None \
            else _size(winStride, "winStride")
        pad = (0, 0) if padding is _UNSET or padding is None else _size(padding, "padding")
        loc = None
        if locations is not _UNSET and locations is not None and len(locations) > 0:
            loc = np.asarray(locations).reshape(-1, 2)
            if loc.dtype.kind not in "iu":
                raise TypeError("hogkit: locations must be integer (x, y) points")
            if np.abs(loc).max() > 2**31 - 1:
                raise ValueError("hogkit: a location is out of range")
            loc = loc.astype(np.int32)
        return _hogkit.hog_opencv(img, self._geometry(), win_stride, pad, loc)

    def detectMultiScale(self, img, hitThreshold=0, winStride=_UNSET, padding=_UNSET,
                         scale=1.05, groupThreshold=2.0, useMeanshiftGrouping=False):
        """(foundLocations (n, 4) int32 x, y, w, h; foundWeights (n,) float64),
        or ((), ()) when nothing is found, as cv2 returns them."""
        img = self._image(img, "detectMultiScale")
        det = np.asarray(self.svmDetector, dtype=np.float32).reshape(-1)
        if det.size == 0:
            raise ValueError("hogkit: detectMultiScale needs setSVMDetector first")
        win_stride = (0, 0) if winStride is _UNSET or winStride is None \
            else _size(winStride, "winStride")
        pad = (0, 0) if padding is _UNSET or padding is None else _size(padding, "padding")
        if img.ndim == 3:
            img = img[:, :, ::-1]  # cv2 arrays are BGR; the library takes RGB
        rects, weights = _hogkit.detect(img, self._geometry(), det, int(self.nlevels),
                                        float(hitThreshold), win_stride, pad, float(scale),
                                        float(groupThreshold),
                                        _GROUP_MEANSHIFT if useMeanshiftGrouping else
                                        _GROUP_OPENCV)
        if len(rects) == 0:
            return (), ()
        return rects, weights

    def detect(self, img, hitThreshold=0, winStride=_UNSET, padding=_UNSET,
               searchLocations=_UNSET):
        """Single-scale detection: (foundLocations (n, 2) int32 top-left
        corners, weights (n,) float64) of every window scoring above
        hitThreshold, in cv2's window order, or ((), ())."""
        if searchLocations is not _UNSET and searchLocations is not None and \
                len(searchLocations) > 0:
            raise NotImplementedError("hogkit: HOGDescriptor.detect(searchLocations=...) is "
                                      "not supported")
        img = self._image(img, "detect")
        det = np.asarray(self.svmDetector, dtype=np.float32).reshape(-1)
        if det.size == 0:
            raise ValueError("hogkit: detect needs setSVMDetector first")
        win_stride = (0, 0) if winStride is _UNSET or winStride is None \
            else _size(winStride, "winStride")
        pad = (0, 0) if padding is _UNSET or padding is None else _size(padding, "padding")
        if img.ndim == 3:
            img = img[:, :, ::-1]
        rects, weights = _hogkit.detect(img, self._geometry(), det, 1, float(hitThreshold),
                                        win_stride, pad, 1.0, 0.0, _GROUP_NONE)
        if len(rects) == 0:
            return (), ()
        order = np.lexsort((rects[:, 0], rects[:, 1]))  # OpenCV scans windows row by row
        return np.ascontiguousarray(rects[order, :2]), weights[order]

    @staticmethod
    def getDefaultPeopleDetector():
        """OpenCV's 64x128 people detector coefficients. They are OpenCV's
        data, not computed: taken from cv2 when it is installed."""
        try:
            import cv2
        except ImportError:
            raise RuntimeError("hogkit: getDefaultPeopleDetector needs OpenCV's coefficients "
                               "(cv2); load a saved detector with HOGDescriptor.load") from None
        return cv2.HOGDescriptor_getDefaultPeopleDetector()

    @staticmethod
    def getDaimlerPeopleDetector():
        """OpenCV's 48x96 Daimler people detector coefficients (from cv2)."""
        try:
            import cv2
        except ImportError:
            raise RuntimeError("hogkit: getDaimlerPeopleDetector needs OpenCV's coefficients "
                               "(cv2)") from None
        return cv2.HOGDescriptor_getDaimlerPeopleDetector()

    def save(self, filename, objname=""):
        """Writes a file cv2.HOGDescriptor.load reads (YAML, or XML for .xml).
        The library writes detector files; a descriptor without a detector,
        a named object or nlevels other than 64 are written here, in the same
        format."""
        filename = str(filename)
        det = np.asarray(self.svmDetector, dtype=np.float32).reshape(-1)
        if det.size and not objname and int(self.nlevels) == 64:
            _hogkit.detector_save(filename, self._geometry(), det)
        else:
            write_hog_file(self, filename, objname)

    def load(self, filename, objname=""):
        """Reads a file written by cv2.HOGDescriptor.save (or save above);
        returns False when it cannot (as cv2 does for a missing node)."""
        filename = str(filename)
        if not objname:
            try:
                geometry, nlevels, coef = _hogkit.detector_load(filename)
            except (OSError, ValueError, TypeError):
                pass  # e.g. no SVMDetector: the library loads detectors only
            else:
                win, block, stride, cell, nbins, sigma, thr, gamma, signed = geometry
                self._construct(win, block, stride, cell, nbins, 1, sigma, 0, thr, gamma,
                                nlevels, signed)
                self.svmDetector = coef
                return True
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
