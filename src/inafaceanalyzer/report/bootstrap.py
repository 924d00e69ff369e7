"""Block bootstrap: confidence intervals that respect the time structure of programmes.

Each video's analysed span is cut into contiguous blocks of ``block_s`` seconds. A
replicate draws, within each video independently, as many blocks as it has, with
replacement, and sums their statistics (face-time per gender and age bracket, people per
gender and age bracket counted in the block where they first appear). The whole-set
replicate sums the videos' replicates, so whole-set intervals reflect variation within
programmes, given the set of programmes analysed. Consecutive frames are strongly
correlated (the same people stay on screen), which is why whole blocks are resampled,
not single frames. Intervals are percentile intervals over the replicates.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np


def block_offsets(n_blocks: np.ndarray) -> np.ndarray:
    """Row of each video's first block in a stacked (blocks x stats) matrix."""
    n_blocks = np.asarray(n_blocks, dtype=np.int64)
    return np.concatenate([[0], np.cumsum(n_blocks)[:-1]]).astype(np.int64)


def stats_matrix(n_blocks: np.ndarray, video: np.ndarray, block: np.ndarray, column: np.ndarray,
                 value: np.ndarray, n_columns: int) -> np.ndarray:
    """Stack per-block statistics: row = a video's block, column = a statistic; sums ``value``."""
    offsets = block_offsets(n_blocks)
    out = np.zeros((int(np.sum(n_blocks)), n_columns))
    if len(value):
        rows = offsets[np.asarray(video, dtype=np.int64)] + np.asarray(block, dtype=np.int64)
        np.add.at(out, (rows, np.asarray(column, dtype=np.int64)), np.asarray(value, dtype=float))
    return out


@dataclass
class Replicates:
    overall: np.ndarray  # (R, K): whole-set totals of each statistic
    per_video: np.ndarray  # (R, V, J): per-video totals of the selected combinations


def block_bootstrap(
    stats: np.ndarray,
    n_blocks: np.ndarray,
    per_video_selector: np.ndarray,
    n_replicates: int,
    seed: int,
    progress: Callable[[int, int], None] | None = None,
    max_cells: int = 4_000_000,
) -> Replicates:
    """Resample blocks within each video; replicate totals overall and per video.

    ``stats`` is (blocks x K) as made by ``stats_matrix``; ``per_video_selector`` (K x J)
    combines statistics into the J quantities wanted per video (e.g. women's face-time =
    sum over age brackets). The same inputs and seed give the same replicates.
    """
    n_blocks = np.asarray(n_blocks, dtype=np.int64)
    if np.any(n_blocks < 1):
        raise ValueError("every video needs at least one block")
    n_videos, (n_slots, n_stats) = len(n_blocks), stats.shape
    offsets = block_offsets(n_blocks)
    slot_video = np.repeat(np.arange(n_videos), n_blocks)
    base, size = offsets[slot_video], n_blocks[slot_video]
    combined = stats @ per_video_selector  # (S, J)
    overall = np.zeros((n_replicates, n_stats))
    per_video = np.zeros((n_replicates, n_videos, combined.shape[1]))
    rng = np.random.default_rng(seed)
    chunk = max(1, min(n_replicates, max_cells // max(n_slots, 1)))
    for start in range(0, n_replicates, chunk):
        r = min(chunk, n_replicates - start)
        picks = base + (rng.random((r, n_slots)) * size).astype(np.int64)
        picks += (np.arange(r, dtype=np.int64) * n_slots)[:, None]
        counts = np.bincount(picks.ravel(), minlength=r * n_slots).reshape(r, n_slots).astype(float)
        overall[start:start + r] = counts @ stats
        for j in range(combined.shape[1]):
            per_video[start:start + r, :, j] = np.add.reduceat(counts * combined[:, j], offsets, axis=1)
        if progress is not None:
            progress(start + r, n_replicates)
    return Replicates(overall, per_video)


def share(numerator: np.ndarray, other: np.ndarray) -> np.ndarray:
    """``numerator / (numerator + other)``, NaN where both are 0."""
    total = numerator + other
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, numerator / np.where(total > 0, total, 1), np.nan)


def percentile_interval(replicates: np.ndarray, confidence: float,
                        max_undefined: float = 0.1) -> tuple[np.ndarray, np.ndarray]:
    """Percentile interval along axis 0.

    NaN replicates (a share whose denominator is 0 in that resample) are ignored, but
    where more than ``max_undefined`` of them are NaN the interval is NaN: the data are
    too thin for one (e.g. a handful of people first seen in one block).
    """
    alpha = (1 - confidence) / 2
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN slices give NaN, as wanted
        low, high = np.nanpercentile(replicates, [100 * alpha, 100 * (1 - alpha)], axis=0)
    thin = np.mean(np.isnan(replicates), axis=0) > max_undefined
    return np.where(thin, np.nan, low), np.where(thin, np.nan, high)
