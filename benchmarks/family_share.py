"""Women's share of face-time on the generated family video, by classifier, against the truth.

    python benchmarks/family_share.py [--scenes 24] [--classifier dlib faceres ensemble] [--child_age 0 13]

Builds ``bench-cache/family.mp4`` from UTKFace dev faces (tests/family_video.py:
``--scenes`` scenes of 4 s, each a family of six, children and teenagers among
them), runs ``ina_face_analyzer --engine video --fps 1`` with each classifier (and the
default --child_age unless given), and prints the share of the answered rows
labelled ``f``, the truth over everyone and over people 13 and over, and the
share of rows answered ``u``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import pandas as pd

from _shared import CACHE, ROOT, SHARED, require
from _video import analyzer_command, run_command

sys.path.insert(0, str(ROOT / "tests"))
from family_video import answered_share, women_share, write_family_video  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenes", type=int, default=24, help="families (scenes of 4 s)")
    ap.add_argument("--classifier", nargs="+", default=["dlib", "faceres", "ensemble"])
    ap.add_argument("--child_age", nargs="+", default=[None], help="values to try (default: the command's)")
    args = ap.parse_args()
    dataset = require(SHARED / "datasets" / "utkface-dev", "UTKFace dev set")
    CACHE.mkdir(exist_ok=True)
    video = CACHE / "family.mp4"
    truth = write_family_video(video, dataset, args.scenes)
    print(f"{video}: truth: women's share {women_share(truth):.3f} (everyone), "
          f"{women_share(truth, 13):.3f} (13 and over)")
    for name in args.classifier:
        for child_age in args.child_age:
            extra = [] if child_age is None else ["--child_age", str(child_age)]
            with tempfile.TemporaryDirectory() as out:
                run = run_command(analyzer_command() + ["--engine", "video", "--fps", "1", "-q", "--classifier", name,
                                                         *extra, "-i", str(video), "-o", out])
                assert run.returncode == 0
                rows = pd.read_csv(Path(out) / "family.csv")
            share = answered_share(rows)
            print(f"--classifier {name:8s} --child_age {child_age or 'default':7s}: share {share:.3f} "
                  f"(error {100 * (share - women_share(truth)):+.1f} pt vs everyone, "
                  f"{100 * (share - women_share(truth, 13)):+.1f} pt vs 13+), {len(rows)} rows, "
                  f"{(rows.sex_label == 'u').mean():.0%} u")


if __name__ == "__main__":
    main()
