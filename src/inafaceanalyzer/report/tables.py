"""Final report tables (small pandas frames) from the grouped SQL results and the bootstrap."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .bootstrap import Replicates, block_bootstrap, percentile_interval, share, stats_matrix
from .options import ALL, ReportOptions

SEX_NAMES = {"f": "women", "m": "men", "u": "unknown"}
SEX_INDEX = {"f": 0, "m": 1, "u": 2}


@dataclass
class ReportTables:
    """Everything the report says, as tables (also written as CSV)."""

    summary: pd.DataFrame  # one row: the whole set
    videos: pd.DataFrame  # one row per video
    age: pd.DataFrame  # scope (ALL or a video) x age bracket
    timeline: pd.DataFrame  # scope (ALL or a video) x time bin
    faces_per_frame: pd.DataFrame  # scope x number of faces in a frame
    people: pd.DataFrame  # one row per tracked person
    bin_s: float
    brackets: list[str]


def _pos(videos: pd.DataFrame) -> dict[int, int]:
    return {int(v): i for i, v in enumerate(videos["vid"])}


def run_bootstrap(videos: pd.DataFrame, blocks: pd.DataFrame, persons: pd.DataFrame, options: ReportOptions,
                  progress: Callable[[int, int], None] | None = None,
                  extra_selector: np.ndarray | None = None) -> Replicates | None:
    """Replicates of face-time and people per gender x age bracket (whole set) and per video.

    ``extra_selector`` (K x J'): more per-video quantities, appended after the four of the
    report (the validation's corrected totals); the replicates of the others are unchanged."""
    if options.n_bootstrap == 0 or videos.empty:
        return None
    nb = len(options.age_brackets.all_labels)
    pos = _pos(videos)
    n_blocks = videos["n_blocks"].to_numpy()
    k = 2 * 3 * nb  # face-time then people, each sex x bracket
    parts = []
    for frame, value, base in ((blocks, "facetime_s", 0), (persons, None, 3 * nb)):
        if len(frame):
            parts.append((frame["vid"].map(pos).to_numpy(), frame["blk"].to_numpy(),
                          base + frame["sex"].map(SEX_INDEX).to_numpy() * nb + frame["bracket"].to_numpy(),
                          frame[value].to_numpy() if value else np.ones(len(frame))))
    if parts:
        videos, blks, columns, values = (np.concatenate(c) for c in zip(*parts))
        stats = stats_matrix(n_blocks, videos, blks, columns, values, n_columns=k)
    else:
        stats = np.zeros((int(n_blocks.sum()), k))
    selector = np.zeros((k, 4))  # per video: women/men face-time, women/men people
    for j, (base, s) in enumerate(((0, 0), (0, 1), (3 * nb, 0), (3 * nb, 1))):
        selector[base + s * nb: base + (s + 1) * nb, j] = 1
    if extra_selector is not None:
        selector = np.hstack([selector, extra_selector])
    return block_bootstrap(stats, n_blocks, selector, options.n_bootstrap, options.seed, progress)


FT = ["facetime_women_s", "facetime_men_s", "facetime_unknown_s"]
PP = ["people_women", "people_men", "people_unknown"]
CHILD = "facetime_unknown_child_s"  # of the unknown: the 'u' answered because the face looks like a child


def _shares(df: pd.DataFrame) -> pd.DataFrame:
    """Add women's shares of face-time and of people (women / (women + men))."""
    df["share_women_facetime"] = share(df["facetime_women_s"].to_numpy(float), df["facetime_men_s"].to_numpy(float))
    if "people_women" in df:
        df["share_women_people"] = share(df["people_women"].to_numpy(float), df["people_men"].to_numpy(float))
    return df


def summarise(
    videos: pd.DataFrame,
    grid: pd.DataFrame,
    persons: pd.DataFrame,
    fpf: pd.DataFrame,
    timeline: pd.DataFrame,
    replicates: Replicates | None,
    options: ReportOptions,
    bin_s: float,
) -> ReportTables:
    """The report's tables from the per video x bracket grid (``aggregate.age_grid``), the people,
    faces-per-frame and timeline grids, and the bootstrap replicates."""
    labels = options.age_brackets.all_labels
    nb = len(labels)
    conf = options.confidence
    v = videos.set_index("vid")
    names = v["video"]
    is_tracked = v["tracked"].astype(bool)
    grid = grid.copy()
    grid[PP] = grid[PP].astype(float)  # NULL (untracked) -> NaN

    # ---- per video -------------------------------------------------------------------
    sums = grid.groupby("vid")[FT + [CHILD, "faces"]].sum().reindex(v.index, fill_value=0)
    ppl = grid.groupby("vid")[PP].sum(min_count=1).reindex(v.index)
    with_faces = fpf[fpf["n_faces"] > 0].groupby("vid")["frames"].sum().reindex(v.index, fill_value=0)
    frames = v["frames_analysed"].astype(float)
    per = pd.DataFrame({
        "video": names, "source": v["source"], "results_file": v["results_file"], "engine": v["engine"],
        "counting": np.where(is_tracked, "people tracked (face_id), " + v["labels"] + " labels",
                             "faces, per-face labels (people not available)"),
        "sampling": v["sampling"], "frame_interval_s": v["interval_s"],
        "frames_analysed": v["frames_analysed"], "frames_estimated": v["frames_estimated"],
        "analysed_s": v["analysed_s"], "faces": sums["faces"], "frames_with_faces": with_faces,
        "mean_faces_per_frame": (sums["faces"] / frames.where(frames > 0)),
        "facetime_s": sums[FT].sum(axis=1), **{c: sums[c] for c in FT}, CHILD: sums[CHILD],
    })
    per["people"] = ppl.sum(axis=1, min_count=1)
    for c in PP:
        per[c] = ppl[c]
    per = _shares(per)
    per["bootstrap_blocks"] = v["n_blocks"]
    for c in ("share_women_facetime", "share_women_people"):
        per[f"{c}_ci_low"] = per[f"{c}_ci_high"] = np.nan
    if replicates is not None:
        rep = replicates.per_video
        few = (per["bootstrap_blocks"] < 2).to_numpy()  # one block: no variation to resample
        for name, j, extra in (("facetime", 0, few), ("people", 2, few | ~is_tracked.to_numpy())):
            lo, hi = percentile_interval(share(rep[:, :, j], rep[:, :, j + 1]), conf)
            per[f"share_women_{name}_ci_low"] = np.where(extra, np.nan, lo)
            per[f"share_women_{name}_ci_high"] = np.where(extra, np.nan, hi)
    per = per.reset_index(drop=True)[[
        "video", "source", "results_file", "engine", "counting", "sampling", "frame_interval_s",
        "frames_analysed", "frames_estimated", "analysed_s", "faces", "frames_with_faces",
        "mean_faces_per_frame", "facetime_s", *FT, CHILD,
        "share_women_facetime", "share_women_facetime_ci_low", "share_women_facetime_ci_high",
        "people", *PP, "share_women_people", "share_women_people_ci_low", "share_women_people_ci_high",
        "bootstrap_blocks"]]

    # ---- whole set -------------------------------------------------------------------
    n_tracked = int(is_tracked.sum())
    summary: dict[str, object] = {"videos": len(per), "videos_tracked": n_tracked}
    for c in ("analysed_s", "faces", "frames_analysed", "frames_with_faces", "facetime_s", *FT, CHILD):
        summary[c] = per[c].sum()
    summary["mean_faces_per_frame"] = (summary["faces"] / summary["frames_analysed"]  # type: ignore[operator]
                                       if summary["frames_analysed"] else np.nan)
    for c in ("people", *PP):
        summary[c] = per[c].sum(min_count=1)
    summary_df = _shares(pd.DataFrame([summary]))
    for c in ("share_women_facetime", "share_women_people", *FT):
        summary_df[f"{c}_ci_low"] = summary_df[f"{c}_ci_high"] = np.nan
    bracket_ci = None
    # Videos of a single block add the same totals to every replicate: a set of such videos
    # only would get zero-width intervals, which say nothing. It gets none, as they do.
    varies = (per["bootstrap_blocks"] >= 2).to_numpy()
    people_vary = bool((varies & is_tracked.to_numpy()).any())
    if replicates is not None and varies.any():
        o = replicates.overall

        def by_sex(base: int, sex: int) -> np.ndarray:  # replicate totals of one sex, all brackets
            return o[:, base + sex * nb: base + (sex + 1) * nb].sum(axis=1)

        for name, base in (("facetime", 0), ("people", 3 * nb)):
            if name == "people" and not people_vary:
                continue
            lo, hi = percentile_interval(share(by_sex(base, 0), by_sex(base, 1)), conf)
            summary_df[f"share_women_{name}_ci_low"], summary_df[f"share_women_{name}_ci_high"] = float(lo), float(hi)
        for sex, c in enumerate(FT):
            lo, hi = percentile_interval(by_sex(0, sex), conf)
            summary_df[f"{c}_ci_low"], summary_df[f"{c}_ci_high"] = float(lo), float(hi)
        bracket_ci = [percentile_interval(share(o[:, base: base + nb], o[:, base + nb: base + 2 * nb]), conf)
                      for base in (0, 3 * nb)]

    # ---- age brackets ----------------------------------------------------------------
    head = grid.groupby("bracket")[FT + [CHILD]].sum().reindex(range(nb), fill_value=0.0)
    head[PP] = grid.groupby("bracket")[PP].sum(min_count=1).reindex(range(nb))
    head = _shares(head.reset_index(drop=True))
    head.insert(0, "age_bracket", labels)
    head.insert(0, "scope", ALL)
    for c in ("share_women_facetime", "share_women_people"):
        head[f"{c}_ci_low"] = head[f"{c}_ci_high"] = np.nan
    if bracket_ci is not None:
        head["share_women_facetime_ci_low"], head["share_women_facetime_ci_high"] = bracket_ci[0]
        if people_vary:
            head["share_women_people_ci_low"], head["share_women_people_ci_high"] = bracket_ci[1]
    rest = _shares(grid.assign(scope=grid["vid"].map(names),
                               age_bracket=[labels[b] for b in grid["bracket"]]))
    age_cols = ["scope", "age_bracket", *FT, CHILD, "share_women_facetime", "share_women_facetime_ci_low",
                "share_women_facetime_ci_high", *PP, "share_women_people", "share_women_people_ci_low",
                "share_women_people_ci_high"]
    age = pd.concat([head, rest], ignore_index=True).reindex(columns=age_cols)

    # ---- timeline --------------------------------------------------------------------
    tl_cols = ["t_start_s", "t_end_s", "analysed_s", *FT]
    pooled = timeline.groupby("bin")[["analysed_s", *FT]].sum()
    pooled["t_start_s"], pooled["t_end_s"] = pooled.index * bin_s, (pooled.index + 1) * bin_s
    pooled["scope"] = ALL
    tl = pd.concat([pooled.reset_index(drop=True), timeline.assign(scope=timeline["vid"].map(names))],
                   ignore_index=True)[["scope", *tl_cols]]
    an = tl["analysed_s"].to_numpy(float)
    tl["faces_on_screen"] = tl[FT].sum(axis=1).to_numpy(float) / np.where(an > 0, an, np.nan)
    tl = _shares(tl)

    # ---- faces per frame -------------------------------------------------------------
    pooled_fp = fpf.groupby("n_faces", as_index=False)["frames"].sum().assign(scope=ALL)
    fp = pd.concat([pooled_fp, fpf.assign(scope=fpf["vid"].map(names))], ignore_index=True)
    fp = fp[["scope", "n_faces", "frames"]]
    totals = fp.groupby("scope", sort=False)["frames"].transform("sum").astype(float)
    fp["share_of_frames"] = fp["frames"] / totals.where(totals > 0)

    # ---- people ----------------------------------------------------------------------
    people = pd.DataFrame({
        "video": persons["vid"].map(names), "face_id": persons["face_id"], "sex": persons["sex"],
        "age": persons["age"], "age_bracket": [labels[int(b)] for b in persons["bracket"]],
        "facetime_s": persons["facetime_s"], "faces": persons["faces"],
        "first_s": persons["first_t"], "last_s": persons["last_t"],
    })
    return ReportTables(summary_df, per, age, tl, fp, people, bin_s, labels)
