"""Simulated validation studies: corpora with a known true share of women, a classifier with
asymmetric, group-dependent errors, a stratified validation sample labelled by (perfect)
annotators, and the estimator of ``correction``, exactly as ``score_sample`` runs it.

Used by ``benchmarks/validation_simulation.py`` (coverage and error over many studies) and
by the tests (a few hundred studies).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .correction import StratumShares, corrected_share
from .sampling import allocate

TRUE_CATS = ("f", "m", "u", "x")  # u is never drawn here: the simulated annotators always tell


@dataclass
class Corpus:
    """Items (faces): true category index in ``TRUE_CATS``, predicted stratum, predicted
    gender of each stratum, weight (face-time)."""

    true: np.ndarray
    stratum: np.ndarray
    stratum_sex: np.ndarray  # (H,) "f", "m" or "u"
    weight: np.ndarray

    @property
    def true_share(self) -> float:
        w = self.weight
        f, m = w[self.true == 0].sum(), w[self.true == 1].sum()
        return float(f / (f + m))


@dataclass
class ClassifierModel:
    """``pred_sex[t, g]``: P(predicted f, m, u | true category t in f/m/x, true group g);
    ``pred_bracket[t, g]``: P(predicted age bracket | t, g); ``groups``: P(group); a corpus
    mixes women (``women``), men and non-faces (``non_faces``)."""

    pred_sex: np.ndarray  # (3, G, 3)
    pred_bracket: np.ndarray  # (3, G, B)
    groups: np.ndarray  # (G,)

    def corpus(self, rng: np.random.Generator, n: int, women: float, non_faces: float = 0.03) -> Corpus:
        t = rng.choice(3, size=n, p=[(1 - non_faces) * women, (1 - non_faces) * (1 - women), non_faces])
        g = rng.choice(len(self.groups), size=n, p=self.groups)
        ps = _pick(rng, self.pred_sex[t, g])
        pb = _pick(rng, self.pred_bracket[t, g])
        nb = self.pred_bracket.shape[2]
        stratum = ps * nb + pb
        weight = rng.gamma(4.0, 0.25, size=n)  # face-time varies from face to face
        true = np.where(t == 2, 3, t)  # non-faces are 'x'
        return Corpus(true, stratum, np.repeat(np.array(["f", "m", "u"]), nb), weight)


def _pick(rng: np.random.Generator, probs: np.ndarray) -> np.ndarray:
    """One category per row of ``probs`` (rows sum to 1)."""
    c = np.cumsum(probs, axis=1)
    return (rng.random((len(probs), 1)) > c[:, :-1]).sum(axis=1)


@dataclass
class StudyResult:
    truth: float
    uncorrected: float
    uncorrected_low: float
    uncorrected_high: float
    corrected: float
    low: float
    high: float


def run_study(rng: np.random.Generator, corpus: Corpus, n_sample: int, n_replicates: int = 500) -> StudyResult:
    """Draw a stratified sample of ``n_sample`` faces, label it with the truth, correct."""
    h_count = len(corpus.stratum_sex)
    sizes = np.bincount(corpus.stratum, minlength=h_count)
    weights = np.bincount(corpus.stratum, weights=corpus.weight, minlength=h_count)
    take = allocate(sizes, weights, n_sample)
    order = np.argsort(corpus.stratum, kind="stable")
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    picked = np.concatenate([order[s + rng.choice(n, size=k, replace=False)]
                             for s, n, k in zip(starts, sizes, take) if k]) if take.sum() else np.zeros(0, int)
    onehot = np.eye(len(TRUE_CATS))[corpus.true[picked]]
    names = [str(i) for i in range(h_count)]
    fallback = np.array([[1.0 * (c == (s if s in "fm" else "u")) for c in TRUE_CATS] for s in corpus.stratum_sex])
    shares = StratumShares.measure(names, corpus.stratum[picked].astype(str), corpus.weight[picked], onehot,
                                   TRUE_CATS, fallback)
    est = corrected_share(weights, shares, 0, (0, 1), n_replicates, int(rng.integers(2**31)))
    pf = weights[corpus.stratum_sex == "f"].sum()
    pm = weights[corpus.stratum_sex == "m"].sum()
    unc = pf / (pf + pm)
    # today's interval: sampling of faces only (binomial, effective size of the weighted faces)
    w = corpus.weight[corpus.stratum_sex[corpus.stratum] != "u"]
    n_eff = w.sum() ** 2 / (w ** 2).sum()
    half = 1.96 * np.sqrt(unc * (1 - unc) / n_eff)
    return StudyResult(corpus.true_share, float(unc), float(unc - half), float(unc + half), est.point, est.low,
                       est.high)


@dataclass
class Summary:
    n_sample: int
    studies: int
    coverage: float
    uncorrected_coverage: float
    mae: float
    uncorrected_mae: float
    mean_width: float


def simulate(make_corpus: Callable[[np.random.Generator], Corpus], n_sample: int, n_studies: int,
             seed: int = 0, n_replicates: int = 500) -> Summary:
    """Coverage of the corrected 95 % interval and mean absolute error over ``n_studies`` studies."""
    rng = np.random.default_rng(seed)
    res = [run_study(rng, make_corpus(rng), n_sample, n_replicates) for _ in range(n_studies)]
    t = np.array([r.truth for r in res])
    cov = np.mean([r.low <= r.truth <= r.high for r in res])
    ucov = np.mean([r.uncorrected_low <= r.truth <= r.uncorrected_high for r in res])
    return Summary(n_sample, n_studies, float(cov), float(ucov),
                   float(np.mean(np.abs(np.array([r.corrected for r in res]) - t))),
                   float(np.mean(np.abs(np.array([r.uncorrected for r in res]) - t))),
                   float(np.mean([r.high - r.low for r in res])))


def worse_corpus_model() -> ClassifierModel:
    """A much worse corpus than UTKFace (children's programmes, old films): groups child, teen,
    adult, senior; boys are called girls half of the time, senior women are seen younger and
    often as men, non-faces are mostly called men."""
    #                f     m     u          per group: child, teen, adult, senior
    pred_sex = np.array([
        [[.80, .10, .10], [.85, .10, .05], [.90, .07, .03], [.60, .30, .10]],  # true women
        [[.50, .40, .10], [.25, .70, .05], [.10, .87, .03], [.08, .85, .07]],  # true men
        [[.30, .50, .20]] * 4,  # non-faces
    ])
    # predicted bracket of 0-19, 20-34, 35-49, 50-64, 65+
    child, teen = [.9, .1, 0, 0, 0], [.6, .4, 0, 0, 0]
    adult, senior = [.05, .5, .4, .05, 0], [0, .05, .35, .4, .2]
    senior_w = [0, .25, .45, .25, .05]  # women over 50 estimated too young
    pred_bracket = np.array([
        [child, teen, adult, senior_w],
        [child, teen, adult, senior],
        [[.2, .3, .3, .1, .1]] * 4,
    ])
    return ClassifierModel(pred_sex, pred_bracket, np.array([.3, .15, .4, .15]))


@dataclass
class PoolModel:
    """A classifier given by real measurements: one row per labelled face (true gender ``f``/``m``,
    true age, predicted gender, predicted age). A corpus draws faces from the pool with
    replacement, reweighted to a chosen share of women and mix of true age groups, so that its
    errors are the measured ones, group by group."""

    true_sex: np.ndarray
    true_age: np.ndarray
    pred_sex: np.ndarray
    pred_age: np.ndarray
    bounds: tuple[float, ...] = (0, 20, 35, 50, 65)
    group_bounds: tuple[float, ...] = (0, 3, 14, 20, 51, 71)  # 0-2, 3-13, 14-19, 20-50, 51-70, 71+

    def corpus(self, rng: np.random.Generator, n: int, women: float, groups: np.ndarray,
               non_faces: float = 0.03) -> Corpus:
        g = np.searchsorted(np.asarray(self.group_bounds), self.true_age, side="right") - 1
        is_f = self.true_sex == "f"
        p = np.zeros(len(g))
        for k, share in enumerate(groups):
            for sex_mask, target in ((is_f, women), (~is_f, 1 - women)):
                cell = (g == k) & sex_mask
                if cell.any():
                    p[cell] = share * target / cell.sum()
        rows = rng.choice(len(p), size=n, p=p / p.sum())
        nb = len(self.bounds)
        ps = np.searchsorted(np.array(["f", "m", "u"]), self.pred_sex[rows])
        pb = np.searchsorted(np.asarray(self.bounds), self.pred_age[rows], side="right") - 1
        true = np.where(self.true_sex[rows] == "f", 0, 1)
        x = rng.random(n) < non_faces  # false detections: mostly called men, any age
        ps = np.where(x, rng.choice(3, size=n, p=[.3, .55, .15]), ps)
        pb = np.where(x, rng.integers(0, nb, size=n), pb)
        true = np.where(x, 3, true)
        return Corpus(true, ps * nb + pb, np.repeat(np.array(["f", "m", "u"]), nb), rng.gamma(4.0, 0.25, size=n))
