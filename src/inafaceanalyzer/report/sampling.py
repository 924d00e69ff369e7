"""How long each analysed frame stands for, per video.

A face row counts for the duration of its analysed frame:

- with ``--fps`` sampling, ``1/fps`` seconds; when every frame was analysed, ``1/video fps``
  (the sidecar's ``frame_interval_s`` says which);
- keyframes (``frame_interval_s`` null): from the keyframe to the next analysed keyframe
  with faces, at most ``keyframe_max_s``; the last one until the end of the video;
- no sidecar: ``1/fps`` when the report is given ``fps``, else the median gap between
  distinct analysed times, with a warning.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .inputs import ResultFile

NICE_BINS_S = (1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14400, 28800, 86400)


@dataclass(frozen=True)
class Sampling:
    keyframes: bool
    interval_s: float | None  # None: keyframes, or still to be inferred from the data
    how: str  # said in the report
    inferred: bool = False  # interval to infer from the median gap of the time column

    def describe(self) -> str:
        return self.how


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-9)


def decide_sampling(file: ResultFile, fps: float | None) -> tuple[Sampling, str | None]:
    """The sampling of ``file`` from its sidecar or the report's ``fps``; and a warning, if any."""
    sc = file.sidecar
    if sc is not None and sc.keyframes:
        return Sampling(True, None, "keyframes (sidecar): each stands until the next analysed one"), None
    if sc is not None and sc.frame_interval_s is not None:
        warning = None
        if fps is not None and not _close(1.0 / fps, sc.frame_interval_s):
            warning = (f"{file.path}: its sidecar says each analysed frame stands for "
                       f"{sc.frame_interval_s:g} s; --fps {fps:g} ignored for it")
        return Sampling(False, sc.frame_interval_s, f"sidecar: {sc.frame_interval_s:g} s per analysed frame"), warning
    if fps is not None:
        return Sampling(False, 1.0 / fps, f"--fps {fps:g}: {1.0 / fps:g} s per analysed frame"), None
    return Sampling(False, None, "inferred from the time column", inferred=True), None


def inferred(interval_s: float) -> Sampling:
    how = f"inferred from the time column (median gap): {interval_s:g} s per analysed frame"
    return Sampling(False, interval_s, how, inferred=True)


def timeline_bin(longest_span_s: float, target_bins: int = 40) -> float:
    """A round bin width giving about ``target_bins`` bins over the longest video."""
    wanted = max(longest_span_s, 1.0) / target_bins
    for b in NICE_BINS_S:
        if b >= wanted:
            return float(b)
    return float(NICE_BINS_S[-1])
