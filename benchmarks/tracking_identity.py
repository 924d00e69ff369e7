#!/usr/bin/env python3
"""Identity quality of the ``videotracking`` engine, and what per-track smoothing buys.

1. Ground-truth videos (``tests/tracking_scenes.py``: real faces crossing, hidden
   by a passing bar, leaving and coming back), analysed with ``detect_period``
   1, 3 and 5 at the videos' 25 fps and at ``--fps``: IDF1, MOT identity
   switches, face_ids per ground-truth track (fragmentation; a face leaving the
   frame and coming back is a new ground-truth track), recall, and the share of
   each person's main face_id rows whose gender label is the person's, unsmoothed
   (``sex ok``) and smoothed (``avg ok``). Also compared: dlib's correlation
   tracker between detections instead of window re-detection, alone, with the
   original's rules (no memory of lost tracks, no shot changes) and with
   undetected tracks kept alive while it is confident (``max_missed=1``).
2. ``../shared/media/videos/intel-head-pose-face-detection-female-and-male.gif``
   (a woman on the left, a man on the right): number of tracks, and the share of
   face rows whose gender label matches the person, smoothed (``sex_label_avg``)
   and not (``sex_label``).

    python benchmarks/tracking_identity.py [--fps 8]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import numpy as np

from _shared import ROOT, SHARED

sys.path.insert(0, str(ROOT / "tests"))  # the scene generator and the metrics live with the tests

from inafaceanalyzer import GenderAgeClassifier, Rect, TrackingOptions, VideoTracking  # noqa: E402
from inafaceanalyzer.examples import astronaut_path  # noqa: E402
from inafaceanalyzer.media.images import load_image  # noqa: E402
from tracking_scenes import identity_scores, load_people, scenes  # noqa: E402

PERIODS = (1, 3, 5)
VARIANTS = {
    "default": TrackingOptions(),
    "correlation": TrackingOptions(follow="correlation"),
    "original rules": TrackingOptions(follow="correlation", max_lost_s=0, cut_threshold=None),
    "corr. keep missed": TrackingOptions(follow="correlation", max_missed=1),
}


def scene_figures(classifier: GenderAgeClassifier, fps_values: list[float | None]) -> None:
    images = SHARED / "media" / "images"
    people = load_people(load_image(astronaut_path()), images if images.is_dir() else None)
    print(f"people: {', '.join(p.name for p in people)}"
          + ("" if images.is_dir() else " (../shared absent: altered astronauts)"))
    with tempfile.TemporaryDirectory(prefix="ifa-scenes-") as tmp:
        videos = [(s, s.write(Path(tmp) / f"{s.name}.mp4")) for s in scenes(people)]
        print(f"\n{'variant':18s} {'fps':>4s} {'period':>6s} {'IDF1':>6s} {'ID sw':>6s} {'ids/GT':>6s} "
              f"{'recall':>6s} {'sex ok':>6s} {'avg ok':>6s}   per scene IDF1 ({', '.join(s.name for s, _ in videos)})")
        for variant, options in VARIANTS.items():
            for fps in fps_values:
                for period in PERIODS:
                    analyzer = VideoTracking(period, face_classifier=classifier, tracking=options)
                    per_scene, raw_ok, avg_ok = [], [], []
                    for scene, path in videos:
                        truth = scene.truth()
                        table = analyzer(path, fps=fps)
                        scores = identity_scores(truth, table, scene.sampled(fps))
                        per_scene.append(scores)
                        # gender agreement of the rows of each person's main face_id
                        sex = dict(zip(truth.gt_id, truth.sex))
                        for gid, fid in scores.main_id.items():
                            rows = table[table.face_id == fid]
                            raw_ok += list(rows.sex_label == sex[gid])
                            avg_ok += list(rows.sex_label_avg == sex[gid])
                    print(f"{variant:18s} {fps or 25:>4g} {period:>6d} "
                          f"{np.mean([s.idf1 for s in per_scene]):6.3f} {sum(s.id_switches for s in per_scene):6d} "
                          f"{np.mean([s.fragmentation for s in per_scene]):6.2f} "
                          f"{np.mean([s.recall for s in per_scene]):6.3f} "
                          f"{np.mean(raw_ok):6.3f} {np.mean(avg_ok):6.3f}   "
                          + " ".join(f"{s.idf1:.3f}" for s in per_scene))


def gif_figures(classifier: GenderAgeClassifier, fps_values: list[float | None]) -> None:
    gif = SHARED / "media" / "videos" / "intel-head-pose-face-detection-female-and-male.gif"
    if not gif.is_file():
        print(f"\nskipped: {gif} not found (set INAFACE_SHARED)")
        return
    print(f"\n{gif.name} (woman left, man right)")
    print(f"{'fps':>4s} {'period':>6s} {'tracks':>6s} {'rows':>5s} {'sex_label ok':>12s} {'sex_label_avg ok':>16s}")
    for fps in fps_values:
        for period in PERIODS:
            df = VideoTracking(period, face_classifier=classifier)(gif, fps=fps)
            truth = np.where([Rect(*b).center[0] < 240 for b in df.bbox], "f", "m")
            raw = float(np.mean(df.sex_label.to_numpy() == truth))
            smooth = float(np.mean(df.sex_label_avg.to_numpy() == truth))
            print(f"{fps or 12.5:>4g} {period:>6d} {df.face_id.nunique():>6d} {len(df):>5d} {raw:12.3f} {smooth:16.3f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--fps", type=float, default=8.0, help="sampled rate analysed besides every frame")
    args = ap.parse_args()
    classifier = GenderAgeClassifier(device="cpu")
    fps_values = [None, args.fps]
    scene_figures(classifier, fps_values)
    gif_figures(classifier, fps_values)


if __name__ == "__main__":
    main()
