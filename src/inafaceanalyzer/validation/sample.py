"""``draw_sample``: results in, a validation sample folder out.

The folder holds ``sample.csv`` (one row per sampled item), ``strata.csv`` (the strata:
population size and face-time, items drawn, inclusion probability), ``population.csv``
(items and face-time per scope x stratum, for the correction), ``sample.json`` (the
settings) and ``annotate.html``.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .._version import __version__
from ..atomic import atomic_output
from ..errors import MediaError, OutputError, ValidationError
from ..results.columns import parse_bbox
from ..report.inputs import InputProblem, StageHook
from ..report.options import AgeBrackets
from . import sampling
from .page import PageItem, render_page
from .population import load_population
from .thumbnails import Shot, thumbnails

SAMPLE_CSV, STRATA_CSV, POPULATION_CSV, SAMPLE_JSON, PAGE_HTML = (
    "sample.csv", "strata.csv", "population.csv", "sample.json", "annotate.html")
UNITS = ("face", "person")


@dataclass(frozen=True)
class SampleOptions:
    """``n`` items, ``unit`` (``face`` or ``person``: tracks), ``seed``, ``age_brackets``,
    ``fps`` (results without sidecar), ``thumbnail_px`` (height), ``frames_per_person``."""

    n: int = 400
    unit: str = "face"
    seed: int = 0
    age_brackets: AgeBrackets = field(default_factory=AgeBrackets)
    fps: float | None = None
    thumbnail_px: int = 200
    frames_per_person: int = 5
    thumbnails: bool = True

    def __post_init__(self) -> None:
        if self.n < 1:
            raise ValueError(f"n must be at least 1, got {self.n}")
        if self.unit not in UNITS:
            raise ValueError(f"unit must be one of {', '.join(UNITS)}, got {self.unit!r}")
        if not 3 <= self.frames_per_person <= 5:
            raise ValueError("frames_per_person must be 3 to 5")
        if self.thumbnail_px < 32:
            raise ValueError("thumbnail_px must be at least 32")


@dataclass
class SampleResult:
    outdir: Path
    sample: pd.DataFrame
    strata: pd.DataFrame
    files: list[Path]
    problems: list[InputProblem]
    warnings: list[str]


def _shots(units: pd.DataFrame, faces: pd.DataFrame, sources: dict[int, str], picked: np.ndarray, unit: str,
           per_person: int) -> list[list]:
    out = []
    for i in picked:
        u = units.iloc[int(i)]
        rows = [int(i)] if unit == "face" else list(u["rows"])
        if unit == "person" and len(rows) > per_person:
            rows = [rows[int(round(k))] for k in np.linspace(0, len(rows) - 1, per_person)]
        shots = []
        for r in rows:
            f = faces.iloc[r]
            photo = np.isnan(f["time"])
            src = f["frame"] if photo else sources[int(f["vid"])]
            if src:
                try:
                    shots.append(Shot(str(src), float("nan") if photo else float(f["time"]), parse_bbox(f["bbox"])))
                except ValueError:
                    pass
        out.append(shots)
    return out


def draw_sample(inputs: Iterable[str | os.PathLike[str]], outdir: str | os.PathLike[str],
                options: SampleOptions | None = None, *, progress: StageHook | None = None,
                on_problem: Callable[[InputProblem], None] | None = None) -> SampleResult:
    """Draw a stratified sample of the results' faces (or people), cut their thumbnails and
    write the sample folder. Sources that cannot be read leave their items without picture
    (reported to ``on_problem``). Raises ``ValidationError`` when there is nothing to sample."""
    options = options or SampleOptions()
    out = Path(outdir)
    pop = load_population(inputs, options.age_brackets, options.fps,
                          None if progress is None else (lambda d, t: progress("read", d, t)))
    problems = list(pop.problems)
    if on_problem is not None:
        for p in problems:
            on_problem(p)
    if pop.faces.empty:
        raise ValidationError("no face rows in the inputs: nothing to sample")
    try:
        units = pop.units(options.unit)
    except ValueError as exc:
        raise ValidationError(str(exc)) from exc
    d = sampling.draw(units, pop.brackets, options.n, options.seed)
    labels = pop.brackets.all_labels
    chosen = pop.with_files(units.iloc[d.picked])
    keys = sampling.stratum_keys(chosen, pop.brackets).to_numpy()
    prob = d.strata.set_index("stratum")["inclusion_prob"]
    digest = hashlib.sha256(json.dumps([options.seed, options.unit, pop.videos["video"].head(50).tolist(),
                                        len(units)]).encode()).hexdigest()[:8]
    sample = pd.DataFrame({
        "sample_id": [f"{digest}-{k:04d}" for k in range(len(chosen))],
        "unit": options.unit, "video": chosen["video"].to_numpy(), "results_file": chosen["results_file"].to_numpy(),
        "source": [s or fr for s, fr in zip(chosen["source"], chosen["frame"])],
        "frame": chosen["frame"].to_numpy(), "time": chosen["time"].to_numpy(), "bbox": chosen["bbox"].to_numpy(),
        "face_id": chosen["face_id"].astype("Int64").to_numpy(), "pred_gender": chosen["sex"].to_numpy(),
        "pred_age": chosen["age"].to_numpy(), "pred_age_bracket": [labels[b] for b in chosen["bracket"]],
        "stratum": keys, "weight": chosen["weight"].to_numpy(),
        "inclusion_prob": prob.reindex(keys).to_numpy(), "inclusion_weight": 1.0 / prob.reindex(keys).to_numpy()})
    sources = dict(zip(pop.videos["vid"], pop.videos["source"]))
    shots = _shots(units, pop.faces, sources, d.picked, options.unit, options.frames_per_person)
    images: list[bytes | None] = [None] * len(sample)
    if options.thumbnails:
        def failed(exc: MediaError) -> None:
            problems.append(InputProblem(str(exc.source), exc.reason))
            if on_problem is not None:
                on_problem(problems[-1])

        images = thumbnails(shots, options.thumbnail_px, on_error=failed,
                            progress=None if progress is None else (lambda dn, t: progress("thumbnails", dn, t)))
    sample["thumbnail"] = [im is not None for im in images]
    items = [PageItem(sid, im, f"{g}, {b}", f"{v} @ {t:.1f} s" if not np.isnan(t) else str(src))
             for sid, im, g, b, v, t, src in zip(sample["sample_id"], images, sample["pred_gender"],
                                                 sample["pred_age_bracket"], sample["video"], sample["time"],
                                                 sample["source"])]
    page = render_page(items, pop.brackets.labels, digest, f"Validation sample {digest} ({len(sample)} items)")
    meta = {"format": "inaFaceAnalyzer-validation/1", "version": __version__, "sample": digest,
            **{k: v for k, v in asdict(options).items() if k != "age_brackets"},
            "age_brackets": list(pop.brackets.bounds), "items_in_population": int(len(units))}
    population = sampling.population_strata(units, dict(zip(pop.videos["vid"], pop.videos["video"])), pop.brackets)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{out}: cannot create the output folder: {exc.strerror or exc}") from exc
    written = []
    for name, write in ((SAMPLE_CSV, lambda p: sample.to_csv(p, index=False)),
                        (STRATA_CSV, lambda p: d.strata.to_csv(p, index=False)),
                        (POPULATION_CSV, lambda p: population.to_csv(p, index=False)),
                        (SAMPLE_JSON, lambda p: p.write_text(json.dumps(meta, indent=1), encoding="utf-8")),
                        (PAGE_HTML, lambda p: p.write_text(page, encoding="utf-8"))):
        with atomic_output(out / name) as tmp:
            write(tmp)
        written.append(out / name)
    return SampleResult(out, sample, d.strata, written, problems, pop.warnings)
