"""The analysis engines, by name (``--engine NAME``; see :mod:`.registry`).

* ``image``, ``preprocessed_image``: photos (detected faces; already-cropped faces);
* ``video``, ``videokeyframes``, ``videotracking``: videos (every frame or ``--fps``;
  keyframes only; detection every ``--detect_period`` frames with tracking);
* ``videoprecomputed``: videos whose face boxes are given (:mod:`.precomputed`).
"""

from __future__ import annotations

from .analyzers import (
    ImageAnalyzer,
    PreprocessedImageAnalyzer,
    VideoAnalyzer,
    VideoKeyframes,
    VideoTracking,
)
from .precomputed import VideoPrecomputed
from .registry import EngineSpec, names, register, spec


def _video(analyzer: VideoAnalyzer, options) -> VideoAnalyzer:
    analyzer.timeout_s = options.timeout_s
    return analyzer


register("image", EngineSpec(ImageAnalyzer,
    lambda d, c, o: ImageAnalyzer(d, c, batch_len=o.batch_size), "image", help="image: photos"))
register("preprocessed_image", EngineSpec(PreprocessedImageAnalyzer,
    lambda d, c, o: PreprocessedImageAnalyzer(c, batch_len=o.batch_size), "image", detector="whole_frame",
    help="preprocessed_image: already-cropped faces (no detection)"))
register("video", EngineSpec(VideoAnalyzer,
    lambda d, c, o: _video(VideoAnalyzer(d, c, batch_len=o.batch_size), o), "video", fps=True,
    help="video: every frame or --fps frames per second"))
register("videotracking", EngineSpec(VideoTracking,
    lambda d, c, o: _video(VideoTracking(o.detect_period, d, c, batch_len=o.batch_size), o), "video", fps=True,
    detect_period=True, help="videotracking: video with face tracking and per-face averaging"))
register("videokeyframes", EngineSpec(VideoKeyframes,
    lambda d, c, o: _video(VideoKeyframes(d, c, batch_len=o.batch_size), o), "video",
    help="videokeyframes: keyframes only"))
register("videoprecomputed", EngineSpec(VideoPrecomputed,
    lambda d, c, o: _video(VideoPrecomputed(o.detections, d, c, batch_len=o.batch_size), o), "video", fps=True,
    detections=True, help="videoprecomputed: face boxes given per frame by --detections, no detection run"))

__all__ = ["EngineSpec", "names", "register", "spec"]
