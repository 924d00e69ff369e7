"""Which faceres layers to leave in fp32: int8 variants against fp32 on the UTKFace dev faces.

    python benchmarks/faceres_int8_scan.py                       # shipped choice + each other conv
    python benchmarks/faceres_int8_scan.py --convs conv_dw_3/depthwise Conv__15
    git show 18c5ba0:src/inafaceanalyzer/weights/faceres-deep-int8.onnx > /tmp/first-int8.onnx
    python benchmarks/faceres_int8_scan.py --convs --baseline /tmp/first-int8.onnx   # cost ratio

Builds each variant with ``tools/quantize_faceres.py`` (same calibration faces; no UTKFace
face) and prints, against the fp32 file on the dev faces (agreement only, no label is
fitted): gender flips, p(male) mean difference, expected age mean shift (all faces and
faces 50+), age mean difference, and the network's time per face (batch 32, 2 intra-op
threads, no spinning, as ``models.onnx_session``) with its ratio to the first row (measured
one variant after the other: on a busy machine only large ratios mean something). Rows:
``--baseline`` (an existing file) when given, ``shipped`` (the tool's choice: bias-corrected,
``FP32_CONVS`` in fp32), then ``shipped + X`` for each X of ``--convs`` (default: every other conv).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from _shared import ROOT, SHARED, require
from inafaceanalyzer.models import onnx_session

sys.path.insert(0, str(ROOT / "tools"))
import quantize_faceres as qf


def seconds_per_face(path: Path, chips: np.ndarray, repeat: int = 10) -> float:
    session = onnx_session(path, "cpu", threads=2)  # the package's own session settings
    batch = {"input": qf.network_input(chips[:32])}
    session.run(None, batch)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        session.run(None, batch)
        times.append(time.perf_counter() - start)
    return float(np.median(times)) / len(batch["input"])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--convs", nargs="*", default=None, help="convolutions to add one at a time (default: all)")
    ap.add_argument("--baseline", type=Path, help="an int8 file to measure first (e.g. the previous one)")
    ap.add_argument("--limit", type=int, default=2000, help="UTKFace dev faces")
    args = ap.parse_args()
    dataset = require(SHARED / "datasets" / "utkface-dev", "the UTKFace dev set")
    old = pd.read_csv(dataset / "labels.csv").age.to_numpy()[:args.limit] >= 50
    chips, dev = qf.calibration_chips(SHARED / "media"), qf.dev_chips(dataset, args.limit)
    m0, a0, _ = qf.run(qf.FACERES.path(), dev)
    with tempfile.TemporaryDirectory() as tmp:
        inferred = Path(tmp) / "folded.onnx"
        qf.fold_batch_norms(qf.FACERES.path(), inferred)
        import onnx

        every = [n.name for n in onnx.load(str(inferred)).graph.node if n.op_type == "Conv"]
        extra = [c for c in every if c not in qf.FP32_CONVS] if args.convs is None else args.convs
        variants: dict[str, tuple[str, ...] | Path] = {"shipped": qf.FP32_CONVS}
        if args.baseline:
            variants = {"baseline": args.baseline} | variants
        variants |= {f"shipped + {c}": qf.FP32_CONVS + (c,) for c in extra}
        base = None
        for name, convs in variants.items():
            path = convs if isinstance(convs, Path) else Path(tmp) / "variant.onnx"
            if not isinstance(convs, Path):
                qf.quantize(qf.FACERES.path(), path, chips, convs)
            m1, a1, _ = qf.run(path, dev)
            cost = seconds_per_face(path, dev)
            base = base or cost
            print(f"{name}: {int(((m0 > 0.5) != (m1 > 0.5)).sum())} flips, p(male) mean difference "
                  f"{np.abs(m1 - m0).mean():.4f}; age shift {(a1 - a0).mean():+.2f} (50+: {(a1 - a0)[old].mean():+.2f}), "
                  f"mean difference {np.abs(a1 - a0).mean():.2f} years; {cost * 1000:.2f} ms/face ({cost / base:.2f}x)",
                  flush=True)


if __name__ == "__main__":
    main()
