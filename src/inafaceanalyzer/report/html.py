"""One self-contained HTML file: inline CSS, PNG figures as data URIs, no script, no external resource."""

from __future__ import annotations

import base64
import datetime as _dt
import math
import struct
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from typing import Any

import pandas as pd

from .._version import __version__
from .inputs import InputProblem
from .options import ReportOptions
from .tables import ALL, ReportTables

CSS = """
:root { --women: #D55E00; --men: #0072B2; --unknown: #777; }
* { box-sizing: border-box; }
body { font-family: system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif; color: #222; margin: 0;
       background: #fafafa; line-height: 1.45; }
main { max-width: 980px; margin: 0 auto; padding: 1.2rem 1.2rem 3rem; background: #fff; }
h1 { font-size: 1.6rem; margin: 0.2rem 0 0.3rem; }
h2 { font-size: 1.2rem; margin: 2rem 0 0.6rem; border-bottom: 1px solid #ddd; padding-bottom: 0.2rem; }
.meta { color: #555; font-size: 0.9rem; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(200px, 1fr)); gap: 0.7rem; margin: 1rem 0; }
.card { border: 1px solid #ddd; border-radius: 6px; padding: 0.6rem 0.8rem; background: #fcfcfc; }
.card .v { font-size: 1.45rem; font-weight: 600; }
.card .l { font-size: 0.85rem; color: #555; }
.women { color: var(--women); } .men { color: var(--men); } .unknown { color: var(--unknown); }
.box { background: #f3f6f9; border-left: 4px solid #0072B2; padding: 0.6rem 0.9rem; margin: 0.8rem 0;
       font-size: 0.92rem; }
.box ul { margin: 0.2rem 0; padding-left: 1.2rem; }
figure { margin: 1rem 0 1.6rem; }
figure img { max-width: 100%; height: auto; display: block; border: 1px solid #eee; }
figcaption { font-size: 0.88rem; color: #444; margin-top: 0.3rem; }
table { border-collapse: collapse; width: 100%; font-size: 0.85rem; margin: 0.4rem 0 1rem; }
th, td { border-bottom: 1px solid #e3e3e3; padding: 0.25rem 0.4rem; text-align: right; vertical-align: top; }
td { white-space: nowrap; }
th { background: #f1f1f1; font-weight: 600; }
td.name, th.name { text-align: left; white-space: normal; overflow-wrap: anywhere; min-width: 9em; }
td.ci { color: #666; white-space: nowrap; }
dl dt { font-weight: 600; margin-top: 0.5rem; }
dl dd { margin-left: 1.2rem; }
.problems li { overflow-wrap: anywhere; font-size: 0.88rem; }
code { background: #f2f2f2; padding: 0 0.2rem; border-radius: 3px; overflow-wrap: anywhere; }
footer { margin-top: 2rem; font-size: 0.82rem; color: #666; }
"""


@dataclass
class Figures:
    timeline: bytes | None
    age_pyramid: bytes | None
    per_video: bytes | None
    faces_per_frame: bytes | None


def _png_size(png: bytes) -> tuple[int, int]:
    width, height = struct.unpack(">II", png[16:24])
    return width, height


def _img(png: bytes | None, alt: str, caption: str) -> str:
    if not png:
        return ""
    w, h = _png_size(png)
    data = base64.b64encode(png).decode("ascii")
    return (f'<figure><img src="data:image/png;base64,{data}" width="{w}" height="{h}" alt="{escape(alt)}">'
            f"<figcaption>{caption}</figcaption></figure>")


def _ok(x: object) -> bool:
    try:
        return x is not None and not pd.isna(x) and math.isfinite(float(x))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False


def pct(x: Any, digits: int = 1) -> str:
    return f"{float(x) * 100:.{digits}f}\u202f%" if _ok(x) else "\u2013"


def ci(lo: Any, hi: Any) -> str:
    if not (_ok(lo) and _ok(hi)):
        return ""
    return f"[{float(lo) * 100:.1f}\u2013{float(hi) * 100:.1f}]"


def duration(seconds: Any) -> str:
    if not _ok(seconds):
        return "\u2013"
    s = float(seconds)
    if s == 0:
        return "0"
    if s >= 3600:
        hours, minutes = divmod(round(s / 60), 60)
        return f"{hours}\u202fh\u202f{minutes:02d}\u202fmin"
    if s >= 120:
        return f"{s / 60:.1f}\u202fmin"
    return f"{s:.1f}\u202fs"


def num(x: Any, digits: int = 0) -> str:
    if not _ok(x):
        return "\u2013"
    return f"{float(x):,.{digits}f}".replace(",", "\u202f")


def _table(header: list[tuple[str, str]], rows: list[list[tuple[str, str]]]) -> str:
    head = "".join(f'<th class="{c}">{escape(h)}</th>' for h, c in header)
    body = "".join("<tr>" + "".join(f'<td class="{c}">{v}</td>' for v, c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _card(value: str, label: str, cls: str = "") -> str:
    return f'<div class="card"><div class="v {cls}">{value}</div><div class="l">{label}</div></div>'


def render(
    tables: ReportTables,
    figures: Figures,
    options: ReportOptions,
    problems: list[InputProblem],
    warnings: list[str],
    csv_files: list[str],
    generated: _dt.datetime | None = None,
    extra_sections: Sequence[str] = (),
) -> str:
    """The report as one HTML string; ``extra_sections`` (HTML) come after the key figures."""
    s = tables.summary.iloc[0]
    v = tables.videos
    n, n_tracked = int(s["videos"]), int(s["videos_tracked"])
    generated = generated or _dt.datetime.now(_dt.UTC)
    people_available = n_tracked > 0
    conf = f"{options.confidence:.0%}"
    parts: list[str] = []
    a = parts.append
    a(page_header(options.title, f"{n} video{'s' if n != 1 else ''}, {duration(s['analysed_s'])} analysed, "
                            f"{num(s['faces'])} face detections.", generated))

    # key figures
    a("<section><h2>Key figures</h2><div class='cards'>")
    a(_card(pct(s["share_women_facetime"]), f"women's share of face-time (women / (women + men)) "
            f"{ci(s.get('share_women_facetime_ci_low'), s.get('share_women_facetime_ci_high'))}", "women"))
    if people_available:
        interval = ci(s.get("share_women_people_ci_low"), s.get("share_women_people_ci_high"))
        a(_card(pct(s["share_women_people"]), f"women's share of distinct people {interval}"
                f"<br>{num(s['people'])} people in {n_tracked} tracked video{'s' if n_tracked != 1 else ''}", "women"))
    else:
        a(_card("n/a", "women's share of distinct people: not available (untracked results: a face row is not a "
                       "person)"))
    a(_card(duration(s["facetime_women_s"]), "face-time of women", "women"))
    a(_card(duration(s["facetime_men_s"]), "face-time of men", "men"))
    a(_card(duration(s["facetime_unknown_s"]), "face-time of faces of unknown gender (not in the shares)"
            f"<br>of which looks like a child: {duration(s.get('facetime_unknown_child_s', 0.0))}", "unknown"))
    a(_card(num(s["mean_faces_per_frame"], 2), "faces per analysed frame (mean)"))
    a("</div>")
    if _ok(s.get("share_women_facetime_ci_low")):
        a(f"<p class='meta'>Brackets give {conf} bootstrap intervals (blocks of {options.block_s:g} s, "
          f"{options.n_bootstrap} replicates, seed {options.seed}).</p>")

    # how it was counted
    counting = Counter(v["counting"])
    sampling = Counter(v["sampling"].str.replace(r"^inferred.*", "inferred from the time column (no sidecar)",
                                                 regex=True))
    a("<div class='box'><strong>How these figures were counted</strong><ul>")
    for what, k in counting.most_common():
        a(f"<li>{k} video{'s' if k != 1 else ''}: {escape(what)}</li>")
    if people_available and n_tracked < n:
        a(f"<li>Distinct people are counted in the {n_tracked} tracked video{'s' if n_tracked != 1 else ''} only "
          f"(one person = one <code>face_id</code>); face-time covers all {n} videos.</li>")
    for what, k in sampling.most_common(6):
        a(f"<li>Sampling, {k} video{'s' if k != 1 else ''}: {escape(what)}</li>")
    a("<li>Faces of unknown gender (label <code>u</code>, withheld by an abstention rule) are counted apart and "
      "left out of the shares of women; faces without an age estimate are in the <em>unknown</em> age bracket.</li>")
    a("<li>Of these, the faces that look like a child (estimated younger than <code>--child_age</code>, or than "
      "<code>--young_age</code> with an unsure gender answer, as the sidecar records the rule) are counted apart "
      "again (<code>facetime_unknown_child_s</code> in the CSV files): the shares describe people who look 13 and "
      "over.</li>")
    a("<li>The intervals cover sampling variation within the programmes (which stretches of time were shown), "
      "not errors of the gender and age classifiers.</li></ul></div></section>")
    parts.extend(extra_sections)

    # figures
    a("<section><h2>Figures</h2>")
    a(_img(figures.timeline, "Share of women in face-time over time, and faces on screen by gender",
           "Top: women's share of face-time in each time bin (50 % dashed). Bottom: mean number of faces on "
           "screen by gender (face-time in the bin divided by the analysed time in the bin)."
           + (" All videos are pooled by time from their start." if n > 1 else "")))
    a(_img(figures.age_pyramid, "Age pyramid of face-time by gender",
           "Face-time by age bracket, women to the left and men to the right"
           + ("; right: distinct people, each counted once in the bracket of their smoothed age."
              if people_available else ".")))
    a(_img(figures.per_video, "Women's share of face-time per video",
           "Per video: women's share of face-time with its interval, and face-time by gender." if n <= 40 else
           "Distribution of the women's share of face-time over the videos; the per-video figures are in "
           "<code>videos.csv</code>."))
    a(_img(figures.faces_per_frame, "Number of faces per analysed frame",
           "Share of analysed frames with 0, 1, 2, ... faces (frames with no face come from the sidecar's count of "
           "analysed frames, or are estimated from the sampling when there is no sidecar)."))
    a("</section>")

    # age table
    age = tables.age[tables.age["scope"] == ALL]
    if age.iloc[-1][["facetime_women_s", "facetime_men_s", "facetime_unknown_s"]].sum() == 0:
        age = age.iloc[:-1]  # no face without an age estimate
    rows = []
    for _, r in age.iterrows():
        row = [(escape(str(r["age_bracket"])), "name"), (duration(r["facetime_women_s"]), ""),
               (duration(r["facetime_men_s"]), ""), (duration(r["facetime_unknown_s"]), ""),
               (duration(r.get("facetime_unknown_child_s", 0.0)), ""), (pct(r["share_women_facetime"]), ""),
               (ci(r["share_women_facetime_ci_low"], r["share_women_facetime_ci_high"]), "ci")]
        if people_available:
            row += [(f"{num(r['people_women'])} / {num(r['people_men'])} / {num(r['people_unknown'])}", ""),
                    (pct(r["share_women_people"]), ""),
                    (ci(r["share_women_people_ci_low"], r["share_women_people_ci_high"]), "ci")]
        rows.append(row)
    header = [("age", "name"), ("women", ""), ("men", ""), ("unknown gender", ""),
              ("of which looks like a child", ""), ("women's share", ""), (f"{conf} interval", "")]
    if people_available:
        header += [("people W / M / U", ""), ("women's share", ""), (f"{conf} interval", "")]
    a("<section><h2>By age bracket</h2><p class='meta'>Face-time by gender and age bracket, whole set"
      + ("; people: tracked videos only" if people_available else "") + ".</p>" + _table(header, rows) + "</section>")

    # per video table
    shown = v.head(options.max_videos_in_html)
    rows = []
    for i, (_, r) in enumerate(shown.iterrows(), 1):
        tracked = _ok(r["people"])
        rows.append([
            (str(i), ""), (escape(str(r["video"])), "name"), (duration(r["analysed_s"]), ""),
            (duration(r["facetime_s"]), ""), (pct(r["share_women_facetime"]), ""),
            (ci(r["share_women_facetime_ci_low"], r["share_women_facetime_ci_high"]), "ci"),
            ((f"{num(r['people'])} ({num(r['people_women'])} W)" if tracked else "n/a"), ""),
            (pct(r["share_women_people"]) if tracked else "n/a", ""),
            (num(r["mean_faces_per_frame"], 2), ""),
        ])
    header = [("#", ""), ("video", "name"), ("analysed", ""), ("face-time", ""), ("women's share", ""),
              (f"{conf} interval", ""), ("people", ""), ("women's share of people", ""), ("faces / frame", "")]
    more = (f"<p class='meta'>{len(v) - len(shown)} more videos in <code>videos.csv</code>.</p>"
            if len(v) > len(shown) else "")
    a("<section><h2>Per video</h2>" + _table(header, rows) + more + "</section>")

    # definitions
    a("""<section><h2>Definitions</h2><dl>
<dt>Face-time</dt><dd>Each face row stands for the screen time of its analysed frame: 1/fps seconds when frames
were sampled at <em>fps</em> per second, one video frame's duration when every frame was analysed, and for keyframes
the time to the next analysed keyframe with faces (at most """ + f"{options.keyframe_max_s:g}" + """ s). A frame with
three faces adds three times its duration: face-time is person-seconds on screen, not programme seconds.</dd>
<dt>Women's share</dt><dd>Face-time (or people) of women / (women + men). Faces of unknown gender are reported
separately and are not in the denominator.</dd>
<dt>Distinct people</dt><dd>Tracked results only: one person = one <code>face_id</code> in a video, with the track's
smoothed labels (<code>sex_label_avg</code>, <code>age_label_avg</code>). A tracker gives a new
<code>face_id</code> when someone comes back after a cut or leaves the frame, and the same person in two videos
counts twice: these are people-appearances, an upper bound on individuals. Untracked results give face rows, not
people, so people are not available for them.</dd>
<dt>Faces per frame</dt><dd>Face rows divided by analysed frames, frames with no face included.</dd>
<dt>Confidence intervals</dt><dd>Percentile bootstrap over contiguous time blocks of """ + f"{options.block_s:g}"
      + """ s, resampled within each video (people are counted in the block where they first appear). The whole-set
interval takes the set of videos as given. A video with a single block gets no interval, nor does a set of such
videos only (there is no variation within them to resample).</dd>
<dt>Age brackets</dt><dd>""" + ", ".join(escape(x) for x in tables.brackets) + """, by the estimated age
in years (a bracket <code>20-34</code> holds ages from 20 up to, not including, 35).</dd>
</dl></section>""")

    a(inputs_section(n, problems, warnings))
    settings = (f"age brackets {', '.join(tables.brackets[:-1])}; fps for results without a sidecar: "
                f"{options.fps if options.fps is not None else 'inferred'}; keyframes stand at most "
                f"{options.keyframe_max_s:g} s; timeline bins of {tables.bin_s:g} s; bootstrap: "
                f"{options.n_bootstrap} replicates of {options.block_s:g} s blocks, seed {options.seed}, "
                f"{conf} intervals")
    a("<footer>Tables: " + ", ".join(f"<code>{escape(f)}</code>" for f in csv_files) + ". Face-time in seconds, "
      f"shares as fractions (0 to 1). Settings: {escape(settings)}.</footer>")
    return page(options.title, parts)


def page_header(title: str, meta: str, generated: _dt.datetime) -> str:
    """The report's title and one line saying what it covers (``meta``, HTML), when and by what it was made."""
    return (f"<header><h1>{escape(title)}</h1><div class='meta'>{meta} Generated "
            f"{generated.strftime('%Y-%m-%d %H:%M UTC')} by inaFaceAnalyzer {escape(__version__)}.</div></header>")


def page(title: str, parts: list[str]) -> str:
    """A whole HTML document around the sections ``parts``."""
    body = "\n".join(parts)
    return (f"<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
            f"<meta name='viewport' content='width=device-width, initial-scale=1'>"
            f"<title>{escape(title)}</title><style>{CSS}</style></head>\n<body><main>\n{body}\n</main></body></html>\n")


def inputs_section(n: int, problems: list[InputProblem], warnings: list[str]) -> str:
    """The inputs section: the files in the report, and those left out, missing or counted once."""
    parts: list[str] = []
    a = parts.append
    errors = [p for p in problems if p.kind == "error"]
    missing = [p for p in problems if p.kind == "missing"]
    duplicates = [p for p in problems if p.kind == "duplicate"]
    a(f"<section><h2>Inputs</h2><p>{n} results file{'s' if n != 1 else ''} in the report; "
      f"{len(errors)} unreadable or malformed (left out); {len(missing)} campaign "
      f"job{'s' if len(missing) != 1 else ''} without results (missing); {len(duplicates)} "
      f"duplicate{'s' if len(duplicates) != 1 else ''} of a file in the report (counted once).</p>")
    for title, items in (("Left out", [str(p) for p in errors]), ("Missing", [str(p) for p in missing]),
                         ("Counted once", [str(p) for p in duplicates]), ("Warnings", warnings)):
        if items:
            lis = "".join(f"<li>{escape(x)}</li>" for x in items[:50])
            extra = (f"<li>\u2026 and {len(items) - 50} more (see <code>inputs.csv</code>)</li>"
                     if len(items) > 50 else "")
            a(f"<h3>{title}</h3><ul class='problems'>{lis}{extra}</ul>")
    a("</section>")
    return "".join(parts)

