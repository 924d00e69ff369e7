"""The report's figures, as PNG bytes (matplotlib, Agg canvas, no pyplot global state)."""

from __future__ import annotations

import io
from typing import Any

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator, PercentFormatter

from .tables import ALL, ReportTables

# Okabe-Ito colours: distinguishable with the common colour-vision deficiencies
WOMEN, MEN, UNKNOWN = "#D55E00", "#0072B2", "#999999"
WIDTH_IN, DPI = 8.6, 110
MAX_VIDEO_BARS = 40
STYLE: Any = {"font.size": 9.5, "axes.titlesize": 11, "axes.spines.top": False, "axes.spines.right": False,
         "axes.titlelocation": "left", "legend.frameon": False}


def _png(fig: Figure) -> bytes:
    FigureCanvasAgg(fig)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI)
    return buf.getvalue()


def _time_unit(max_s: float) -> tuple[float, str]:
    if max_s > 3 * 3600:
        return 3600.0, "h"
    if max_s > 300:
        return 60.0, "min"
    return 1.0, "s"


def _compact(x: float) -> str:
    """Axis numbers: 250, 2.5k, 60k, 1.2M."""
    if x >= 1e6:
        return f"{x / 1e6:g}M"
    if x >= 1e4:
        return f"{x / 1e3:g}k"
    return f"{x:g}"


def _short(name: str, n: int = 38) -> str:
    return name if len(name) <= n else "\u2026" + name[-(n - 1):]


def timeline(t: ReportTables, n_videos: int) -> bytes:
    """Share of women in face-time, and faces on screen by gender, along the videos."""
    pooled = t.timeline[t.timeline["scope"] == ALL].sort_values("t_start_s")
    with matplotlib.rc_context(STYLE):
        fig = Figure(figsize=(WIDTH_IN, 5.4), layout="constrained")
        ax1, ax2 = fig.subplots(2, 1, sharex=True, height_ratios=[3, 2])
        if pooled.empty:
            ax1.text(0.5, 0.5, "no analysed time", ha="center", va="center", transform=ax1.transAxes)
            return _png(fig)
        unit, uname = _time_unit(float(pooled["t_end_s"].max()))
        mid = (pooled["t_start_s"] + pooled["t_end_s"]).to_numpy(float) / 2 / unit
        width = float(t.bin_s) / unit
        if 2 <= n_videos <= 8:
            for scope, sub in t.timeline[t.timeline["scope"] != ALL].groupby("scope", sort=False):
                sub = sub.sort_values("t_start_s")
                ax1.plot((sub["t_start_s"] + sub["t_end_s"]) / 2 / unit, sub["share_women_facetime"] * 100,
                         lw=1, alpha=0.55, marker=".", ms=3, label=_short(str(scope), 30))
        label = "all videos" if n_videos > 1 else None
        ax1.plot(mid, pooled["share_women_facetime"] * 100, color="black", lw=2, marker="o", ms=3.5, label=label)
        ax1.axhline(50, color="grey", lw=0.8, ls="--")
        ax1.set_ylim(-2, 102)
        ax1.yaxis.set_major_formatter(PercentFormatter())
        ax1.set_ylabel("women's share of face-time")
        fig.suptitle(f"Women's share of face-time over time (bins of {t.bin_s:g} s"
                     + (", videos pooled by time from their start)" if n_videos > 1 else ")"),
                     x=0.01, ha="left", fontsize=11)
        if label or 2 <= n_videos <= 8:
            ax1.legend(fontsize=8, ncols=4, loc="lower left", bbox_to_anchor=(0, 1.0))
        an = pooled["analysed_s"].to_numpy(float)
        safe = np.where(an > 0, an, np.nan)
        bottom = np.zeros(len(pooled))
        for col, colour, name in (("facetime_women_s", WOMEN, "women"), ("facetime_men_s", MEN, "men"),
                                  ("facetime_unknown_s", UNKNOWN, "unknown gender")):
            vals = np.nan_to_num(pooled[col].to_numpy(float) / safe)
            ax2.bar(mid, vals, width=width * 0.92, bottom=bottom, color=colour, label=name)
            bottom += vals
        ax2.set_ylabel("faces on screen (mean)")
        ax2.set_xlabel(f"time from the start of the video ({uname})")
        ax2.legend(fontsize=8, ncols=3, loc="lower left", bbox_to_anchor=(0, 1.0))
        ax2.set_ylim(0, max(float(bottom.max()) * 1.1, 0.5))
        return _png(fig)


def _pyramid(ax, age: pd.DataFrame, prefix: str, scale: float, unit: str, title: str) -> None:
    women = age[f"{prefix}_women{'_s' if prefix == 'facetime' else ''}"].to_numpy(float) / scale
    men = age[f"{prefix}_men{'_s' if prefix == 'facetime' else ''}"].to_numpy(float) / scale
    unknown = age[f"{prefix}_unknown{'_s' if prefix == 'facetime' else ''}"].to_numpy(float) / scale
    y = np.arange(len(age))
    ax.barh(y, -women, color=WOMEN, label="women")
    ax.barh(y, men, color=MEN, label="men")
    ax.set_yticks(y, age["age_bracket"])
    lim = max(float(np.max(women, initial=0)), float(np.max(men, initial=0)), 1e-9) * 1.35
    ax.set_xlim(-lim, lim)
    ax.axvline(0, color="black", lw=0.6)
    ax.xaxis.set_major_locator(MaxNLocator(nbins=6, symmetric=True))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: _compact(abs(x))))
    ax.set_xlabel(f"\u2190 women   {unit}   men \u2192")
    shares = age[f"share_women_{prefix}"].to_numpy(float)
    for yi, s, m in zip(y, shares, men):
        if np.isfinite(s):
            ax.text(m + lim * 0.02, yi, f"{s:.0%} women", va="center", fontsize=7.5, color="#333333")
    total_unknown = float(np.sum(unknown))
    amount = f"{total_unknown:,.0f}" if unit == "people" else f"{total_unknown:.3g}"
    note = f"\nunknown gender (not drawn): {amount} {unit}" if total_unknown > 0 else ""
    ax.set_title(title + note, fontsize=9.5)


def age_pyramid(t: ReportTables, people: bool) -> bytes:
    """Face-time (and people, for tracked results) by age bracket, women left and men right."""
    age = t.age[t.age["scope"] == ALL].reset_index(drop=True)
    if age.iloc[-1][["facetime_women_s", "facetime_men_s", "facetime_unknown_s"]].sum() == 0:
        age = age.iloc[:-1]  # no face without an age estimate: no 'unknown' row
    biggest = float(age[["facetime_women_s", "facetime_men_s"]].to_numpy().max(initial=0))
    scale, unit = {"s": (1.0, "s"), "min": (60.0, "min"), "h": (3600.0, "h")}[_time_unit(biggest)[1]]
    with matplotlib.rc_context(STYLE):
        fig = Figure(figsize=(WIDTH_IN, 3.2 + 0.25 * len(age)), layout="constrained")
        axes = fig.subplots(1, 2 if people else 1, squeeze=False)[0]
        _pyramid(axes[0], age, "facetime", scale, unit, "face-time")
        if people:
            _pyramid(axes[1], age, "people", 1.0, "people", "distinct people (tracked)")
        axes[0].legend(loc="lower left", fontsize=8)
        fig.suptitle("Age pyramid by gender", x=0.01, ha="left", fontsize=11)
        return _png(fig)


def per_video(t: ReportTables) -> bytes:
    """Women's share of face-time per video (with intervals) and each video's face-time by gender."""
    v = t.videos.copy()
    with matplotlib.rc_context(STYLE):
        if len(v) > MAX_VIDEO_BARS:
            fig = Figure(figsize=(WIDTH_IN, 3.6), layout="constrained")
            ax = fig.subplots()
            shares = v["share_women_facetime"].dropna() * 100
            ax.hist(shares, bins=list(range(0, 105, 5)), color=WOMEN, edgecolor="white")
            overall = float(t.summary["share_women_facetime"].iloc[0]) * 100
            if np.isfinite(overall):
                ax.axvline(overall, color="black", lw=1.5, label=f"whole set: {overall:.1f} %")
                ax.legend()
            ax.axvline(50, color="grey", lw=0.8, ls="--")
            ax.xaxis.set_major_formatter(PercentFormatter())
            ax.set_xlabel("women's share of face-time in the video")
            ax.set_ylabel("videos")
            left_out = len(v) - len(shares)
            ax.set_title(f"Women's share of face-time across {len(v)} videos"
                         + (f" ({left_out} without faces of known gender left out)" if left_out else ""))
            return _png(fig)
        v = v.sort_values(["share_women_facetime", "facetime_s"], ascending=[True, True], na_position="first")
        n = len(v)
        fig = Figure(figsize=(WIDTH_IN, 1.5 + 0.3 * n), layout="constrained")
        ax1, ax2 = fig.subplots(1, 2, sharey=True, width_ratios=[3, 2])
        y = np.arange(n)
        share = v["share_women_facetime"].to_numpy(float) * 100
        lo = v["share_women_facetime_ci_low"].to_numpy(float) * 100
        hi = v["share_women_facetime_ci_high"].to_numpy(float) * 100
        ax1.barh(y, np.nan_to_num(share), color=WOMEN, height=0.65)
        err = np.array([np.where(np.isfinite(lo), share - lo, 0), np.where(np.isfinite(hi), hi - share, 0)])
        ax1.errorbar(np.nan_to_num(share), y, xerr=np.nan_to_num(err), fmt="none", ecolor="black", lw=0.9, capsize=2)
        ax1.axvline(50, color="grey", lw=0.8, ls="--")
        ax1.set_xlim(0, 100)
        ax1.xaxis.set_major_formatter(PercentFormatter())
        ax1.set_yticks(y, [_short(str(s)) for s in v["video"]], fontsize=8)
        ax1.set_title("Women's share of face-time (95 % interval)" if np.isfinite(lo).any()
                      else "Women's share of face-time")
        total = float(v["facetime_s"].max()) if n else 0.0
        scale, unit = {"s": (1.0, "s"), "min": (60.0, "min"), "h": (3600.0, "h")}[_time_unit(total)[1]]
        left = np.zeros(n)
        for col, colour, name in (("facetime_women_s", WOMEN, "women"), ("facetime_men_s", MEN, "men"),
                                  ("facetime_unknown_s", UNKNOWN, "unknown")):
            vals = v[col].to_numpy(float) / scale
            ax2.barh(y, vals, left=left, color=colour, height=0.65, label=name)
            left += vals
        ax2.set_xlabel(f"face-time by gender ({unit})")
        ax2.legend(fontsize=8, ncols=3, loc="lower left", bbox_to_anchor=(0, 1.0), handlelength=1,
                   borderaxespad=0.2, columnspacing=0.8)
        return _png(fig)


def faces_per_frame(t: ReportTables) -> bytes:
    """Share of analysed frames showing 0, 1, 2, ... faces."""
    fp = t.faces_per_frame[t.faces_per_frame["scope"] == ALL]
    buckets = ["0", "1", "2", "3", "4", "5+"]
    counts = np.zeros(len(buckets))
    for n, frames in zip(fp["n_faces"], fp["frames"]):
        counts[min(int(n), 5)] += frames
    share = counts / counts.sum() * 100 if counts.sum() else counts
    with matplotlib.rc_context(STYLE):
        fig = Figure(figsize=(WIDTH_IN, 2.8), layout="constrained")
        ax = fig.subplots()
        ax.bar(buckets, share, color="#009E73")
        for x, s in enumerate(share):
            ax.text(x, s + 1, f"{s:.0f} %", ha="center", fontsize=8)
        ax.yaxis.set_major_formatter(PercentFormatter(decimals=0))
        ax.set_ylim(0, max(float(share.max(initial=0)) * 1.2, 10))
        ax.set_xlabel("faces in the frame")
        ax.set_ylabel("analysed frames")
        ax.set_title("Number of faces per analysed frame")
        return _png(fig)
