#!/usr/bin/env python3
"""What the evaluation's resolution table costs: the same faces evaluated without it, then with it.

Both runs are in this process, one after the other, on the UTKFace dev set's
first N faces (``--faces cropped`` and ``auto``); the figure to read is the
ratio of the two times, not the times (the machine may be shared).

    python benchmarks/evaluate_resolution_cost.py [--limit N]
"""

import time

from _shared import utkface_sample
from inafaceanalyzer import GenderAgeClassifier
from inafaceanalyzer.evaluation import PAPER_RESOLUTIONS, EvaluationConfig, LabeledDataset, evaluate, load_dataset
from inafaceanalyzer.evaluation.audit import default_detector


def timed(dataset, config, classifier):
    start = time.perf_counter()
    evaluate(dataset, config, classifier, default_detector(config.faces))
    return time.perf_counter() - start


def main():
    root, labels, _ = utkface_sample(__doc__)
    full = load_dataset(root)
    dataset = LabeledDataset(full.source, full.table.iloc[: len(labels)], full.problems)
    classifier = GenderAgeClassifier()
    timed(LabeledDataset(full.source, full.table.iloc[:8]), EvaluationConfig(faces="cropped"), classifier)  # warm-up
    print(f"{len(dataset)} faces from {root}, resolution table at {len(PAPER_RESOLUTIONS)} resolutions")
    for faces in ("cropped", "auto"):
        without = timed(dataset, EvaluationConfig(faces=faces), classifier)
        with_table = timed(dataset, EvaluationConfig(faces=faces, resolutions=PAPER_RESOLUTIONS), classifier)
        print(f"--faces {faces}: {without:.1f} s without, {with_table:.1f} s with --resolution_table: "
              f"x{with_table / without:.1f}")


if __name__ == "__main__":
    main()
