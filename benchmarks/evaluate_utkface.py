#!/usr/bin/env python3
"""The evaluation and bias audit on the UTKFace dev set, next to the original paper's UTKFace row.

Runs what ``ina_face_analyzer_evaluate ../shared/datasets/utkface-dev -o
bench-cache/evaluate-utkface --faces cropped --resolution_table`` runs (the 2,000 faces are
UTKFace's aligned 200x200 crops), writes the same report there, and prints
the paper-style tables, the bias categories, children apart, calibration,
the abstention trade-off and the resolution table (10 to 224 px).

    python benchmarks/evaluate_utkface.py [--limit N]
"""

import numpy as np

from _shared import ROOT, utkface_sample
from inafaceanalyzer.evaluation import PAPER_RESOLUTIONS, EvaluationConfig, LabeledDataset, evaluate, load_dataset, write_report
from inafaceanalyzer.evaluation.calibration import expected_calibration_error, fit_temperature, reliability_table
from inafaceanalyzer.evaluation.markdown import markdown_table, paper_style
from inafaceanalyzer.evaluation.reference import PAPER, PAPER_FAIRFACE_RESOLUTION, PAPER_UTKFACE


def main():
    root, labels, _ = utkface_sample(__doc__)
    full = load_dataset(root)
    dataset = LabeledDataset(full.source, full.table.iloc[: len(labels)], full.problems)
    ev = evaluate(dataset, EvaluationConfig(faces="cropped", resolutions=PAPER_RESOLUTIONS))
    out = ROOT / "bench-cache" / "evaluate-utkface"
    write_report(ev, out)
    print(f"{len(dataset)} faces from {root}; full report in {out / 'report.md'}\n")
    print("## Paper-style summary (value on all faces / adults 20+ / category mean; biases over the 8 categories)")
    print(markdown_table(ev.paper))
    print(f"\nours, adults 20+:  gender accuracy {paper_style(ev, 'gender accuracy (%)')}"
          f"   age RMSE {paper_style(ev, 'age RMSE (years)')}")
    print(f"ours, all faces:   gender accuracy {paper_style(ev, 'gender accuracy (%)', 'all_faces')}"
          f"   age RMSE {paper_style(ev, 'age RMSE (years)', 'all_faces')}")
    paper = PAPER_UTKFACE.set_index("metric")
    for metric in paper.index:
        print(f"paper, {metric}: " + " / ".join(f"{v:.1f}" for v in paper.loc[metric]) + f"  ({PAPER})")
    print("\n## Bias categories (adults 20+)")
    print(markdown_table(ev.categories))
    print("\n## Age groups x gender (children and teenagers apart)")
    print(markdown_table(ev.groups[ev.groups.grouping.isin(["age group", "age group x gender"])]))
    print("\n## Confusion")
    print(markdown_table(ev.confusion))
    print(f"\n## Calibration (expected calibration error {ev.calibration_error:.3f})")
    print(markdown_table(ev.calibration))
    print(f"temperature fitted on all faces: T = {ev.temperature:.2f} (in-sample ECE {ev.calibrated_error:.3f})")
    order = np.random.default_rng(0).permutation(len(ev.faces))
    halves = (order[: len(order) // 2], order[len(order) // 2 :])
    for fit, test in (halves, halves[::-1]):
        t = fit_temperature(ev.faces.iloc[fit])
        held_out = ev.faces.iloc[test]
        scaled = held_out.assign(sex_decfunc=held_out.sex_decfunc / t)
        before, after = (expected_calibration_error(reliability_table(f)) for f in (held_out, scaled))
        print(f"  fitted on one half, T = {t:.2f}; ECE on the other half {before:.3f} -> {after:.3f}")
    print("\n## Abstention trade-off")
    print(markdown_table(ev.tradeoff[ev.tradeoff.criterion == "min_gender_confidence"]))
    print("\n## Resolution (UTKFace crops brought down to N px and back up)")
    print(markdown_table(ev.resolution))
    print(f"\npaper, FairFace, {PAPER}:")
    print(markdown_table(PAPER_FAIRFACE_RESOLUTION))


if __name__ == "__main__":
    main()
