#!/usr/bin/env python3
"""Face rows of ``--engine videotracking`` against ``--engine video`` at the same fps, per clip.

Runs both engines (built as the command line builds them, one shared
classifier) on every clip of ``../shared/media/videos/`` and on the generated
ground-truth tracking videos (``tests/tracking_scenes.py``), and prints per clip
the face rows of each engine, their ratio (the goal: >= 0.97), and the tracking
engine's face_ids; on the generated videos also IDF1 and identity switches.
``--follow correlation`` measures the original tracker (dlib's correlation
tracker between detections) instead of window re-detection.

    python benchmarks/tracking_rows.py [--fps 5] [--detect_period 3] [--follow redetect]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from _shared import ROOT, SHARED, tracking_fields, tracking_options

sys.path.insert(0, str(ROOT / "tests"))  # the scene generator and the metrics live with the tests

from inafaceanalyzer import GenderAgeClassifier, TrackingOptions  # noqa: E402
from inafaceanalyzer.examples import astronaut_path  # noqa: E402
from inafaceanalyzer.jobs import AnalysisOptions, build_analyzer  # noqa: E402
from inafaceanalyzer.media.images import load_image  # noqa: E402
from tracking_scenes import identity_scores, load_people, scenes  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--fps", type=float, default=5.0)
    ap.add_argument("--detect_period", type=int, default=3)
    ap.add_argument("--follow", choices=["redetect", "correlation"], default="redetect")
    tracking_options(ap)
    args = ap.parse_args()
    fields = tracking_fields(args.set)
    classifier = GenderAgeClassifier(device="cpu")
    video = build_analyzer(AnalysisOptions(engine="video", fps=args.fps, device="cpu"), classifier)
    tracking = build_analyzer(
        AnalysisOptions(engine="videotracking", fps=args.fps, detect_period=args.detect_period, device="cpu"),
        classifier,
    )
    tracking.tracking = TrackingOptions(follow=args.follow, **fields)  # type: ignore[attr-defined]
    print(f"--fps {args.fps:g} --detect_period {args.detect_period} --follow {args.follow} {' '.join(args.set)}")
    print(f"{'clip':52s} {'video':>6s} {'tracking':>8s} {'ratio':>6s} {'ids':>4s} {'IDF1':>6s} {'ID sw':>5s}")
    clips = sorted(p for p in (SHARED / "media" / "videos").glob("*") if p.suffix in {".mp4", ".gif"})
    if not clips:
        print(f"(no clips: ../shared not found at {SHARED}; set INAFACE_SHARED)")
    totals = [0, 0]
    for clip in clips:
        rows_v, rows_t = len(video(clip, fps=args.fps)), tracking(clip, fps=args.fps)
        totals[0] += rows_v
        totals[1] += len(rows_t)
        ratio = len(rows_t) / rows_v if rows_v else float("nan")
        print(f"{clip.name:52s} {rows_v:6d} {len(rows_t):8d} {ratio:6.3f} {rows_t.face_id.nunique():4d}")
    images = SHARED / "media" / "images"
    people = load_people(load_image(astronaut_path()), images if images.is_dir() else None)
    with tempfile.TemporaryDirectory(prefix="ifa-scenes-") as tmp:
        for scene in scenes(people):
            path = scene.write(Path(tmp) / f"{scene.name}.mp4")
            rows_v, table = len(video(path, fps=args.fps)), tracking(path, fps=args.fps)
            totals[0] += rows_v
            totals[1] += len(table)
            scores = identity_scores(scene.truth(), table, scene.sampled(args.fps))
            print(f"{'generated: ' + scene.name:52s} {rows_v:6d} {len(table):8d} {len(table) / rows_v:6.3f} "
                  f"{table.face_id.nunique():4d} {scores.idf1:6.3f} {scores.id_switches:5d}")
    print(f"{'all':52s} {totals[0]:6d} {totals[1]:8d} {totals[1] / totals[0]:6.3f}")


if __name__ == "__main__":
    main()
