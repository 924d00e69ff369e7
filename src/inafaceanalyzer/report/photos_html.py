"""The HTML report of a photo collection (see :mod:`.photos`): counts of faces, no timelines."""

from __future__ import annotations

import datetime as _dt
from html import escape

import matplotlib
from matplotlib.figure import Figure

from . import plots
from .html import _card, _img, _ok, _table, ci, inputs_section, num, page, page_header, pct
from .inputs import InputProblem
from .options import ALL, ReportOptions
from .photos import PhotoTables


def age_pyramid(t: PhotoTables) -> bytes:
    """Faces by age bracket, women left and men right."""
    age = t.age[t.age["scope"] == ALL].reset_index(drop=True)
    if age.iloc[-1][["faces_women", "faces_men", "faces_unknown"]].sum() == 0:
        age = age.iloc[:-1]  # no face without an age estimate
    with matplotlib.rc_context(plots.STYLE):
        fig = Figure(figsize=(plots.WIDTH_IN, 3.2 + 0.25 * len(age)), layout="constrained")
        ax = fig.subplots()
        plots._pyramid(ax, age, "faces", 1.0, "faces", "people in photos (faces)")
        ax.legend(loc="lower left", fontsize=8)
        fig.suptitle("Age pyramid by gender", x=0.01, ha="left", fontsize=11)
        return plots._png(fig)


def render_photos(t: PhotoTables, options: ReportOptions, problems: list[InputProblem], warnings: list[str],
                  csv_files: list[str], generated: _dt.datetime | None = None) -> str:
    """The photo-collection report as one HTML string."""
    s = t.summary.iloc[0]
    n, photos = int(s["collections"]), int(s["photos"])
    conf = f"{options.confidence:.0%}"
    generated = generated or _dt.datetime.now(_dt.UTC)
    parts: list[str] = []
    a = parts.append
    a(page_header(options.title, f"Photo collection: {num(photos)} photo{'s' if photos != 1 else ''} with faces in {n} "
                            f"results file{'s' if n != 1 else ''}, {num(s['faces'])} faces.", generated))
    a("<section><h2>Key figures</h2><div class='cards'>")
    a(_card(pct(s["share_women_faces"]), "women's share of people in photos (faces of women / (women + men)) "
            f"{ci(s['share_women_faces_ci_low'], s['share_women_faces_ci_high'])}", "women"))
    a(_card(num(s["faces_women"]), "faces of women", "women"))
    a(_card(num(s["faces_men"]), "faces of men", "men"))
    a(_card(num(s["faces_unknown"]), "faces of unknown gender (not in the shares)", "unknown"))
    a(_card(f"{num(s['photos_with_women'])} / {num(s['photos_with_men'])}", "photos showing at least one woman / "
            "one man"))
    a(_card(num(s["mean_faces_per_photo"], 2), "faces per photo (mean, photos with faces)"))
    a("</div>")
    if _ok(s["share_women_faces_ci_low"]):
        a(f"<p class='meta'>Brackets give {conf} bootstrap intervals over photos ({options.n_bootstrap} "
          f"replicates, seed {options.seed}).</p>")
    a("<div class='box'><strong>How these figures were counted</strong><ul>"
      "<li>This is a <strong>photo collection</strong> (results of <code>--engine image</code>: the "
      "<code>frame</code> column holds image paths): figures are counts of faces, not screen time, and there "
      "is no timeline.</li>"
      "<li>Each face is one person in one photo: the same person in two photos counts twice.</li>"
      "<li>Photos in which no face was detected have no row in the results and are not counted.</li>"
      "<li>Faces of unknown gender (label <code>u</code>) are counted apart and left out of the shares of women; "
      "faces without an age estimate are in the <em>unknown</em> age bracket.</li>"
      "<li>The intervals resample the photos of each results file (a photo's faces stay together); they do not "
      "cover errors of the gender and age classifiers.</li></ul></div></section>")
    a("<section><h2>Figures</h2>" + _img(age_pyramid(t), "Age pyramid of faces by gender",
                                        "Faces by age bracket, women to the left and men to the right.") + "</section>")

    age = t.age[t.age["scope"] == ALL]
    if age.iloc[-1][["faces_women", "faces_men", "faces_unknown"]].sum() == 0:
        age = age.iloc[:-1]
    rows = [[(escape(str(r["age_bracket"])), "name"), (num(r["faces_women"]), ""), (num(r["faces_men"]), ""),
             (num(r["faces_unknown"]), ""), (pct(r["share_women_faces"]), ""),
             (ci(r["share_women_faces_ci_low"], r["share_women_faces_ci_high"]), "ci")] for _, r in age.iterrows()]
    header = [("age", "name"), ("women", ""), ("men", ""), ("unknown gender", ""), ("women's share", ""),
              (f"{conf} interval", "")]
    a("<section><h2>By age bracket</h2><p class='meta'>Faces (people in photos) by gender and age bracket, whole "
      "set.</p>" + _table(header, rows) + "</section>")

    c = t.collections.head(options.max_videos_in_html)
    rows = [[(str(i), ""), (escape(str(r["collection"])), "name"), (num(r["photos"]), ""), (num(r["faces"]), ""),
             (pct(r["share_women_faces"]), ""), (ci(r["share_women_faces_ci_low"], r["share_women_faces_ci_high"]),
                                                  "ci"), (num(r["mean_faces_per_photo"], 2), "")]
            for i, (_, r) in enumerate(c.iterrows(), 1)]
    header = [("#", ""), ("results file", "name"), ("photos", ""), ("faces", ""), ("women's share", ""),
              (f"{conf} interval", ""), ("faces / photo", "")]
    a("<section><h2>Per results file</h2>" + _table(header, rows) + "</section>")
    a(inputs_section(n, problems, warnings))
    a("<footer>Tables: " + ", ".join(f"<code>{escape(f)}</code>" for f in csv_files) + ". Shares as fractions "
      f"(0 to 1). Settings: age brackets {escape(', '.join(t.brackets[:-1]))}; bootstrap over photos: "
      f"{options.n_bootstrap} replicates, seed {options.seed}, {conf} intervals.</footer>")
    return page(options.title, parts)
