"""hogkit: Histograms of Oriented Gradients that reproduce scikit-image and
OpenCV exactly, computed by the libhogkit C library.

    from hogkit import hog            # instead of: from skimage.feature import hog
    features = hog(image, orientations=9, pixels_per_cell=(8, 8))
"""
from . import _hogkit
from ._skimage import hog, hog_batch
from ._opencv import HOGDescriptor
from ._maskfeat import maskfeat_targets
from ._fhog import fhog

__version__ = _hogkit.version()

# cv2 exposes the static methods at module level too.
HOGDescriptor_getDefaultPeopleDetector = HOGDescriptor.getDefaultPeopleDetector
HOGDescriptor_getDaimlerPeopleDetector = HOGDescriptor.getDaimlerPeopleDetector

__all__ = ["hog", "hog_batch", "HOGDescriptor", "maskfeat_targets", "fhog"]
