"""Face tracking between detections: the tracking detector (:mod:`.detector`, re-exported here:
``inafaceanalyzer.tracking`` was that module), the tracks and their assignment (:mod:`.tracks`),
re-detection in windows (:mod:`.redetection`) and the smoothing of a track's results
(:mod:`.smoothing`).
"""

from __future__ import annotations

from .detector import (
    FOLLOWERS,
    THUMBNAIL_SIZE,
    UNTIMED_FRAME_RATE,
    CorrelationTracker,
    PreparedFrame,
    TrackingDetector,
    TrackingOptions,
    VisualTracker,
    match_boxes,
    match_lost,
)

__all__ = ["FOLLOWERS", "THUMBNAIL_SIZE", "UNTIMED_FRAME_RATE", "CorrelationTracker", "PreparedFrame",
           "TrackingDetector", "TrackingOptions", "VisualTracker", "match_boxes", "match_lost"]
