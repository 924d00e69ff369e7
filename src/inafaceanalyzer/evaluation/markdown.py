"""The evaluation report as Markdown: every table, what it means, and the figures."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from .._version import __version__
from .audit import Evaluation
from .reference import PAPER, PAPER_UTKFACE

# How each column is shown: ratios as percentages, years with 2 decimals.
FORMATS = {
    "coverage": "{:.1%}", "accuracy": "{:.1%}", "mean_confidence": "{:.3f}", "gap": "{:+.3f}",
    "bin_low": "{:.2f}", "bin_high": "{:.2f}", "threshold": "{:g}",
    "age_mae": "{:.2f}", "age_rmse": "{:.2f}", "age_mean_error": "{:+.2f}",
    "all_faces": "{:.2f}", "adults_20plus": "{:.2f}", "category_mean": "{:.2f}",
    "gender_bias": "{:+.2f}", "racial_bias": "{:+.2f}", "age_bias": "{:+.2f}",
    "value": "{:.1f}",
}
MISSING = "–"


def _cell(value: object, fmt: str | None) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return MISSING
    if isinstance(value, (bool, np.bool_)):
        return str(value)
    if isinstance(value, (int, np.integer)):
        return str(value)
    if fmt is not None:
        return fmt.format(value)
    if isinstance(value, (float, np.floating)):
        return f"{value:.4g}"
    return str(value).replace("|", "\\|")


def markdown_table(df: pd.DataFrame, formats: Mapping[str, str] = FORMATS) -> str:
    """``df`` as a Markdown table; numbers formatted by column (see :data:`FORMATS`)."""
    header = "| " + " | ".join(str(c) for c in df.columns) + " |"
    align = "| " + " | ".join("---:" if pd.api.types.is_numeric_dtype(df[c]) else "---" for c in df.columns) + " |"
    lines = [header, align]
    for row in df.itertuples(index=False):
        lines.append("| " + " | ".join(_cell(v, formats.get(c)) for c, v in zip(df.columns, row, strict=True)) + " |")
    return "\n".join(lines)


def paper_style(ev: Evaluation, metric: str, population: str = "adults_20plus") -> str:
    """``value / gender bias / racial bias / age bias`` of one paper-table row, as the paper prints it."""
    row = ev.paper.set_index("metric").loc[metric]
    return " / ".join(_cell(row[c], "{:.1f}") for c in (population, "gender_bias", "racial_bias", "age_bias"))


def _image(figures: Mapping[str, str], key: str) -> str:
    return f"\n\n![{key}]({figures[key]})" if key in figures else ""


def render_report(ev: Evaluation, figures: Mapping[str, str] | None = None) -> str:
    """The whole report; ``figures`` maps figure names to their file names (relative links)."""
    figures = figures or {}
    cfg = ev.config
    rule = cfg.abstention
    counts = pd.DataFrame(list(ev.counts.items()), columns=["", "count"])
    by_age_gender = ev.groups[ev.groups["grouping"] == "age group x gender"]
    population = "adults_20plus" if ev.has_age else "all_faces"
    choice = f" Among several detected faces, the `{cfg.face_choice}` one is the labelled one." \
        if cfg.faces != "cropped" else ""
    parts = [
        f"# Evaluation of inaFaceAnalyzer {__version__} on `{ev.source}`",
        f"Faces: `{cfg.faces}`.{choice} Abstention: faces under {rule.min_face_size:g} px or with a gender "
        f"confidence under {rule.min_gender_confidence:g} get `u` "
        f"({'active' if rule.active else 'inactive: every face gets m or f'}). "
        "Gender accuracy is computed on the faces answered `m` or `f`; coverage is the share answered.",
        markdown_table(counts),
        "## Summary, as in the original paper",
        "Each metric on all classified faces, on the faces of the bias categories (adults 20+ of known "
        "gender and race), and its mean over those categories. A bias is the mean, over the pairs of "
        "categories equal in the two other factors, of the metric's difference: gender = men - women, "
        "racial = white - non-white, age = 20-49 - 50+. Positive accuracy bias: more accurate for men, "
        "white people, adults under 50; positive RMSE/MAE bias: larger errors for them.",
        *_factors_left_out(ev),
        markdown_table(ev.paper),
        f"Measured here, paper style ({'adults 20+' if ev.has_age else 'all faces'}): gender accuracy / biases "
        f"**{paper_style(ev, 'gender accuracy (%)', population)}**; "
        f"age RMSE / biases **{paper_style(ev, 'age RMSE (years)', population)}**.",
        f"Reference: the original paper's UTKFace figures ({PAPER}; another model, another data set, "
        "not measured here):",
        markdown_table(PAPER_UTKFACE),
        f"## The bias categories: {_categories_title(ev)}",
        markdown_table(ev.categories) + _image(figures, "categories"),
        "## Groups",
        "Children and teenagers are apart from the bias categories.",
        markdown_table(ev.groups[ev.groups["grouping"] != "age group x gender"]),
        "## Children and teenagers",
        _children_text(by_age_gender, ev.has_age),
        (markdown_table(by_age_gender) if ev.has_age else "") + _image(figures, "age"),
        "## Confusion (rows: true gender; columns: label given)",
        markdown_table(ev.confusion),
        "## Calibration of the gender confidence",
        f"Confidence = max(p_m, p_f) = sigmoid(|sex_decfunc|). Expected calibration error: "
        f"{_cell(ev.calibration_error, '{:.3f}')} (gap < 0: over-confident). On these faces the confidence "
        f"would be calibrated as sigmoid(|sex_decfunc| / T) with T = {_cell(ev.temperature, '{:.2f}')} "
        f"(ECE {_cell(ev.calibrated_error, '{:.3f}')}, measured on the faces T was fitted on). Labels do not "
        "depend on it; choose `--min_gender_confidence` from the observed accuracy in the abstention table.",
        markdown_table(ev.calibration) + _image(figures, "calibration"),
        "## Abstention: accuracy against coverage",
        "Each row applies one threshold alone (`--min_gender_confidence` or `--min_face_size`) to the "
        "labels given without abstention.",
        markdown_table(ev.tradeoff) + _image(figures, "abstention"),
    ]
    if not ev.resolution.empty:
        parts += [
            "## Resolution",
            "Each face downscaled to N pixels (area averaging) and upscaled back (bilinear) in its image, then "
            "classified with its full-resolution box. N is the side of the whole image for cropped faces, of the "
            "`bbox` for detected ones (degraded with their surroundings); `degraded` counts the faces larger "
            "than N (the others are left as they are). Abstention is not applied.",
            markdown_table(ev.resolution) + _image(figures, "resolution"),
        ]
    if ev.unrecognized_races:
        parts += ["## Race labels not recognised",
                  "Left out of the racial factor (white / non-white); known spellings are listed in the "
                  "documentation (docs/evaluation.md).",
                  markdown_table(pd.DataFrame(list(ev.unrecognized_races.items()), columns=["race", "faces"]))]
    if ev.problems:
        parts += ["## Label entries skipped", "\n".join(f"- {p}" for p in ev.problems)]
    missing = ev.predictions[ev.predictions["status"] != "ok"]
    if len(missing):
        parts += ["## Faces not evaluated", markdown_table(missing[["path", "status"]])]
    return "\n\n".join(parts) + "\n"


def _factors_left_out(ev: Evaluation) -> list[str]:
    """A sentence per bias factor the data set does not allow."""
    lines = []
    if not ev.has_age:
        lines.append("**No age labels: the age factor is left out.** The categories are gender x race over faces "
                     "of unknown age (children included, if any), `adults_20plus` is empty and age errors are "
                     "not measured.")
    if ev.categories.get("race_group") is None:
        lines.append("**No (recognised) race labels: the racial factor is left out.**")
    return lines


def _categories_title(ev: Evaluation) -> str:
    names = {"gender": "gender", "race_group": "race", "age_group": "age"}
    factors = " x ".join(names[c] for c in ev.categories.columns if c in names)
    return f"{factors} ({'adults 20+' if ev.has_age else 'all ages: no age labels'})"


def _children_group(row: pd.Series, name: str) -> str:
    """``"66.7% of girls (3 answered)"``, or ``"no girls (all 5 answered u)"`` where the rule abstained on all."""
    if not row["answered"]:
        return f"no {name} (all {row['faces']} answered u)"
    return f"{_cell(row['accuracy'], '{:.1%}')} of {name} ({row['answered']} answered)"


def _children_text(by_age_gender: pd.DataFrame, has_age: bool) -> str:
    """What was measured on this run's children, or why nothing was."""
    if not has_age:
        return "No age labels: children and teenagers cannot be told apart from adults here."
    under13 = by_age_gender[by_age_gender["group"].str.startswith("<13")].set_index("group")
    measured = [_children_group(under13.loc[f"<13 / {g}"], name)
                for g, name in (("m", "boys"), ("f", "girls")) if f"<13 / {g}" in under13.index]
    found = (f"Measured here, under 13, gender labels were right for {' and '.join(measured)}."
             if under13["faces"].sum() else "There are no labelled children under 13 here.")
    return (f"{found} Children and teenagers are kept out of the bias categories (reference: on the UTKFace "
            "dev set the model was close to a coin toss for boys under 13, and teenagers were in between). "
            "Do not read gender counts of children as measured; report them apart, or abstain.")
