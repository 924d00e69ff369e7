"""The face detector interface and the options every detector shares."""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from dataclasses import dataclass

import numpy as np

from ..types import Detection, Rect
from .second_look import SecondLookTally, second_look


@dataclass(frozen=True)
class DetectionOptions:
    """Filters applied to every detector's output, as in the original.

    ``minconf``: minimal detection confidence. ``min_size_px``: faces whose
    largest side is smaller (in frame pixels) are dropped. ``min_size_prct``:
    the same as a share of the frame's smallest side (0 to 1); the larger of
    the two limits applies. ``padd_prct``: black padding added around the frame
    before detection, as a share of its width and height (helps with faces
    that fill the frame). ``second_look``: look at each detection again (at
    several sizes and mirrored, see :mod:`.second_look`) and keep it only when
    the mean score reaches ``second_look_threshold``; detections scored
    ``second_look_sure`` or more by the detector are kept without it.
    """

    minconf: float = 0.65
    min_size_px: float = 30
    min_size_prct: float = 0.0
    padd_prct: float = 0.0
    second_look: bool = True
    second_look_threshold: float = 0.72
    second_look_sure: float = 0.9

    def __post_init__(self) -> None:
        if not 0 <= self.minconf <= 1:
            raise ValueError(f"minconf must be between 0 and 1, got {self.minconf}")
        if self.min_size_px < 0:
            raise ValueError(f"min_size_px must be >= 0, got {self.min_size_px}")
        if not 0 <= self.min_size_prct <= 1:
            raise ValueError(f"min_size_prct must be between 0 and 1, got {self.min_size_prct}")
        if not 0 <= self.padd_prct <= 2:
            raise ValueError(f"padd_prct must be between 0 and 2, got {self.padd_prct}")
        if not 0 <= self.second_look_threshold <= 1:
            raise ValueError(f"second_look_threshold must be between 0 and 1, got {self.second_look_threshold}")
        if not 0 <= self.second_look_sure <= 1:
            raise ValueError(f"second_look_sure must be between 0 and 1, got {self.second_look_sure}")


@dataclass(frozen=True)
class FilterCounts:
    """Faces a detector found in one frame and dropped, by the first filter each one fails."""

    detect_conf: int = 0
    min_size_px: int = 0
    min_size_prct: int = 0
    lowest_conf: float = math.inf  # the lowest confidence among the faces dropped for it
    second_look: int = 0  # found by the detector, turned down by its second look (not faces)


class FaceDetector(ABC):
    """Frame (RGB uint8 ``[H, W, 3]``) in, list of :class:`Detection` out.

    Subclasses implement :meth:`_detect` on the (possibly padded) frame; this
    class applies padding, the confidence and size filters, the second look
    (its rejections are counted in ``second_look_tally``), and maps boxes
    back to the frame's coordinates.

    ``stateless`` detectors give a frame's faces regardless of the frames
    before it and may be called from several threads at once, so the
    streaming core can detect several frames in parallel.
    """

    stateless = True

    def __init__(self, options: DetectionOptions | None = None) -> None:
        self.options = options or DetectionOptions()
        self.second_look_tally = SecondLookTally()

    def __call__(self, frame: np.ndarray) -> list[Detection]:
        return self.filtered(frame)[0]

    def unconfirmed(self, frame: np.ndarray) -> list[Detection]:
        """The faces of ``frame`` kept by the filters before the second look (see :meth:`confirm`)."""
        return self.filtered(frame, look=False)[0]

    def filtered(self, frame: np.ndarray, look: bool = True) -> tuple[list[Detection], FilterCounts]:
        """The faces of ``frame`` kept by the filters, and how many each filter dropped.

        ``look=False`` leaves the second look out (see :meth:`confirm`)."""
        opts = self.options
        image, dx, dy = frame, 0, 0
        if opts.padd_prct:
            image, dx, dy = black_pad(frame, opts.padd_prct)
        found = self._detect(image)
        size_prct = opts.min_size_prct * min(frame.shape[:2])
        passed = []
        low_conf = small_px = small_prct = 0
        lowest = math.inf
        for det in found:
            if det.detect_conf < opts.minconf:
                low_conf += 1
                lowest = min(lowest, det.detect_conf)
            elif det.bbox.max_dim_len < max(opts.min_size_px, size_prct):
                if det.bbox.max_dim_len < opts.min_size_px:
                    small_px += 1
                else:
                    small_prct += 1
            else:
                passed.append(det)
        rejected = 0
        if look:
            confirmed = self.confirm(image, passed)
            passed, rejected = confirmed, len(passed) - len(confirmed)
        kept = []
        for det in passed:
            if dx or dy:
                landmarks = None if det.landmarks is None else det.landmarks - np.array([dx, dy], np.float32)
                det = det.replace(bbox=det.bbox.transpose(-dx, -dy), landmarks=landmarks)
            kept.append(det)
        return kept, FilterCounts(low_conf, small_px, small_prct, lowest, rejected)

    def confirm(self, frame: np.ndarray, detections: list[Detection]) -> list[Detection]:
        """Those of ``detections`` (found in ``frame`` with ``look=False``) that the second look keeps,
        when the options ask for it (all otherwise); counted in ``second_look_tally``."""
        opts = self.options
        if not opts.second_look or not detections:
            return list(detections)
        kept, looked, rejected = second_look(
            frame, detections, self._relook, opts.second_look_threshold, opts.second_look_sure
        )
        self.second_look_tally.add(looked, rejected)
        return kept

    def working_side(self, shape: tuple[int, ...]) -> int:
        """The largest side (pixels) of the image the detector works on for a frame of ``shape``
        (the frame's own, unless the detector downscales frames)."""
        return max(shape[:2])

    def at_side(self, side: int) -> FaceDetector:
        """This detector working on frames downscaled to a largest side of at most ``side`` pixels
        (boxes still in frame pixels): a copy for detectors that downscale, else itself."""
        return self

    def landmark_box(self, bbox: Rect) -> Rect:
        """The box to give dlib's landmark model for a face this detector boxed as ``bbox``.

        dlib's landmark model expects boxes shaped like its own detector's;
        detectors whose boxes differ override this. Identity by default.
        """
        return bbox

    def _relook(self, image: np.ndarray) -> list[Detection]:
        """The second look's detector: :meth:`_detect`, unless a subclass keeps weaker faces for it."""
        return self._detect(image)

    @abstractmethod
    def _detect(self, image: np.ndarray) -> list[Detection]:
        """Detect faces in ``image``; confidence filtering may be left to the caller."""


def black_pad(frame: np.ndarray, share: float) -> tuple[np.ndarray, int, int]:
    """``frame`` centred in a black canvas ``share`` larger on each side; returns offsets."""
    h, w = frame.shape[:2]
    dx, dy = int(w * share), int(h * share)
    canvas = np.zeros((h + 2 * dy, w + 2 * dx, frame.shape[2]), dtype=frame.dtype)
    canvas[dy : dy + h, dx : dx + w] = frame
    return canvas, dx, dy
