"""Women's share of face-time on the generated family video, by classifier, against the truth.

    python benchmarks/family_share.py [--scenes 32] [--classifier dlib faceres ensemble] [--child_age 0 13]
                                      [--young_age 0 22] [--people]

Builds ``bench-cache/family.mp4`` from UTKFace dev faces (tests/family_video.py:
``--scenes`` scenes of 4 s, each a family of six, children and teenagers among
them; 32, the most the dev set's boys allow), runs ``ina_face_analyzer --engine video
--fps 1`` with each classifier (and the default --child_age / --young_age unless given),
and prints the share of the answered rows labelled ``f`` against the truth the report's
share stands for: people 13 and over (the children rule leaves the others out; the
truth over everyone is printed too). The error splits into selection (the true share
of the rows answered, minus the truth) and labels (the share, minus the true share of
the rows answered); the rows answered wrongly are counted by true age group.
``--people`` lists the people answered wrongly, the people 13 and over left out and the
children answered.
"""

from __future__ import annotations

import argparse
import itertools
import sys
import tempfile
from pathlib import Path

import pandas as pd

from _shared import CACHE, ROOT, SHARED, require
from _video import analyzer_command, run_command

sys.path.insert(0, str(ROOT / "tests"))
from family_video import answered_share, with_truth, women_share, write_family_video  # noqa: E402


def analyse(video: Path, name: str, extra: list[str], truth: pd.DataFrame) -> pd.DataFrame:
    """The command's face rows on ``video``, each with the truth of the person it shows."""
    with tempfile.TemporaryDirectory() as out:
        run = run_command(analyzer_command() + ["--engine", "video", "--fps", "1", "-q", "--classifier", name,
                                                 *extra, "-i", str(video), "-o", out])
        assert run.returncode == 0
        return with_truth(pd.read_csv(Path(out) / f"{video.stem}.csv"), truth)


def describe(rows: pd.DataFrame, goal: float) -> str:
    share = answered_share(rows)
    selected = float((rows[rows.sex_label != "u"].gender == "f").mean())
    return (f"share {share:.3f}, error {100 * (share - goal):+.1f} pt (selection {100 * (selected - goal):+.1f}, "
            f"labels {100 * (share - selected):+.1f}), {(rows.sex_label == 'u').mean():.0%} u, "
            f"{'within' if abs(share - goal) <= 0.03 else 'NOT within'} 3 pt")


def wrong_by_age(rows: pd.DataFrame) -> str:
    """Rows answered wrongly by true age group: women labelled m, men labelled f."""
    group = pd.cut(rows.age, [0, 13, 20, 60, 200], right=False, labels=["<13", "13-19", "20-59", "60+"])
    parts = []
    for name, g in rows.groupby(group, observed=True):
        women, men = g[g.gender == "f"], g[g.gender == "m"]
        parts.append(f"{name}: women -> m {(women.sex_label == 'm').sum()}/{(women.sex_label != 'u').sum()}, "
                     f"men -> f {(men.sex_label == 'f').sum()}/{(men.sex_label != 'u').sum()}")
    return "  wrong rows (of those answered) by true age: " + "; ".join(parts)


def people(rows: pd.DataFrame) -> None:
    """Print the people answered wrongly, the people 13 and over left out and the children answered."""
    people = rows.groupby(["scene", "cell", "path", "gender", "age"], as_index=False).agg(
        label=("sex_label", lambda x: x.mode().iloc[0]), est=("age_decfunc", "mean"),
        sex_decfunc=("sex_decfunc", "mean"))
    wrong = people.label.isin(["m", "f"]) & (people.label != people.gender)
    left_out = (people.label == "u") & (people.age >= 13)
    kids = people.label.isin(["m", "f"]) & (people.age < 13)
    for title, sel in (("answered wrongly", wrong), ("13 and over, left out", left_out),
                       ("under 13, answered", kids)):
        print(f"  {title}: " + "; ".join(f"{r.gender} {r.age} -> {r.label} (est. {r.est:.0f}, "
                                          f"{r.sex_decfunc:+.1f})" for r in people[sel].itertuples()))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenes", type=int, default=32, help="families (scenes of 4 s)")
    ap.add_argument("--seeds", type=int, nargs="+", default=[0],
                    help="one video per seed (other families; a person may be in several), pooled at the end")
    ap.add_argument("--classifier", nargs="+", default=["dlib", "faceres", "ensemble"])
    ap.add_argument("--child_age", nargs="+", default=[None], help="values to try (default: the command's)")
    ap.add_argument("--young_age", nargs="+", default=[None], help="values to try (default: the command's)")
    ap.add_argument("--people", action="store_true", help="list the people behind the error")
    args = ap.parse_args()
    dataset = require(SHARED / "datasets" / "utkface-dev", "UTKFace dev set")
    CACHE.mkdir(exist_ok=True)
    videos = {}
    for seed in args.seeds:
        video = CACHE / ("family.mp4" if seed == 0 else f"family-seed{seed}.mp4")
        videos[seed] = (video, write_family_video(video, dataset, args.scenes, seed))
    truth = pd.concat([t for _, t in videos.values()])
    goal = women_share(truth, 13)
    print(f"{len(videos)} video(s) of {args.scenes} scenes: truth: women's share {women_share(truth):.3f} (everyone), "
          f"{goal:.3f} (13 and over); goal: the share within 3 points of {goal:.3f}")
    for name, child_age, young_age in itertools.product(args.classifier, args.child_age, args.young_age):
        extra = [] if child_age is None else ["--child_age", str(child_age)]
        extra += [] if young_age is None else ["--young_age", str(young_age)]
        config = (f"--classifier {name:8s} --child_age {child_age or 'default':7s} "
                  f"--young_age {young_age or 'default':7s}")
        pooled = []
        for seed, (video, seed_truth) in videos.items():
            rows = analyse(video, name, extra, seed_truth)
            pooled.append(rows)
            print(f"{config} seed {seed}: {describe(rows, women_share(seed_truth, 13))}")
            if args.people:
                people(rows)
        if len(videos) > 1:
            print(f"{config} pooled: {describe(pd.concat(pooled), goal)}")
        print(wrong_by_age(pd.concat(pooled)))


if __name__ == "__main__":
    main()
