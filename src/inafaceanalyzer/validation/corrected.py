"""The report's corrected section: shares of women and age distribution corrected with a
validation sample, with intervals holding both the block bootstrap of the programmes and the
uncertainty of the validation sample.

Whole set: replicate ``r`` pairs the report's block-bootstrap totals per stratum ``W_h^(r)``
with an independent replicate of the measured shares ``p_h^(r)``:
``F^(r) = sum_h W_h^(r) p_h^(r)(f)``. Per video (the report keeps only a few per-video
quantities per replicate): the block-bootstrap replicate of the corrected totals at the
measured shares, plus the deviation due to the validation replicate at the video's own
totals (a first-order combination of the two sources).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape

import numpy as np
import pandas as pd

from ..report.bootstrap import Replicates, percentile_interval, share
from ..report.options import ALL, ReportOptions
from .agreement import GENDER_CATS, classifier_agreement
from .correction import StratumShares, corrected_totals, share_of, widen
from .score import Validation

SEXES = ("f", "m", "u")
CSV_NAMES = {"corrected": "corrected.csv", "corrected_age": "corrected_age.csv"}


def _reindex(shares: StratumShares, strata: list[str], fallback: np.ndarray) -> StratumShares:
    index = {s: i for i, s in enumerate(shares.strata)}
    counts = np.zeros((len(strata), len(shares.categories)))
    n = np.zeros(len(strata))
    for i, s in enumerate(strata):
        if s in index:
            counts[i], n[i] = shares.counts[index[s]], shares.n[index[s]]
    return StratumShares(strata, shares.categories, counts, n, fallback)


@dataclass
class ReportCorrection:
    """A validation sample mapped onto the report's strata (sex x bracket, in its column order)."""

    validation: Validation
    options: ReportOptions
    warnings: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        v, labels = self.validation, self.options.age_brackets.all_labels
        if tuple(v.brackets.bounds) != tuple(self.options.age_brackets.bounds):
            from ..errors import ValidationError

            raise ValidationError(f"{v.folder}: the validation sample uses age brackets "
                                  f"{', '.join(v.brackets.labels)}; give the report the same --age_brackets")
        self.nb = len(labels)
        self.strata = [f"{s}|{b}" for s in SEXES for b in labels]
        g_fb = np.array([[1.0 * (c == s) for c in GENDER_CATS] for s in SEXES for _ in labels])
        self.gender = _reindex(v.gender, self.strata, g_fb)
        age_cats = v.age.categories
        a_fb = np.array([[1.0 * (c == b) for c in age_cats] for _ in SEXES for b in labels])
        self.age = _reindex(v.age, self.strata, a_fb)
        self.warnings = list(v.warnings)
        self.unsampled: list[str] = []
        self.facetime = np.zeros(len(self.strata))  # the whole set's face-time per stratum, set by tables()

    @property
    def selector(self) -> np.ndarray:
        """(K x 4) per-video corrected totals at the measured shares: women, men face-time; women, men people."""
        k, nb3 = 6 * self.nb, 3 * self.nb
        p = self.gender.point()
        sel = np.zeros((k, 4))
        sel[:nb3, 0], sel[:nb3, 1] = p[:, 0], p[:, 1]
        sel[nb3:, 2], sel[nb3:, 3] = p[:, 0], p[:, 1]
        return sel

    def tables(self, grid: pd.DataFrame, videos: pd.DataFrame, summary: pd.DataFrame, per_video: pd.DataFrame,
               replicates: Replicates | None) -> dict[str, pd.DataFrame]:
        """``corrected`` (scope x measure) and ``corrected_age`` (whole set x bracket)."""
        nb, conf = self.nb, self.options.confidence
        r = self.options.n_bootstrap or 1000
        rng = np.random.default_rng(self.options.seed + 101)
        draws = self.gender.draws(r, rng)
        p = self.gender.point()
        ft = ["facetime_women_s", "facetime_men_s", "facetime_unknown_s"]
        pp = ["people_women", "people_men", "people_unknown"]
        tracked = bool(videos["tracked"].any())

        def weights(df: pd.DataFrame, cols: list[str]) -> np.ndarray:  # (3nb,) in stratum order
            g = df.groupby("bracket")[cols].sum().reindex(range(nb), fill_value=0.0)
            return g.to_numpy(float).T.reshape(-1)

        def per_video_weights(cols: list[str]) -> np.ndarray:  # (V, 3nb), rows in the order of videos
            g = grid.set_index(["vid", "bracket"])[cols].astype(float).fillna(0.0)
            g = g.reindex(pd.MultiIndex.from_product([videos["vid"], range(nb)]), fill_value=0.0)
            return g.to_numpy().reshape(len(videos), nb, 3).transpose(0, 2, 1).reshape(len(videos), 3 * nb)

        measures = [("share_women_facetime", ft, 0)] + ([("share_women_people", pp, 1)] if tracked else [])
        rows = []
        for name, cols, m in measures:
            w = weights(grid, cols)
            if replicates is not None:
                w_rep = replicates.overall[:, m * 3 * nb:(m + 1) * 3 * nb]
            else:
                w_rep = w
            point = float(share_of(corrected_totals(w, p), 0, (0, 1)))
            lo, hi = widen(point, *percentile_interval(share_of(corrected_totals(w_rep, draws), 0, (0, 1)), conf))
            s = summary.iloc[0]
            rows.append({"scope": ALL, "measure": name, "uncorrected": s[name],
                         "uncorrected_ci_low": s.get(f"{name}_ci_low"), "uncorrected_ci_high": s.get(f"{name}_ci_high"),
                         "corrected": point, "ci_low": lo, "ci_high": hi})
            w_videos = per_video_weights(cols)
            for i, video in enumerate(videos["video"]):
                wv = w_videos[i]
                if m == 1 and not bool(videos["tracked"].iloc[i]):
                    continue
                pv = corrected_totals(wv, p)
                dev = corrected_totals(wv, draws) - pv  # validation part
                if replicates is not None:
                    block = replicates.per_video[:, i, 4 + 2 * m: 6 + 2 * m]
                    reps = share(block[:, 0] + dev[:, 0], block[:, 1] + dev[:, 1])
                else:
                    reps = share_of(pv + dev, 0, (0, 1))
                point_v = float(share_of(pv, 0, (0, 1)))
                lo, hi = widen(point_v, *percentile_interval(reps, conf))
                pv_row = per_video.iloc[i]
                rows.append({"scope": video, "measure": name, "uncorrected": pv_row[name],
                             "uncorrected_ci_low": pv_row[f"{name}_ci_low"],
                             "uncorrected_ci_high": pv_row[f"{name}_ci_high"],
                             "corrected": point_v, "ci_low": lo, "ci_high": hi})
        self.facetime = weights(grid, ft)
        sampled = set(self.validation.gender.strata)
        self.unsampled = [s for s, w in zip(self.strata, self.facetime) if w > 0 and s not in sampled]
        if self.unsampled:
            self.warnings.append(
                f"{len(self.unsampled)} stratum(s) of the report are not in the validation sample "
                f"({', '.join(self.unsampled[:6])}{', ...' if len(self.unsampled) > 6 else ''}): their predicted "
                "labels are kept, with a flat prior in the intervals (was the sample drawn from these results?)")
        return {"corrected": pd.DataFrame(rows), "corrected_age": self._age(self.facetime, replicates, rng)}

    def _age(self, w: np.ndarray, replicates: Replicates | None, rng: np.random.Generator) -> pd.DataFrame:
        labels = self.options.age_brackets.labels
        nb, conf = self.nb, self.options.confidence
        r = self.options.n_bootstrap or 1000
        cats = self.age.categories
        known = [cats.index(b) for b in labels]
        point = corrected_totals(w, self.age.point())
        w_rep = replicates.overall[:, :3 * nb] if replicates is not None else w
        reps = corrected_totals(w_rep, self.age.draws(r, rng))
        pred = w.reshape(3, nb).sum(axis=0)[:len(labels)]
        rows = []
        for j, b in enumerate(labels):
            pj = float(share_of(point, known[j], known))
            lo, hi = widen(pj, *percentile_interval(share_of(reps, known[j], known), conf))
            rows.append({"scope": ALL, "age_bracket": b, "uncorrected": pred[j] / pred.sum() if pred.sum() else np.nan,
                         "corrected": pj, "ci_low": lo, "ci_high": hi})
        return pd.DataFrame(rows)

    def html(self, tables: dict[str, pd.DataFrame], max_videos: int) -> str:
        """The report's section (its formatting helpers; the tables as computed by ``tables``)."""
        from ..report.html import _card, _table, ci, pct

        v = self.validation
        conf = f"{self.options.confidence:.0%}"
        c = tables["corrected"]
        n_items = v.labels.answers["sample_id"].nunique()
        parts = ["<section id='corrected'><h2>Corrected for the classifier's errors</h2>",
                 f"<p class='meta'>Validation sample <code>{escape(str(v.folder))}</code>: {n_items} "
                 f"{'faces' if v.unit == 'face' else 'people'} labelled by {len(v.labels.annotators)} "
                 f"annotator{'s' if len(v.labels.annotators) != 1 else ''}, in {int((v.gender.n > 0).sum())} strata "
                 "(predicted gender x age bracket).</p><div class='cards'>"]
        for _, r in c[c["scope"] == ALL].iterrows():
            what = "face-time" if r["measure"].endswith("facetime") else "distinct people"
            parts.append(_card(pct(r["corrected"]), f"women's share of {what}, corrected {ci(r['ci_low'], r['ci_high'])}"
                               f"<br>uncorrected {pct(r['uncorrected'])} "
                               f"{ci(r['uncorrected_ci_low'], r['uncorrected_ci_high'])}", "women"))
        metrics, _ = classifier_agreement(self.gender, [s.split("|")[0] for s in self.strata], self.facetime,
                                          1000, self.options.seed, self.options.confidence)
        m = metrics.set_index("metric")
        for key, label in (("accuracy", "gender accuracy (people's labels)"), ("recall_women", "recall of women"),
                           ("recall_men", "recall of men"), ("not_a_face", "detections that are not faces")):
            parts.append(_card(pct(m.loc[key, "value"]), f"{label} {ci(m.loc[key, 'ci_low'], m.loc[key, 'ci_high'])}"))
        parts.append("</div>")
        warn = list(self.warnings)
        if warn:
            parts.append("<div class='box'><strong>Warnings</strong><ul>"
                         + "".join(f"<li>{escape(w)}</li>" for w in warn) + "</ul></div>")
        age = tables["corrected_age"]
        rows = [[(escape(r["age_bracket"]), "name"), (pct(r["uncorrected"]), ""), (pct(r["corrected"]), ""),
                 (ci(r["ci_low"], r["ci_high"]), "ci")] for _, r in age.iterrows()]
        parts.append("<h3>Age distribution of face-time</h3>"
                     + _table([("age", "name"), ("uncorrected", ""), ("corrected", ""), (f"{conf} interval", "")],
                              rows))
        per = c[(c["scope"] != ALL) & (c["measure"] == "share_women_facetime")].head(max_videos)
        rows = [[(escape(str(r["scope"])), "name"), (pct(r["uncorrected"]), ""),
                 (ci(r["uncorrected_ci_low"], r["uncorrected_ci_high"]), "ci"), (pct(r["corrected"]), ""),
                 (ci(r["ci_low"], r["ci_high"]), "ci")] for _, r in per.iterrows()]
        parts.append("<h3>Women's share of face-time per video</h3>" + _table(
            [("video", "name"), ("uncorrected", ""), (f"{conf} interval", ""), ("corrected", ""),
             (f"{conf} interval", "")], rows))
        parts.append("<p class='meta'>Corrected face-time of women = sum over strata of the stratum's face-time x "
                     "the share of true women among its labelled faces; faces people marked <em>not a face</em> "
                     "or <em>can't tell</em> drop out. The corrected intervals hold the block bootstrap of the "
                     "programmes and the uncertainty of the validation sample (resampled within strata); per "
                     "video, the sample's confusion of the whole set is applied. Tables: "
                     + ", ".join(f"<code>{n}</code>" for n in CSV_NAMES.values()) + ".</p></section>")
        return "".join(parts)
