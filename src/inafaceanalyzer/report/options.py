"""The report's tunable parameters, in one typed object with defaults."""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field

DEFAULT_AGE_BOUNDS = (0, 20, 35, 50, 65)

ALL = "ALL"  # the whole set, in the tables' scope column

# the files a report writes in its output folder
HTML_NAME = "report.html"
CSV_NAMES = {
    "summary": "summary.csv",
    "videos": "videos.csv",
    "age": "age_brackets.csv",
    "timeline": "timeline.csv",
    "faces_per_frame": "faces_per_frame.csv",
    "people": "people.csv",
    "inputs": "inputs.csv",
}


@dataclass(frozen=True)
class AgeBrackets:
    """Age brackets given by their lower bounds: ``(0, 20, 35)`` -> 0-19, 20-34, 35+.

    A bracket ``[lo, hi)`` holds ages ``lo <= age < hi`` (ages are floats: 19.7 is in
    0-19, 34.99 in 20-34). Faces without an age estimate go to ``UNKNOWN``.
    """

    bounds: tuple[float, ...] = DEFAULT_AGE_BOUNDS

    UNKNOWN = "unknown"

    def __post_init__(self) -> None:
        b = tuple(float(x) for x in self.bounds)
        if not b:
            raise ValueError("age brackets: give at least one lower bound")
        if b[0] != 0:
            raise ValueError(f"age brackets: the first lower bound must be 0, got {_fmt(b[0])}")
        if any(not math.isfinite(x) for x in b) or any(hi <= lo for lo, hi in itertools.pairwise(b)):
            raise ValueError("age brackets: lower bounds must be finite and strictly increasing")
        object.__setattr__(self, "bounds", b)

    @classmethod
    def parse(cls, text: str) -> AgeBrackets:
        """``"0,20,35,50,65"`` (lower bounds, comma-separated)."""
        try:
            values = tuple(float(x) for x in text.replace(" ", "").split(",") if x != "")
        except ValueError:
            raise ValueError(f"age brackets: {text!r} is not a comma-separated list of numbers") from None
        return cls(values)

    @property
    def labels(self) -> list[str]:
        """Bracket names, youngest first: ``0-19``, ``20-34``, ..., ``65+``."""
        out = []
        for lo, hi in zip(self.bounds, self.bounds[1:]):
            top = hi - 1 if float(hi).is_integer() and float(lo).is_integer() else hi
            out.append(f"{_fmt(lo)}-{_fmt(top)}" if top != hi else f"{_fmt(lo)}-<{_fmt(hi)}")
        out.append(f"{_fmt(self.bounds[-1])}+")
        return out

    @property
    def all_labels(self) -> list[str]:
        """Bracket names followed by ``unknown``."""
        return [*self.labels, self.UNKNOWN]

    def sql_index(self, column: str) -> str:
        """SQL giving the bracket index of ``column`` (0 = youngest; ``len(labels)`` = unknown)."""
        n = len(self.bounds)
        parts = [f"WHEN {column} IS NULL OR isnan({column}) THEN {n}"]
        for i in range(n - 1, 0, -1):
            parts.append(f"WHEN {column} >= {self.bounds[i]!r} THEN {i}")
        return "CASE " + " ".join(parts) + " ELSE 0 END"


def _fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


@dataclass(frozen=True)
class ReportOptions:
    """How results are aggregated into the representation report.

    - ``age_brackets``: age brackets (lower bounds).
    - ``fps``: analysed frames per second, for results files without a sidecar JSON
      (each analysed frame then stands for ``1/fps`` seconds). Ignored where a sidecar
      says otherwise (a warning names the file).
    - ``block_s``: length in seconds of the contiguous time blocks that the bootstrap
      resamples within each video.
    - ``n_bootstrap``: bootstrap replicates (0 disables confidence intervals).
    - ``seed``: random seed of the bootstrap; the same inputs and seed give the same intervals.
    - ``confidence``: confidence level of the intervals (percentile bootstrap).
    - ``keyframe_max_s``: for keyframe results, a keyframe stands until the next keyframe
      with faces, but for at most this many seconds.
    - ``timeline_bin_s``: width of the timeline bins in seconds (``None``: chosen from the
      longest video, about 40 bins).
    - ``title``: title of the HTML report.
    - ``max_videos_in_html``: per-video rows shown in the HTML (all of them are in the CSV).
    - ``html``: write the HTML report (``False``: the CSV tables only, without drawing figures).
    """

    age_brackets: AgeBrackets = field(default_factory=AgeBrackets)
    fps: float | None = None
    block_s: float = 60.0
    n_bootstrap: int = 1000
    seed: int = 0
    confidence: float = 0.95
    keyframe_max_s: float = 10.0
    timeline_bin_s: float | None = None
    title: str = "Representation report"
    max_videos_in_html: int = 100
    html: bool = True

    def __post_init__(self) -> None:
        if self.fps is not None and not (self.fps > 0 and math.isfinite(self.fps)):
            raise ValueError(f"fps must be a positive number, got {self.fps}")
        if not (self.block_s > 0 and math.isfinite(self.block_s)):
            raise ValueError(f"block_s must be a positive number of seconds, got {self.block_s}")
        if self.n_bootstrap < 0:
            raise ValueError(f"n_bootstrap must be 0 or more, got {self.n_bootstrap}")
        if 0 < self.n_bootstrap < 100:
            raise ValueError(f"n_bootstrap must be 0 (no intervals) or at least 100, got {self.n_bootstrap}")
        if not 0.5 <= self.confidence < 1:
            raise ValueError(f"confidence must be in [0.5, 1), got {self.confidence}")
        if not (self.keyframe_max_s > 0 and math.isfinite(self.keyframe_max_s)):
            raise ValueError(f"keyframe_max_s must be a positive number of seconds, got {self.keyframe_max_s}")
        if self.timeline_bin_s is not None and not (self.timeline_bin_s > 0 and math.isfinite(self.timeline_bin_s)):
            raise ValueError(f"timeline_bin_s must be a positive number of seconds, got {self.timeline_bin_s}")
        if self.max_videos_in_html < 1:
            raise ValueError("max_videos_in_html must be at least 1")
