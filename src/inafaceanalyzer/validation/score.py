"""``score_sample``: a labelled validation sample in, agreement and corrected estimates out.

``load_validation`` reads a sample folder and its labels files into what both ``score_sample``
and the report's corrected section need: the measured true-gender and true-age shares per
stratum. ``score_sample`` writes, into the sample folder (or ``outdir``):

- ``agreement.csv``: accuracy, recall per true gender, abstentions, not-a-face rate, age-bracket
  accuracy (population figures with intervals);
- ``confusion.csv``: ``P(true | predicted)`` gender, ``x`` = not a face;
- ``strata_agreement.csv``: labelled items and measured true shares per stratum;
- ``annotators.csv`` and ``disagreements.csv``: agreement between people;
- ``corrected.csv``: share of women (face-time, and people for a person sample) per scope
  (the set, each video), uncorrected and corrected with its interval;
- ``corrected_age.csv``: the age-bracket distribution, uncorrected and corrected.

Intervals here hold the uncertainty of the validation sample only: the analysed material is
taken as the whole population (a photo collection, a set of programmes). The report's
``--validation`` adds the block bootstrap of programmes.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..atomic import atomic_output
from ..errors import ValidationError
from ..report.inputs import InputProblem
from ..report.options import ALL, AgeBrackets
from .agreement import GENDER_CATS, annotator_agreement, classifier_agreement, per_stratum
from .correction import MIN_LABELS, StratumShares, corrected_share, corrected_totals, share_of, widen
from .labels import NO_AGE, Labels, read_labels
from .sample import POPULATION_CSV, SAMPLE_CSV, SAMPLE_JSON, STRATA_CSV

SCORE_NAMES = {"agreement": "agreement.csv", "confusion": "confusion.csv", "strata": "strata_agreement.csv",
               "annotators": "annotators.csv", "disagreements": "disagreements.csv", "corrected": "corrected.csv",
               "corrected_age": "corrected_age.csv"}


@dataclass
class Validation:
    """A sample folder with its labels: per-stratum measured shares of true gender and age."""

    folder: Path
    meta: dict
    sample: pd.DataFrame
    strata: pd.DataFrame
    population: pd.DataFrame
    labels: Labels
    gender: StratumShares
    age: StratumShares
    brackets: AgeBrackets
    warnings: list[str] = field(default_factory=list)

    @property
    def unit(self) -> str:
        return str(self.meta.get("unit", "face"))

    @property
    def age_categories(self) -> list[str]:
        return self.age.categories

    def stratum_weights(self, scope: str, column: str = "weight") -> np.ndarray:
        """(H,) the scope's population weight (``weight``) or items (``items``) per stratum."""
        pop = self.population[self.population["scope"] == scope].set_index("stratum")[column]
        return pop.reindex(self.gender.strata, fill_value=0.0).to_numpy(float)


def _find_sample(paths: Sequence[Path]) -> tuple[Path, list[Path]]:
    """The sample folder and the labels files among ``paths`` (folders: their ``labels*.csv``)."""
    folder, labels = None, []
    for p in paths:
        if p.is_dir():
            folder = folder or p
            labels += sorted(p.glob("labels*.csv"))
        elif p.name == SAMPLE_CSV:
            folder = folder or p.parent
        else:
            labels.append(p)
    if folder is None:
        for p in labels:
            if (p.parent / SAMPLE_CSV).is_file():
                folder = p.parent
                break
    if folder is None:
        raise ValidationError("no sample folder: give the folder written by 'ina_face_analyzer_validate sample' "
                              f"(with {SAMPLE_CSV}) or keep the labels files in it")
    return folder, labels


def load_validation(paths: Iterable[str | os.PathLike[str]],
                    on_problem: Callable[[InputProblem], None] | None = None) -> Validation:
    """Read a sample folder and labels files (given as folders, ``sample.csv`` or labels CSV)."""
    folder, label_paths = _find_sample([Path(p).expanduser() for p in paths])
    try:
        meta = json.loads((folder / SAMPLE_JSON).read_text(encoding="utf-8"))
        sample = pd.read_csv(folder / SAMPLE_CSV, dtype={"sample_id": str, "frame": str, "bbox": str})
        strata = pd.read_csv(folder / STRATA_CSV, dtype={"stratum": str})
        population = pd.read_csv(folder / POPULATION_CSV, dtype={"scope": str, "stratum": str})
    except (OSError, ValueError) as exc:
        raise ValidationError(f"{folder}: not a readable validation sample ({exc})") from exc
    brackets = AgeBrackets(tuple(meta.get("age_brackets", AgeBrackets().bounds)))
    if not label_paths:
        raise ValidationError(f"{folder}: no labels file given (labels.csv saved from annotate.html)")
    labels = read_labels(label_paths, sample["sample_id"].tolist(), brackets.labels)
    if on_problem is not None:
        for p in labels.problems:
            on_problem(p)
    if labels.answers.empty:
        raise ValidationError("no usable labels in " + ", ".join(str(p) for p in label_paths))
    names = strata["stratum"].tolist()
    ids = sample["sample_id"].tolist()
    weight = sample["weight"].to_numpy(float) if meta.get("unit") != "person" else np.ones(len(sample))
    pred_sex = [s.split("|", 1)[0] for s in names]
    pred_br = [s.split("|", 1)[1] for s in names]
    g_fallback = np.array([[1.0 * (c == (p if p in "fm" else "u")) for c in GENDER_CATS] for p in pred_sex])
    gender = StratumShares.measure(names, sample["stratum"].to_numpy(), weight,
                                   labels.consensus(ids, GENDER_CATS, "gender"), GENDER_CATS, g_fallback)
    age_cats = [*brackets.labels, NO_AGE, "x"]
    a_fallback = np.array([[1.0 * (c == b) for c in age_cats] for b in pred_br])
    age = StratumShares.measure(names, sample["stratum"].to_numpy(), weight,
                                labels.consensus(ids, age_cats, "age_bracket"), age_cats, a_fallback)
    warnings = []
    thin = gender.thin()
    if thin:
        warnings.append(f"{len(thin)} stratum(s) with fewer than {MIN_LABELS} labelled items ({', '.join(thin[:6])}"
                        f"{', ...' if len(thin) > 6 else ''}): their correction is uncertain (wide intervals); "
                        "label more items")
    return Validation(folder, meta, sample, strata, population, labels, gender, age, brackets, warnings)


def uncorrected_share(v: Validation, weights: np.ndarray) -> float:
    pred = np.array([s.split("|", 1)[0] for s in v.gender.strata])
    f, m = weights[pred == "f"].sum(), weights[pred == "m"].sum()
    return float(f / (f + m)) if f + m > 0 else float("nan")


def corrected_table(v: Validation, n_replicates: int = 1000, seed: int = 0, confidence: float = 0.95) -> pd.DataFrame:
    """Share of women per scope, uncorrected and corrected (validation-sample uncertainty)."""
    photos = v.sample["time"].isna().all()
    measures = [("share_women_facetime" if not photos else "share_women_faces", "weight")]
    if v.unit == "person":
        measures.append(("share_women_people", "items"))
    rows = []
    scopes = [ALL, *sorted(s for s in v.population["scope"].unique() if s != ALL)]
    for scope in scopes:
        for measure, column in measures:
            w = v.stratum_weights(scope, column)
            est = corrected_share(w, v.gender, 0, (0, 1), n_replicates, seed, confidence)
            rows.append({"scope": scope, "measure": measure, "uncorrected": uncorrected_share(v, w),
                         "corrected": est.point, "ci_low": est.low, "ci_high": est.high})
    return pd.DataFrame(rows)


def corrected_age_table(v: Validation, n_replicates: int = 1000, seed: int = 0,
                        confidence: float = 0.95) -> pd.DataFrame:
    """Age-bracket distribution of the set (share of faces with a known age), uncorrected and corrected."""
    from ..report.bootstrap import percentile_interval

    labels = v.brackets.labels
    w = v.stratum_weights(ALL, "items" if v.unit == "person" else "weight")
    pred_br = np.array([s.split("|", 1)[1] for s in v.age.strata])
    known = [j for j, c in enumerate(v.age.categories) if c in labels]
    point = corrected_totals(w, v.age.point())
    reps = corrected_totals(w, v.age.draws(n_replicates, np.random.default_rng(seed + 1)))
    rows = []
    pred_known = w[np.isin(pred_br, labels)].sum()
    for j, b in enumerate(labels):
        point_j = float(share_of(point, j, known))
        lo, hi = widen(point_j, *percentile_interval(share_of(reps, j, known), confidence))
        rows.append({"scope": ALL, "age_bracket": b,
                     "uncorrected": float(w[pred_br == b].sum() / pred_known) if pred_known else float("nan"),
                     "corrected": point_j, "ci_low": lo, "ci_high": hi})
    return pd.DataFrame(rows)


@dataclass
class ScoreResult:
    validation: Validation
    tables: dict[str, pd.DataFrame]
    files: list[Path]
    warnings: list[str]


def score_sample(paths: Iterable[str | os.PathLike[str]], outdir: str | os.PathLike[str] | None = None, *,
                 n_replicates: int = 2000, seed: int = 0, confidence: float = 0.95,
                 on_problem: Callable[[InputProblem], None] | None = None) -> ScoreResult:
    """Score the classifier against the labels and correct its estimates; write the tables."""
    v = load_validation(paths, on_problem)
    pred_sex = [s.split("|", 1)[0] for s in v.gender.strata]
    metrics, confusion = classifier_agreement(v.gender, pred_sex, v.stratum_weights(ALL), n_replicates, seed,
                                              confidence)
    strata = per_stratum(v.gender, confidence)
    strata.insert(1, "population_items", v.stratum_weights(ALL, "items"))
    annot, disagree = annotator_agreement(v.labels.answers)
    tables = {"agreement": metrics, "confusion": confusion, "strata": strata, "annotators": annot,
              "disagreements": disagree, "corrected": corrected_table(v, n_replicates, seed, confidence),
              "corrected_age": corrected_age_table(v, n_replicates, seed, confidence)}
    out = Path(outdir) if outdir is not None else v.folder
    out.mkdir(parents=True, exist_ok=True)
    files = []
    for key, name in SCORE_NAMES.items():
        with atomic_output(out / name) as tmp:
            tables[key].round(6).to_csv(tmp, index=False)
        files.append(out / name)
    return ScoreResult(v, tables, files, list(v.warnings))
