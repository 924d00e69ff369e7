"""Final report tables (small pandas frames) from the grouped SQL results and the bootstrap."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .bootstrap import Replicates, block_bootstrap, percentile_interval, share, stats_matrix
from .options import ReportOptions

SEX_NAMES = {"f": "women", "m": "men", "u": "unknown"}
SEX_INDEX = {"f": 0, "m": 1, "u": 2}
ALL = "ALL"


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


def _ci_columns(df: pd.DataFrame, name: str, low: np.ndarray, high: np.ndarray) -> None:
    df[f"{name}_ci_low"] = low
    df[f"{name}_ci_high"] = high


def _by_sex(frame: pd.DataFrame, index: pd.Index, value: str, prefix: str) -> pd.DataFrame:
    """Columns ``<prefix>_women``, ``_men``, ``_unknown`` (0 where absent) indexed like ``index``."""
    if len(frame):
        wide = frame.pivot_table(index=frame.columns[0], columns="sex", values=value, aggfunc="sum", fill_value=0)
    else:
        wide = pd.DataFrame(index=pd.Index([], name=frame.columns[0]))
    out = pd.DataFrame(index=index)
    for s, name in SEX_NAMES.items():
        out[f"{prefix}_{name}"] = wide[s].reindex(index, fill_value=0).to_numpy() if s in wide else 0
    return out


def _pos(videos: pd.DataFrame) -> dict[int, int]:
    return {int(v): i for i, v in enumerate(videos["vid"])}


def run_bootstrap(videos: pd.DataFrame, blocks: pd.DataFrame, persons: pd.DataFrame, options: ReportOptions,
                  progress: Callable[[int, int], None] | None = None) -> Replicates | None:
    """Replicates of face-time and people per gender x age bracket (whole set) and per video."""
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
        cols = [np.concatenate(c) for c in zip(*parts)]
        stats = stats_matrix(n_blocks, *cols, n_columns=k)
    else:
        stats = np.zeros((int(n_blocks.sum()), k))
    selector = np.zeros((k, 4))  # per video: women/men face-time, women/men people
    for j, (base, s) in enumerate(((0, 0), (0, 1), (3 * nb, 0), (3 * nb, 1))):
        selector[base + s * nb: base + (s + 1) * nb, j] = 1
    return block_bootstrap(stats, n_blocks, selector, options.n_bootstrap, options.seed, progress)


def summarise(
    videos: pd.DataFrame,
    facetime: pd.DataFrame,
    persons: pd.DataFrame,
    fpf: pd.DataFrame,
    timeline: pd.DataFrame,
    replicates: Replicates | None,
    options: ReportOptions,
    bin_s: float,
) -> ReportTables:
    labels = options.age_brackets.all_labels
    nb = len(labels)
    conf = options.confidence
    pos = _pos(videos)
    vids = pd.Index(videos["vid"].astype(int), name="vid")
    names = dict(zip(videos["vid"].astype(int), videos["video"]))
    tracked = dict(zip(videos["vid"].astype(int), videos["tracked"].astype(bool)))

    # ---- per video -------------------------------------------------------------------
    v = videos.set_index("vid")
    ft = _by_sex(facetime[["vid", "sex", "facetime_s"]], vids, "facetime_s", "facetime")
    faces = facetime.groupby("vid")["faces"].sum().reindex(vids, fill_value=0)
    ppl_counts = persons.assign(n=1)[["vid", "sex", "n"]] if len(persons) else pd.DataFrame(columns=["vid", "sex", "n"])
    ppl = _by_sex(ppl_counts, vids, "n", "people").astype(float)
    is_tracked = v["tracked"].astype(bool)
    ppl.loc[~is_tracked.reindex(vids).to_numpy()] = np.nan
    frames_with_faces = fpf.groupby("vid")["frames"].sum().reindex(vids, fill_value=0)

    per = pd.DataFrame({
        "video": v["video"], "source": v["source"], "results_file": v["results_file"], "engine": v["engine"],
        "counting": np.where(is_tracked, "people tracked (face_id), " + v["labels"] + " labels",
                             "faces, per-face labels (people not available)"),
        "sampling": v["sampling"], "frame_interval_s": v["interval_s"],
        "frames_analysed": v["frames_analysed"], "frames_estimated": v["frames_estimated"],
        "analysed_s": v["analysed_s"], "faces": faces, "frames_with_faces": frames_with_faces,
    }, index=vids)
    per["mean_faces_per_frame"] = np.where(per["frames_analysed"] > 0,
                                           per["faces"] / per["frames_analysed"].where(per["frames_analysed"] > 0, 1),
                                           np.nan)
    per = per.join(ft)
    per["facetime_s"] = ft.sum(axis=1)
    per["share_women_facetime"] = share(per["facetime_women"].to_numpy(float), per["facetime_men"].to_numpy(float))
    per = per.join(ppl)
    per["people"] = ppl.sum(axis=1, min_count=1)
    per["share_women_people"] = share(per["people_women"].to_numpy(float), per["people_men"].to_numpy(float))
    per["bootstrap_blocks"] = v["n_blocks"]
    nan = np.full(len(per), np.nan)
    lo_ft, hi_ft, lo_pp, hi_pp = nan, nan, nan, nan
    if replicates is not None:
        rep = replicates.per_video
        lo_ft, hi_ft = percentile_interval(share(rep[:, :, 0], rep[:, :, 1]), conf)
        lo_pp, hi_pp = percentile_interval(share(rep[:, :, 2], rep[:, :, 3]), conf)
        few = (per["bootstrap_blocks"] < 2).to_numpy()  # one block: no variation to resample
        lo_ft, hi_ft = np.where(few, np.nan, lo_ft), np.where(few, np.nan, hi_ft)
        untracked = ~is_tracked.reindex(vids).to_numpy()
        lo_pp, hi_pp = np.where(few | untracked, np.nan, lo_pp), np.where(few | untracked, np.nan, hi_pp)
    _ci_columns(per, "share_women_facetime", lo_ft, hi_ft)
    _ci_columns(per, "share_women_people", lo_pp, hi_pp)
    per = per.rename(columns={f"facetime_{n}": f"facetime_{n}_s" for n in SEX_NAMES.values()})
    per = per.reset_index(drop=True)
    order = ["video", "source", "results_file", "engine", "counting", "sampling", "frame_interval_s",
             "frames_analysed", "frames_estimated", "analysed_s", "faces", "frames_with_faces",
             "mean_faces_per_frame", "facetime_s", "facetime_women_s", "facetime_men_s", "facetime_unknown_s",
             "share_women_facetime", "share_women_facetime_ci_low", "share_women_facetime_ci_high",
             "people", "people_women", "people_men", "people_unknown", "share_women_people",
             "share_women_people_ci_low", "share_women_people_ci_high", "bootstrap_blocks"]
    per = per[order]

    # ---- whole set -------------------------------------------------------------------
    n_tracked = int(is_tracked.sum())
    tot = {c: per[c].sum() for c in ("analysed_s", "faces", "frames_analysed", "frames_with_faces", "facetime_s",
                                     "facetime_women_s", "facetime_men_s", "facetime_unknown_s")}
    tp = per[is_tracked.reindex(vids).to_numpy()]
    summary = {"videos": len(per), "videos_tracked": n_tracked, **tot}
    summary["mean_faces_per_frame"] = tot["faces"] / tot["frames_analysed"] if tot["frames_analysed"] else np.nan
    summary["share_women_facetime"] = float(share(np.float64(tot["facetime_women_s"]), np.float64(tot["facetime_men_s"])))
    for c in ("people", "people_women", "people_men", "people_unknown"):
        summary[c] = tp[c].sum() if n_tracked else np.nan
    summary["share_women_people"] = float(share(np.float64(summary["people_women"]), np.float64(summary["people_men"])))
    bracket_ci = None
    if replicates is not None:
        o = replicates.overall
        def sl(base: int, s: int) -> np.ndarray:
            return o[:, base + s * nb: base + (s + 1) * nb].sum(axis=1)
        for name, base in (("facetime", 0), ("people", 3 * nb)):
            lo, hi = percentile_interval(share(sl(base, 0), sl(base, 1)), conf)
            summary[f"share_women_{name}_ci_low"], summary[f"share_women_{name}_ci_high"] = float(lo), float(hi)
        for s, sname in enumerate(SEX_NAMES.values()):
            lo, hi = percentile_interval(sl(0, s), conf)
            summary[f"facetime_{sname}_s_ci_low"], summary[f"facetime_{sname}_s_ci_high"] = float(lo), float(hi)
        # per age bracket: women's share of face-time, and of people
        bracket_ci = [percentile_interval(share(o[:, base: base + nb], o[:, base + nb: base + 2 * nb]), conf)
                      for base in (0, 3 * nb)]
        if n_tracked == 0:
            summary["share_women_people_ci_low"] = summary["share_women_people_ci_high"] = np.nan
    else:
        for c in ("share_women_facetime", "share_women_people"):
            summary[f"{c}_ci_low"] = summary[f"{c}_ci_high"] = np.nan
    summary_df = pd.DataFrame([summary])

    # ---- age brackets ----------------------------------------------------------------
    age_rows = []
    ft_sb = facetime.groupby(["vid", "sex", "bracket"])["facetime_s"].sum()
    pp_sb = persons.groupby(["vid", "sex", "bracket"]).size() if len(persons) else pd.Series(dtype=float)
    def bracket_table(scope: str, ftv: pd.Series, ppv: pd.Series | None) -> pd.DataFrame:
        t = pd.DataFrame({"scope": scope, "age_bracket": labels})
        for s, sname in SEX_NAMES.items():
            t[f"facetime_{sname}_s"] = [float(ftv.get((s, b), 0.0)) for b in range(nb)]
        t["share_women_facetime"] = share(t["facetime_women_s"].to_numpy(), t["facetime_men_s"].to_numpy())
        for s, sname in SEX_NAMES.items():
            t[f"people_{sname}"] = [float(ppv.get((s, b), 0)) if ppv is not None else np.nan for b in range(nb)]
        t["share_women_people"] = share(t["people_women"].to_numpy(), t["people_men"].to_numpy())
        return t
    all_ft = facetime.groupby(["sex", "bracket"])["facetime_s"].sum()
    all_pp = persons.groupby(["sex", "bracket"]).size() if n_tracked else None
    if all_pp is not None and not len(all_pp):
        all_pp = pd.Series(dtype=float)
    head = bracket_table(ALL, all_ft, all_pp)
    if bracket_ci is not None:
        _ci_columns(head, "share_women_facetime", *bracket_ci[0])
        if n_tracked:
            _ci_columns(head, "share_women_people", *bracket_ci[1])
    age_rows.append(head)
    for vid in vids:
        ftv = ft_sb.loc[vid] if vid in ft_sb.index.get_level_values(0) else pd.Series(dtype=float)
        ppv = None
        if tracked[vid]:
            ppv = pp_sb.loc[vid] if len(pp_sb) and vid in pp_sb.index.get_level_values(0) else pd.Series(dtype=float)
        age_rows.append(bracket_table(names[vid], ftv, ppv))
    age = pd.concat(age_rows, ignore_index=True)
    for c in ("share_women_facetime_ci_low", "share_women_facetime_ci_high", "share_women_people_ci_low",
              "share_women_people_ci_high"):
        if c not in age:
            age[c] = np.nan
    age = age[["scope", "age_bracket", "facetime_women_s", "facetime_men_s", "facetime_unknown_s",
               "share_women_facetime", "share_women_facetime_ci_low", "share_women_facetime_ci_high",
               "people_women", "people_men", "people_unknown", "share_women_people",
               "share_women_people_ci_low", "share_women_people_ci_high"]]

    # ---- timeline --------------------------------------------------------------------
    tl_parts = []
    tl = timeline.pivot_table(index=["vid", "bin"], columns="sex", values="facetime_s", aggfunc="sum",
                              fill_value=0.0) if len(timeline) else None
    for vid, row in v.iterrows():
        start, end = float(row["first_s"]), float(row["end_s"])
        if end <= start:
            continue
        bins = np.arange(int(np.floor(start / bin_s)), int(np.ceil(end / bin_s)))
        lo = np.maximum(bins * bin_s, start)
        hi = np.minimum((bins + 1) * bin_s, end)
        t = pd.DataFrame({"scope": row["video"], "vid": vid, "bin": bins, "t_start_s": bins * bin_s,
                          "t_end_s": (bins + 1) * bin_s, "analysed_s": hi - lo})
        for s, sname in SEX_NAMES.items():
            vals = np.zeros(len(bins))
            if tl is not None and s in tl.columns and vid in tl.index.get_level_values(0):
                sub = tl.loc[vid][s]
                vals = sub.reindex(bins, fill_value=0.0).to_numpy()
            t[f"facetime_{sname}_s"] = vals
        tl_parts.append(t)
    cols = ["scope", "t_start_s", "t_end_s", "analysed_s", "facetime_women_s", "facetime_men_s", "facetime_unknown_s"]
    if tl_parts:
        per_tl = pd.concat(tl_parts, ignore_index=True)
        pooled = per_tl.groupby("bin", as_index=False)[[c for c in cols if c.endswith("_s") and c not in (
            "t_start_s", "t_end_s")]].sum()
        pooled["scope"] = ALL
        pooled["t_start_s"] = pooled["bin"] * bin_s
        pooled["t_end_s"] = (pooled["bin"] + 1) * bin_s
        timeline_df = pd.concat([pooled[cols], per_tl[cols]], ignore_index=True)
    else:
        timeline_df = pd.DataFrame(columns=cols)
    ftt = timeline_df[["facetime_women_s", "facetime_men_s", "facetime_unknown_s"]].sum(axis=1).to_numpy(float)
    an = timeline_df["analysed_s"].to_numpy(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        timeline_df["faces_on_screen"] = np.where(an > 0, ftt / np.where(an > 0, an, 1), np.nan)
    timeline_df["share_women_facetime"] = share(timeline_df["facetime_women_s"].to_numpy(float),
                                                timeline_df["facetime_men_s"].to_numpy(float))

    # ---- faces per frame -------------------------------------------------------------
    fp_rows = []
    for vid, row in v.iterrows():
        counts = fpf[fpf["vid"] == vid].set_index("n_faces")["frames"] if len(fpf) else pd.Series(dtype=int)
        zero = max(int(row["frames_analysed"]) - int(counts.sum()), 0)
        fp_rows.append(pd.DataFrame({"scope": row["video"], "n_faces": [0, *counts.index.astype(int)],
                                     "frames": [zero, *counts.to_numpy(int)]}))
    if fp_rows:
        fp = pd.concat(fp_rows, ignore_index=True)
        pooled = fp.groupby("n_faces", as_index=False)["frames"].sum()
        pooled.insert(0, "scope", ALL)
        fp = pd.concat([pooled, fp], ignore_index=True)
    else:
        fp = pd.DataFrame({"scope": pd.Series(dtype=str), "n_faces": pd.Series(dtype=int),
                           "frames": pd.Series(dtype=int)})
    totals = fp.groupby("scope")["frames"].transform("sum")
    fp["share_of_frames"] = np.where(totals > 0, fp["frames"] / totals.where(totals > 0, 1), np.nan)

    # ---- people ----------------------------------------------------------------------
    people = pd.DataFrame({
        "video": persons["vid"].map(names) if len(persons) else pd.Series(dtype=str),
        "face_id": persons["face_id"], "sex": persons["sex"], "age": persons["age"],
        "age_bracket": [labels[int(b)] for b in persons["bracket"]],
        "facetime_s": persons["facetime_s"], "faces": persons["faces"],
        "first_s": persons["first_t"], "last_s": persons["last_t"],
    })
    del pos
    return ReportTables(summary_df, per, age, timeline_df, fp, people, bin_s, labels)
