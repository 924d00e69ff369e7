"""The evaluation's figures, drawn with matplotlib's object API (no pyplot, no global backend).

Each function takes a table of :mod:`.audit` and returns a
:class:`matplotlib.figure.Figure`; :func:`save_png` writes one atomically.
"""

from __future__ import annotations

import os

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from ..atomic import atomic_output
from .groups import AGE_GROUPS
from .reference import PAPER_FAIRFACE_RESOLUTION

COLORS = {"m": "tab:blue", "f": "tab:orange"}


def save_png(fig: Figure, path: str | os.PathLike[str], dpi: int = 120) -> None:
    """Write ``fig`` as PNG at ``path``, through a temporary file renamed when complete."""
    with atomic_output(path) as tmp:
        fig.savefig(tmp, format="png", dpi=dpi, bbox_inches="tight")


def reliability_figure(calibration: pd.DataFrame) -> Figure:
    """Reliability diagram: accuracy per confidence bin against the diagonal, and bin counts."""
    fig = Figure(figsize=(5, 5.5))
    top, bottom = fig.subplots(2, 1, sharex=True, gridspec_kw={"height_ratios": [3, 1]})
    used = calibration[calibration["faces"] > 0]
    width = float((calibration["bin_high"] - calibration["bin_low"]).iloc[0])
    top.bar(used["bin_low"], used["accuracy"], width=width, align="edge", edgecolor="black", alpha=0.7,
            label="accuracy")
    top.plot([0.5, 1], [0.5, 1], "k--", label="perfect calibration")
    top.plot(used["mean_confidence"], used["accuracy"], "o", color="tab:red", label="mean confidence")
    top.set(ylabel="accuracy", ylim=(0, 1.02), title="Gender confidence reliability")
    top.legend(loc="lower right")
    bottom.bar(calibration["bin_low"], calibration["faces"], width=width, align="edge", edgecolor="black")
    bottom.set(xlabel="confidence max(p_m, p_f)", ylabel="faces", xlim=(0.5, 1), yscale="log")
    return fig


def tradeoff_figure(tradeoff: pd.DataFrame) -> Figure:
    """Accuracy of the answered faces against coverage, for each abstention criterion."""
    fig = Figure(figsize=(6, 4.5))
    ax = fig.subplots()
    for criterion, rows in tradeoff.groupby("criterion", sort=False):
        if rows["coverage"].nunique() < 2:
            continue  # e.g. face size on cropped faces that are all the same size
        ax.plot(rows["coverage"], rows["accuracy"], "o-", label=criterion)
        for r in rows.itertuples():
            ax.annotate(f"{r.threshold:g}", (r.coverage, r.accuracy), fontsize=7, xytext=(3, 3),
                        textcoords="offset points")
    ax.set(xlabel="coverage (share of faces answered m or f)", ylabel="gender accuracy of answered faces",
           title="Abstention: accuracy against coverage")
    ax.grid(alpha=0.3)
    ax.legend()
    return fig


def resolution_figure(resolution: pd.DataFrame) -> Figure:
    """Gender accuracy and age errors against face resolution, with the paper's FairFace curve."""
    fig = Figure(figsize=(10, 4))
    left, right = fig.subplots(1, 2)
    paper = PAPER_FAIRFACE_RESOLUTION
    left.plot(resolution["resolution"], resolution["accuracy"], "o-", label="this evaluation")
    left.plot(paper["resolution"], paper["accuracy"], "s--", color="grey", label="paper (FairFace, ResNet50)")
    left.set(xscale="log", xlabel="face resolution (px)", ylabel="gender accuracy", title="Gender")
    right.plot(resolution["resolution"], resolution["age_rmse"], "o-", label="RMSE")
    right.plot(resolution["resolution"], resolution["age_mae"], "^-", label="MAE")
    right.plot(paper["resolution"], paper["age_rmse"], "s--", color="grey", label="paper RMSE (FairFace)")
    right.set(xscale="log", xlabel="face resolution (px)", ylabel="years", title="Age error")
    for ax in (left, right):
        ax.grid(alpha=0.3)
        ax.legend()
    return fig


def categories_figure(categories: pd.DataFrame) -> Figure:
    """Gender accuracy (axis from 0) and age RMSE (when ages are known) of each bias category."""
    keys = [c for c in categories.columns if c in ("gender", "race_group", "age_group")]
    labels = categories[keys].astype(str).agg("\n".join, axis=1)
    x = np.arange(len(categories))
    has_age = bool(categories["age_rmse"].notna().any())
    fig = Figure(figsize=(max(6, 1.1 * len(x)) + 1.5, 6 if has_age else 3.5))
    axes = fig.subplots(2 if has_age else 1, 1, sharex=True, squeeze=False)[:, 0]
    colors = [COLORS.get(g, "grey") for g in categories["gender"].astype(str)]
    axes[0].bar(x, categories["accuracy"], color=colors)
    ages = "adults 20+" if "age_group" in keys else "all ages: no age labels"
    axes[0].set(ylabel="gender accuracy", ylim=(0.0, 1.0), title=f"Bias categories ({ages})")
    axes[0].legend(handles=[Patch(color=c, label={"m": "men", "f": "women"}[g]) for g, c in COLORS.items()],
                   title="true gender", loc="upper left", bbox_to_anchor=(1.01, 1.0))
    if has_age:
        axes[1].bar(x, categories["age_rmse"], color=colors)
        axes[1].set(ylabel="age RMSE (years)")
    axes[-1].set(xticks=x, xticklabels=labels)
    return fig


def age_figure(faces: pd.DataFrame) -> Figure:
    """Estimated against true age, by gender; and gender accuracy per age group."""
    fig = Figure(figsize=(10, 4.5))
    left, right = fig.subplots(1, 2)
    for gender, rows in faces.groupby(faces["gender"].astype("object"), sort=False):
        left.scatter(rows["age"], rows["age_label"], s=6, alpha=0.4, color=COLORS.get(gender), label=gender)
    top = float(np.nanmax(faces[["age", "age_label"]].to_numpy(float), initial=1.0))
    left.plot([0, top], [0, top], "k--", lw=1)
    left.set(xlabel="true age", ylabel="estimated age", title="Age")
    left.legend(title="gender")
    answered = faces[faces["sex_label"].isin(["m", "f"]) & faces["gender"].notna()]
    correct = answered["sex_label"].to_numpy() == answered["gender"].astype("object").to_numpy()
    by_group = pd.Series(correct).groupby(answered["age_group"].to_numpy()).mean().reindex(AGE_GROUPS)
    right.bar(range(len(AGE_GROUPS)), by_group.to_numpy(), color="tab:green")
    right.set(xticks=range(len(AGE_GROUPS)), xticklabels=AGE_GROUPS, ylim=(0, 1), xlabel="age group",
              ylabel="gender accuracy", title="Gender accuracy by age group")
    return fig
