"""Error-corrected estimates from a validation sample stratified by predicted label.

Within each stratum ``h`` (predicted gender x predicted age bracket) the sample measures
``p_h(t)``, the share of the stratum's weight (face-time, or people) whose true category is
``t`` (``f``, ``m``, ``u`` = can't tell, ``x`` = not a face; or a true age bracket). The
corrected total of category ``t`` in a scope (the set, a video) is
``sum_h W_h x p_h(t)``, with ``W_h`` the scope's weight predicted in stratum ``h``; the
corrected share of women is ``F / (F + M)`` (faces people call "not a face" or "can't tell"
drop out, as ``u`` faces drop out of the uncorrected share).

Uncertainty of the validation sample: replicates of ``p_h`` drawn within each stratum from
``Dirichlet(c_h + 1/2)`` (``c_h``: the stratum's labelled counts, weighted), a Bayesian
bootstrap with Jeffreys' prior, so that a stratum whose few sampled faces all agreed still
carries the uncertainty of its size. The report pairs these replicates with its block
bootstrap replicates of ``W_h`` so that the interval holds both sources. A stratum with no
labels keeps its predicted label as point estimate, with a flat prior in the replicates
(and a warning).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..report.bootstrap import percentile_interval

PRIOR = 0.5
MIN_LABELS = 5  # fewer labelled items in a stratum: a warning


@dataclass
class StratumShares:
    """Measured true-category shares per stratum."""

    strata: list[str]
    categories: list[str]
    counts: np.ndarray  # (H, C): weighted labelled items per true category, summing to the effective size
    n: np.ndarray  # (H,): labelled items
    fallback: np.ndarray  # (H, C): point estimate where n_h = 0

    @classmethod
    def measure(cls, strata: Sequence[str], item_stratum: np.ndarray, item_weight: np.ndarray,
                item_shares: np.ndarray, categories: Sequence[str], fallback: np.ndarray) -> StratumShares:
        """``item_shares`` (items x categories): each item's consensus (rows of 0 = not labelled);
        ``item_weight``: each item's weight (face-time) within its stratum."""
        index = {s: i for i, s in enumerate(strata)}
        h = np.array([index[s] for s in item_stratum], dtype=np.int64)
        labelled = item_shares.sum(axis=1) > 0
        n = np.bincount(h[labelled], minlength=len(strata)).astype(float)
        w = np.asarray(item_weight, dtype=float)
        wsum = np.bincount(h[labelled], weights=w[labelled], minlength=len(strata))
        w2sum = np.bincount(h[labelled], weights=w[labelled] ** 2, minlength=len(strata))
        counts = np.zeros((len(strata), len(categories)))
        np.add.at(counts, h[labelled], item_shares[labelled] * w[labelled, None])
        # weighted shares x Kish's effective sample size (unequal face-times carry less information)
        n_eff = np.divide(wsum ** 2, w2sum, out=np.zeros_like(n), where=w2sum > 0)
        scale = np.divide(n_eff, wsum, out=np.zeros_like(n), where=wsum > 0)
        return cls(list(strata), list(categories), counts * scale[:, None], n, np.asarray(fallback, float))

    def point(self) -> np.ndarray:
        """(H, C) shares: measured, or the fallback where nothing was labelled."""
        total = self.counts.sum(axis=1, keepdims=True)
        with np.errstate(invalid="ignore", divide="ignore"):
            p = self.counts / total
        return np.where(total > 0, p, self.fallback)

    def draws(self, n_replicates: int, rng: np.random.Generator) -> np.ndarray:
        """(R, H, C) replicates of the shares (Dirichlet, Jeffreys' prior)."""
        alpha = self.counts + PRIOR
        g = rng.standard_gamma(np.broadcast_to(alpha, (n_replicates, *alpha.shape)))
        return g / g.sum(axis=2, keepdims=True)

    def thin(self, min_labels: int = MIN_LABELS) -> list[str]:
        return [s for s, n in zip(self.strata, self.n) if n < min_labels]


def corrected_totals(weights: np.ndarray, shares: np.ndarray) -> np.ndarray:
    """``sum_h W_h p_h(t)``: weights (..., H) x shares (..., H, C) -> (..., C); broadcasting over
    leading replicate axes."""
    return np.einsum("...h,...hc->...c", weights, shares)


def share_of(totals: np.ndarray, num: int, den: Sequence[int]) -> np.ndarray:
    """``totals[..., num] / sum(totals[..., den])``, NaN where the denominator is 0."""
    d = totals[..., list(den)].sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(d > 0, totals[..., num] / np.where(d > 0, d, 1), np.nan)


@dataclass
class Estimate:
    point: float
    low: float
    high: float


def corrected_share(weights: np.ndarray, shares: StratumShares, num: int, den: Sequence[int],
                    n_replicates: int = 1000, seed: int = 0, confidence: float = 0.95,
                    weight_replicates: np.ndarray | None = None) -> Estimate:
    """Corrected share ``num / den`` (category indices) in a scope with stratum weights
    ``weights`` (H,); ``weight_replicates`` (R, H): block-bootstrap replicates of them, else
    the weights are taken as known (a whole collection: only the validation sample varies)."""
    point = float(share_of(corrected_totals(weights, shares.point()), num, den))
    reps = shares.draws(n_replicates, np.random.default_rng(seed))
    w = weights if weight_replicates is None else weight_replicates[:n_replicates]
    lo, hi = percentile_interval(share_of(corrected_totals(w, reps), num, den), confidence)
    return Estimate(point, *widen(point, lo, hi))


def widen(point: float, low: float | np.ndarray, high: float | np.ndarray) -> tuple[float, float]:
    """The interval stretched to hold the point estimate (a stratum whose sampled faces all
    agree has its measured share on the boundary, outside the prior-smoothed replicates)."""
    lo, hi = float(low), float(high)
    if np.isnan(point) or np.isnan(lo):
        return lo, hi
    return min(lo, point), max(hi, point)
