"""Face tracking between detections, and optimal detection-to-track assignment.

:class:`TrackingDetector` wraps a face detector. It runs the detector on the
whole frame every ``detect_period`` frames; in between, each face is followed
by re-detecting it in a small window around where it should be (``follow``
``"redetect"``, the default: :mod:`inafaceanalyzer.tracking.redetection`) or by dlib's
correlation tracker, as in the original inaFaceAnalyzer (``"correlation"``).
Every face it returns carries a ``face_id``, unique within the stream (0, 1,
2, ...). The rules, with the thresholds of :class:`TrackingOptions`:

* Between detections, with ``"redetect"``, the faces found in the windows are
  matched to the tracks (below) and a track not found in its window ends;
  with ``"correlation"``, a track ends when its tracker's confidence falls
  below ``min_track_conf`` or less than ``min_visible`` of its box lies inside
  the frame.
* On a detection frame, detections are matched to the tracks, at their last
  boxes or where their measured speed takes them, by an optimal assignment
  (:func:`scipy.optimize.linear_sum_assignment` on ``1 - IoU``, not greedy),
  keeping pairs with IoU >= ``min_match_iou``. A matched track keeps its
  ``face_id`` and takes the detection's box (its tracker restarts there); a
  track matched to no detection ends. Trackers are not run on detection
  frames (nor ever started when every frame is a detection frame).
* A track that ended inside the frame (hidden, or missed by the detector) is
  remembered for ``max_lost_s`` seconds (and, with ``"redetect"``, looked for
  in a window where it should be): a later detection matching no live track
  takes its ``face_id`` back if it lies within ``lost_radius`` face sizes of
  where the track was last detected, or of where its measured speed would
  have taken it (:func:`match_lost`). A track lost where its speed takes it
  out of the frame within ``LEAVING_S`` has left the frame: with
  ``"redetect"``, where it left is watched instead (a window at its last box,
  ``max_lost_s`` long) for a face coming back in, a new track. Other detections
  start new tracks (whole faces only, in windows: see :func:`detect_in_windows`)
  when the detector's second look keeps them: detections come without it, and
  a face continuing a track was looked at when the track started.
* With ``"redetect"``, whole-frame detections run on the frame downscaled so
  that the smallest face kept measures ``scan_face_px`` pixels (:meth:`TrackingDetector.scanner`);
  the live tracks no scanned face overlaps are then looked for in their
  windows. A face boxed under ``PARTLY_HIDDEN`` times its track's last whole
  box (partly hidden) gives its row but does not move where the track is
  taken back.
* A shot change (consecutive frames differing by ``cut_threshold`` or more)
  ends every track and clears that memory, and faces are detected on the new
  shot's first frame, whatever the period.

A face that leaves the frame and comes back later gets a new ``face_id``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import cv2
import dlib
import numpy as np

from ..detection.protocols import Detector, ScalableDetector
from ..results.columns import DEFAULT_FPS
from .options import FOLLOWERS, MIN_SCAN_SIDE, PARTLY_HIDDEN, TrackingOptions
from .redetection import confirmed, detect_in_windows, min_face_size, unconfirmed, window_around
from .tracks import Track, VisualTracker, match_boxes, match_lost
from ..types import Detection, Frame, Rect

__all__ = ["FOLLOWERS", "CorrelationTracker", "PreparedFrame", "TrackingDetector", "TrackingOptions", "VisualTracker",
           "match_boxes", "match_lost"]

THUMBNAIL_SIZE = (32, 18)  # width, height of the grey thumbnails compared to find shot changes
UNTIMED_FRAME_RATE = DEFAULT_FPS  # frames per second assumed for frames given without a time
LEAVING_S = 0.4  # a track lost where its speed takes it out of the frame within this time has left the frame


class CorrelationTracker:
    """dlib's correlation tracker (Danelljan et al., BMVC 2014, with scale estimation).

    Its confidence is the peak-to-side-lobe ratio of the correlation response.
    """

    def __init__(self) -> None:
        self._tracker = dlib.correlation_tracker()

    def start(self, image: np.ndarray, box: Rect) -> None:
        self._tracker.start_track(image, dlib.drectangle(box.x1, box.y1, box.x2, box.y2))

    def update(self, image: np.ndarray) -> tuple[Rect, float]:
        psr = float(self._tracker.update(image))
        p = self._tracker.get_position()
        return Rect(p.left(), p.top(), p.right(), p.bottom()), psr


@dataclass(frozen=True, slots=True)
class PreparedFrame:
    """What can be computed for a frame before the frames preceding it are tracked.

    ``gray``: the frame in grayscale, for the visual trackers; ``thumbnail``:
    a tiny float copy of it, to find shot changes; ``detections``: the wrapped
    detector's faces on a detection frame, ``None`` otherwise.
    """

    gray: np.ndarray
    thumbnail: np.ndarray
    detections: list[Detection] | None

def _visible_share(box: Rect, width: int, height: int) -> float:
    return box.clip(width, height).area / box.area if box.area > 0 else 0.0


class TrackingDetector:
    """A stateful face detector: detection every ``detect_period`` frames, visual tracking between.

    Feed it the frames of one stream in order (``update`` or calling it);
    :meth:`reset` starts a new stream. Returned detections carry ``face_id``
    and ``track_conf``: the correlation tracker's confidence on frames where
    it followed the face, NaN on frames where the face was detected (then
    ``detect_conf``, the box and the landmarks are the detector's, on the
    whole frame or in the face's window). Faces followed by the correlation
    tracker have its box and a NaN ``detect_conf``.

    The streaming core calls :meth:`prepare` (thread-safe: it runs the
    wrapped detector on detection frames) ahead, in parallel, and
    :meth:`update` in order. Inputs are never modified.
    """

    stateless = False

    def __init__(
        self,
        detector: Detector,
        detect_period: int,
        options: TrackingOptions | None = None,
        tracker_factory: Callable[[], VisualTracker] = CorrelationTracker,
    ) -> None:
        if detect_period < 1:
            raise ValueError(f"detect_period must be >= 1, got {detect_period}")
        self.detector = detector
        self.detect_period = detect_period
        self.options = options or TrackingOptions()
        self.tracker_factory = tracker_factory
        self._scanners: dict[tuple[int, ...], Detector] = {}  # by frame shape
        self.reset()

    def reset(self) -> None:
        """Forget every track: the next frame is the first of a new stream (face ids restart at 0)."""
        self._tracks: list[Track] = []
        self._lost: list[Track] = []
        self._exited: list[Track] = []  # tracks that left the frame: where they left is watched (windows)
        self._next_id = 0
        self._position = 0
        self._thumbnail: np.ndarray | None = None
        self._times: tuple[float, float] = (math.nan, math.nan)  # of the last two frames
        self.cuts = 0  # shot changes found so far

    def landmark_box(self, bbox: Rect) -> Rect:
        """The wrapped detector's landmark box: tracked boxes keep the detector's box shape."""
        return self.detector.landmark_box(bbox)

    def scanner(self, shape: tuple[int, ...]) -> Detector:
        """The detector of whole-frame detections on frames of ``shape`` (see ``scan_face_px``)."""
        found = self._scanners.get(shape)
        if found is None:
            found = self._scanners[shape] = self._downscaled(shape)
        return found

    def _downscaled(self, shape: tuple[int, ...]) -> Detector:
        detector, wanted = self.detector, self.options.scan_face_px
        if wanted is None or self.options.follow != "redetect" or not isinstance(detector, ScalableDetector):
            return detector  # only windows can look again for the faces a downscaled scan misses
        side = detector.working_side(shape)
        smallest = min_face_size(detector, shape) * side / max(shape[:2])  # in the detector's working image
        if smallest <= wanted:
            return detector
        return detector.at_side(max(MIN_SCAN_SIDE, round(side * wanted / smallest)))

    def is_detection_frame(self, position: int) -> bool:
        """Whether the frame at ``position`` (0-based, in the stream) is a detection frame."""
        return position % self.detect_period == 0

    def prepare(self, position: int, frame: Frame | np.ndarray) -> PreparedFrame:
        """The order-independent part of the work on the frame at ``position``."""
        image = frame.image if isinstance(frame, Frame) else frame
        gray = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY) if image.ndim == 3 else image
        thumbnail = cv2.resize(gray, THUMBNAIL_SIZE, interpolation=cv2.INTER_AREA).astype(np.float32)
        detections = unconfirmed(self.scanner(image.shape), image) if self.is_detection_frame(position) else None
        return PreparedFrame(gray, thumbnail, detections)

    def __call__(self, image: np.ndarray) -> list[Detection]:
        return self.update(image)

    def update(self, frame: Frame | np.ndarray, prepared: PreparedFrame | None = None) -> list[Detection]:
        """The faces of the next frame of the stream (a frame or its RGB image), with their ``face_id``."""
        position = self._position
        image = frame.image if isinstance(frame, Frame) else frame
        time = frame.time if isinstance(frame, Frame) else None
        now = float(time) if time is not None else position / UNTIMED_FRAME_RATE
        self._times = (self._times[1], now)
        if prepared is None:
            prepared = self.prepare(position, image)
        self._position += 1
        detections = prepared.detections
        if self._is_cut(prepared.thumbnail):
            self.cuts += 1
            self._tracks, self._lost, self._exited = [], [], []
            if detections is None:
                detections = unconfirmed(self.scanner(image.shape), image)
        if detections is None and self.options.follow == "redetect":
            out = self._redetect(image, prepared.gray, position, now)
        elif detections is None:
            out = self._track(prepared.gray, position, now)
        elif self.scanner(image.shape) is not self.detector:
            out = self._redetect(image, prepared.gray, position, now, scanned=detections)
        else:
            out = self._associate(detections, image, prepared.gray, position, now)
        self._lost = [t for t in self._lost if now - t.lost_at < self.options.max_lost_s]
        self._exited = [t for t in self._exited if now - t.lost_at < self.options.max_lost_s
                        and not any(d.bbox.center in self._window(t) for d in out)]
        return sorted(out, key=lambda d: -1 if d.face_id is None else d.face_id)

    def _is_cut(self, thumbnail: np.ndarray) -> bool:
        previous, self._thumbnail = self._thumbnail, thumbnail
        threshold = self.options.cut_threshold
        if threshold is None or previous is None or previous.shape != thumbnail.shape:
            return False
        return float(np.abs(thumbnail - previous).mean()) >= threshold

    def _alive(self, track: Track, conf: float, gray: np.ndarray, position: int, now: float) -> bool:
        """Whether ``track`` is still followed after its tracker reported ``conf``; ends it if not."""
        width, height = gray.shape[1], gray.shape[0]
        visible = _visible_share(track.box, width, height)
        if conf >= self.options.min_track_conf and visible >= self.options.min_visible:
            track.followed_motion.observe(track.box, position)
            return True
        if self.options.max_lost_s <= 0:
            return False
        track.lost_at = now  # remembered a while: ended inside the frame, and not on its way out
        interval = self._times[1] - self._times[0]
        ahead = max(1, round(LEAVING_S / interval)) if interval > 0 else 1  # frames, NaN-safe
        leaving = _visible_share(track.detected_motion.predicted(position + ahead), width, height) < self.options.min_visible
        if visible >= self.options.min_visible and not leaving:
            self._lost.append(track)
        elif self.options.follow == "redetect":
            self._exited.append(track)
        return False

    def _window(self, exited: Track) -> Rect:
        """The window watched where ``exited`` left the frame."""
        return window_around(exited.detected_motion.box, self.options.window_scale)

    def _track(self, gray: np.ndarray, position: int, now: float) -> list[Detection]:
        out, kept = [], []
        for track in self._tracks:
            conf = track.follow(gray)
            if self._alive(track, conf, gray, position, now):
                kept.append(track)
                out.append(Detection(track.box, face_id=track.face_id, track_conf=conf))
        self._tracks = kept
        return out

    def _redetect(
        self, image: np.ndarray, gray: np.ndarray, position: int, now: float, scanned: list[Detection] | None = None,
    ) -> list[Detection]:
        """Look for each track, and each recently lost one, in a window around where it should be.

        ``scanned``: the faces of a whole-frame detection run downscaled (see ``scan_face_px``). Then
        only the live tracks no scanned face overlaps are looked for in windows (lost ones are matched
        to the scanned faces, as on any detection frame), and the scanned faces no window found are
        added: they may start tracks, as may a window's face the scan found too.
        """
        limit = self.options.min_match_iou
        if scanned is None:
            live, lost, exited = self._tracks, self._lost, self._exited
        else:
            live = [t for t in self._tracks
                    if not any(w.iou(d.bbox) >= limit for w in t.whereabouts(position) for d in scanned)]
            lost, exited = [], []
        found: list[Detection] = []
        starts: list[bool] = []
        if live or lost or exited:
            # live tracks where their last sightings take them, lost ones where the whole face was going,
            # and where tracks left the frame, for faces coming back in (as new tracks: new appearances)
            expected = ([t.followed_motion.predicted(position) for t in live]
                        + [t.detected_motion.predicted(position) for t in lost]
                        + [t.detected_motion.box for t in exited])
            # a face found where a lost track should be but too far from it is left to the next full detection
            may_start = [True] * len(live) + [False] * len(lost) + [True] * len(exited)
            found, starts = detect_in_windows(self.detector, image, expected, self.options.window_scale,
                                              may_start=may_start)
        if scanned is not None:
            starts = [may or any(d.bbox.iou(f.bbox) >= limit for d in scanned) for f, may in zip(found, starts)]
            new = [d for d in scanned if all(d.bbox.iou(f.bbox) < limit for f in found)]
            found, starts = found + new, starts + [True] * len(new)
        if not found and not self._tracks:
            return []
        return self._associate(found, image, gray, position, now, start_new=starts)

    def _associate(
        self, detections: Sequence[Detection], image: np.ndarray, gray: np.ndarray, position: int, now: float,
        start_new: Sequence[bool] | None = None,
    ) -> list[Detection]:
        """Match this frame's detections to the tracks (at their last boxes or where their speed takes
        them), then to the lost tracks; the others start new tracks (those ``start_new`` allows) if the
        detector's second look keeps them (the detections come without it: see :func:`unconfirmed`)."""
        opts = self.options
        out: list[Detection] = []
        kept: list[Track] = []

        def take(track: Track, det: Detection) -> None:
            partly = opts.follow == "redetect" and det.bbox.max_dim_len < PARTLY_HIDDEN * track.detected_motion.box.max_dim_len
            track.detected(det.bbox, gray, position, whole=not partly)
            out.append(det.replace(face_id=track.face_id, track_conf=math.nan))
            kept.append(track)

        boxes = [d.bbox for d in detections]
        pairs = match_boxes([[t.box, *t.whereabouts(position)] for t in self._tracks], boxes, opts.min_match_iou)
        for i, j in pairs:
            take(self._tracks[i], detections[j])
        matched = {i for i, _ in pairs}
        unmatched: list[Track] = []
        for i, track in enumerate(self._tracks):
            if i in matched:
                continue
            if track.missed < opts.max_missed and opts.follow == "correlation":
                # undetected: follow it if its tracker is sure of it
                conf = track.follow(gray)
                duplicate = any(track.box.iou(b) >= opts.min_match_iou for b in boxes)
                if not duplicate and self._alive(track, conf, gray, position, now):
                    track.missed += 1
                    out.append(Detection(track.box, face_id=track.face_id, track_conf=conf))
                    kept.append(track)
                continue
            unmatched.append(track)
        free = sorted(set(range(len(detections))) - {j for _, j in pairs})
        # by distance: the tracks left (they may have moved further than IoU allows), then the lost ones
        pool = unmatched + self._lost
        live_radius = opts.window_scale / 2 if opts.follow == "redetect" else opts.lost_radius
        radii = [live_radius] * len(unmatched) + [opts.lost_radius] * len(self._lost)
        found = match_lost(pool, [boxes[j] for j in free], position, radii) if free else []
        for i, k in found:
            take(pool[i], detections[free[k]])
        taken = {i for i, _ in found}
        self._lost = [t for i, t in enumerate(self._lost, len(unmatched)) if i not in taken]
        for i, track in enumerate(unmatched):
            if i not in taken:
                self._alive(track, -math.inf, gray, position, now)  # missed by the detector: ends (or is lost)
        free = [j for k, j in enumerate(free) if k not in {k for _, k in found}]
        starting = [detections[j] for j in free if start_new is None or start_new[j]]
        for det in confirmed(self.detector, image, starting):
            track = Track.new(self._next_id, self.tracker_factory(), det.bbox, position)
            self._next_id += 1
            take(track, det)
        self._tracks = kept
        return out
