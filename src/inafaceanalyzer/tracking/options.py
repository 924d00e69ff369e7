"""The thresholds of the tracking engine (:class:`TrackingOptions`), recorded in each video's sidecar."""

from __future__ import annotations

from dataclasses import dataclass

from .redetection import WINDOW_SCALE

FOLLOWERS = ("redetect", "correlation")

# the smallest face kept, as the tracking engine's whole-frame detection sees it: what the video engine sees
# of a 30 px face on a 1080p frame (detector working at 960 px), measured as keeping every clip's rows
SCAN_FACE_PX = 15.0
MIN_SCAN_SIDE = 32  # pixels: the smallest working image a whole-frame detection is given
# with windows, a sighting this much smaller than the track's last whole one shows part of the face (a bar
# covering it): it does not move where the track is taken back (docs/tracking.md)
PARTLY_HIDDEN = 0.8


@dataclass(frozen=True)
class TrackingOptions:
    """Thresholds of :class:`~inafaceanalyzer.tracking.detector.TrackingDetector` (frames are analysed frames).

    ``min_track_conf``: a track ends on a frame where its visual tracker's
    confidence is lower. For dlib's correlation tracker it is the
    peak-to-side-lobe ratio (PSR) of the correlation response: about 20 to 30
    just after a detection, decaying as a face turns or changes, and below 7
    once the face is lost or hidden; 7 is the original inaFaceAnalyzer's
    threshold.
    ``min_match_iou``: minimal IoU between a detection and a track's box for
    the assignment to link them.
    ``min_visible``: a track ends when the share of its box inside the frame
    falls below this.
    ``max_lost_s``: how long (seconds) a track that ended inside the frame, and
    not on its way out, is remembered (0: never), and ``lost_radius`` how far from it (in face sizes)
    a detection may take it back. Frames given without a time are taken
    1/25 s apart.
    ``cut_threshold``: mean absolute difference (grey levels, 0 to 255)
    between consecutive frames' 32 x 18 grey thumbnails from which the frame
    is taken as a shot change (``None``: never). Measured at 5 frames per
    second on the benchmark video: at most 15 within shots, 37 or more at
    its cuts.
    ``max_missed``: how many detection frames in a row a track the detector
    misses may still be followed while its tracker's confidence stays at
    least ``min_track_conf`` (0, the default, ends it: keeping such tracks
    alive measured worse on the ground-truth videos; correlation only).
    ``follow``: how faces are followed between detections, ``"redetect"``
    (the detector in a window ``window_scale`` face sizes wide around each
    track; ``min_track_conf`` and ``min_visible`` then play no part) or
    ``"correlation"`` (dlib's correlation tracker).
    ``scan_face_px``: whole-frame detections (which find the faces that
    start tracks) run on the frame downscaled so that the smallest face the
    detector keeps (``--min_face_size_px``) measures this many pixels there,
    if that is smaller than the detector's own working size (``None``: at the
    detector's size); a track such a downscaled detection misses is looked
    for in its window before it ends. ``"redetect"`` only: the correlation
    tracker always detects at the detector's size.
    """

    min_track_conf: float = 7.0
    min_match_iou: float = 0.3
    min_visible: float = 0.5
    max_lost_s: float = 2.5
    lost_radius: float = 0.5
    cut_threshold: float | None = 30.0
    max_missed: int = 0
    follow: str = "redetect"
    window_scale: float = WINDOW_SCALE
    scan_face_px: float | None = SCAN_FACE_PX

    def __post_init__(self) -> None:
        if self.min_track_conf < 0:
            raise ValueError(f"min_track_conf must be >= 0, got {self.min_track_conf}")
        if not 0 < self.min_match_iou <= 1:
            raise ValueError(f"min_match_iou must be in (0, 1], got {self.min_match_iou}")
        if not 0 <= self.min_visible <= 1:
            raise ValueError(f"min_visible must be between 0 and 1, got {self.min_visible}")
        if self.max_lost_s < 0:
            raise ValueError(f"max_lost_s must be >= 0, got {self.max_lost_s}")
        if self.lost_radius < 0:
            raise ValueError(f"lost_radius must be >= 0, got {self.lost_radius}")
        if self.cut_threshold is not None and self.cut_threshold <= 0:
            raise ValueError(f"cut_threshold must be > 0 or None, got {self.cut_threshold}")
        if self.max_missed < 0:
            raise ValueError(f"max_missed must be >= 0, got {self.max_missed}")
        if self.follow not in FOLLOWERS:
            raise ValueError(f"follow must be one of {', '.join(FOLLOWERS)}, got {self.follow!r}")
        if self.window_scale < 1:
            raise ValueError(f"window_scale must be >= 1, got {self.window_scale}")
        if self.scan_face_px is not None and not self.scan_face_px > 0:
            raise ValueError(f"scan_face_px must be > 0 or None, got {self.scan_face_px}")
