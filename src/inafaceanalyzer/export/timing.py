"""When each analysed frame's faces are on screen, for the subtitle and annotated-video exports.

The rule (the ASS and MP4 exports both follow it):

* The faces of an analysed frame at time ``t`` are shown from ``t`` until the
  next analysed frame, found from the sampling: with ``--fps F`` the frames
  analysed are those nearest the instants ``offset + k/F``, so the faces of the
  frame chosen for instant ``k`` disappear on the frame chosen for instant
  ``k + 1`` (ties to the earlier frame, as the sampler does). With every frame
  analysed that is the next frame.
* They disappear earlier when the next frame with faces in the table comes
  first (analysed frames without faces have no row, hence this rule).
* When the sampling is unknown (keyframes, or a CSV without its sidecar and no
  ``interval_s``), each analysed frame stands for one source frame.

Times are seconds from the first frame, on the source's frame grid (exact for
constant-frame-rate sources; within a frame for variable rates).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..results.columns import frame_rate
from ..results.load import Results


@dataclass(frozen=True)
class DisplayTiming:
    """``frame_period_s``: the source's frame duration; ``interval_s``: the sampling step (``None``:
    unknown); ``offset_s``: the first sampling instant."""

    frame_period_s: float
    interval_s: float | None = None
    offset_s: float = 0.0

    def __post_init__(self) -> None:
        if not self.frame_period_s > 0:
            raise ValueError(f"frame_period_s must be > 0, got {self.frame_period_s}")

    @classmethod
    def of(cls, results: Results, fps: float | None = None, interval_s: float | None = None) -> DisplayTiming:
        """The timing of an analysis, from its sidecar; ``fps`` (the source's rate) and ``interval_s``
        fill in or override what the sidecar says."""
        fps = frame_rate(fps or results.video("fps"))
        if interval_s is None:
            interval_s = results.analysis("frame_interval_s")
        offset_ms = results.option("offset", 0) or 0
        return cls(1 / float(fps), interval_s, float(offset_ms) / 1000)

    def end_of(self, t: float) -> float:
        """When the faces of the frame analysed at ``t`` disappear, if no later frame has faces."""
        p = self.frame_period_s
        step = self.interval_s
        if step is None or step <= p * (1 + 1e-9):
            return t + p
        k = round((t - self.offset_s) / step)
        instant = self.offset_s + (k + 1) * step
        frame = math.ceil(instant / p - 0.5 - 1e-6)  # the frame nearest that instant, ties to the earlier
        return max(frame * p, t + p)


@dataclass(frozen=True, slots=True)
class Span:
    """The faces of one analysed frame and when they are on screen; ``rows``: positions in the table."""

    start_s: float
    end_s: float
    rows: np.ndarray


def frame_times(table: pd.DataFrame, frame_period_s: float) -> np.ndarray:
    """Each row's time in seconds: the ``time`` column, else ``frame`` x the frame period."""
    if "time" in table.columns:
        return table["time"].to_numpy(dtype=float)
    return table["frame"].to_numpy(dtype=float) * frame_period_s


def display_spans(table: pd.DataFrame, timing: DisplayTiming) -> list[Span]:
    """One :class:`Span` per analysed frame with faces, in time order."""
    if table.empty:
        return []
    times = frame_times(table, timing.frame_period_s)
    order = np.argsort(times, kind="stable")
    sorted_times = times[order]
    starts = np.flatnonzero(np.r_[True, np.diff(sorted_times) > timing.frame_period_s / 4])
    bounds = np.r_[starts, len(order)]
    spans = []
    for i, (a, b) in enumerate(zip(bounds[:-1], bounds[1:])):
        t = float(sorted_times[a])
        end = timing.end_of(t)
        if i + 1 < len(starts):
            end = min(end, float(sorted_times[bounds[i + 1]]))
        spans.append(Span(t, end, order[a:b]))
    return spans
