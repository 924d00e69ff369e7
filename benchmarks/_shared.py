"""Where benchmarks find ../shared, and how they bow out without it."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("INAFACE_SHARED", ROOT.parent / "shared")).resolve()
CACHE = ROOT / "bench-cache"  # git-ignored: long generated videos live here


def require(path: Path, what: str) -> Path:
    """Return ``path``, or exit with a reason when it is absent."""
    if not path.exists():
        print(f"skipped: {what} not found at {path} (set INAFACE_SHARED)")
        sys.exit(0)
    return path


def utkface_sample(description: str, argv: list[str] | None = None) -> tuple[Path, "pandas.DataFrame", list[str]]:
    """Parse ``--limit N`` (from ``argv``, default the command line) and read the UTKFace dev set's
    labels: ``(root, labels, image paths)``."""
    import argparse

    import pandas

    ap = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--limit", type=int, default=None, help="only the first N faces")
    args = ap.parse_args(argv)
    root = require(SHARED / "datasets" / "utkface-dev", "UTKFace dev set")
    labels = pandas.read_csv(root / "labels.csv").iloc[: args.limit]
    return root, labels, [str(root / p) for p in labels.path]


def utkface_predictions() -> "pandas.DataFrame":
    """The cache of ``benchmarks/classifiers_utkface.py`` (labels and each network's ``sex_*``,
    ``age_*``), with the ensembles' decision functions added: ``sex_ensemble``, ``age_ensemble``
    (faceres fp32) and ``sex_ensemble_int8``, ``age_ensemble_int8`` (the default classifier)."""
    import pandas

    from inafaceanalyzer.classifiers.ensemble import FITTED

    path = require(CACHE / "classifiers_utkface.parquet", "cache of benchmarks/classifiers_utkface.py")
    df = pandas.read_parquet(path).dropna(subset=["sex_dlib", "sex_faceres", "sex_faceres_int8"])
    df = df.reset_index(drop=True)
    dlib = (df.sex_dlib.to_numpy(), df.age_dlib.to_numpy())
    for name, faceres in (("ensemble", "faceres"), ("ensemble_int8", "faceres_int8")):
        df[f"sex_{name}"], df[f"age_{name}"] = FITTED.combine(
            dlib, (df[f"sex_{faceres}"].to_numpy(), df[f"age_{faceres}"].to_numpy()))
    return df


def dev_halves(n: int, seed: int = 0) -> tuple["numpy.ndarray", "numpy.ndarray"]:
    """The fitting and held-out halves (sorted row positions) of ``n`` dev faces for ``seed``:
    the split every fit on the dev set uses (``benchmarks/ensemble_fit.py``)."""
    import numpy

    order = numpy.random.default_rng(seed).permutation(n)
    return numpy.sort(order[::2]), numpy.sort(order[1::2])


def held_out_splits(n: int, seeds: int) -> Iterator[tuple["numpy.ndarray", "numpy.ndarray"]]:
    """``(fit, test)`` for the halves of seeds ``0 .. seeds - 1``, each half used both ways."""
    for seed in range(seeds):
        first, second = dev_halves(n, seed)
        yield first, second
        yield second, first


def tracking_options(ap: "argparse.ArgumentParser") -> None:
    """Add ``--set NAME=VALUE`` (repeatable): a field of ``TrackingOptions`` for the tracking engine."""
    ap.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                    help="a field of TrackingOptions (e.g. max_lost_s=2); repeatable")


def tracking_fields(items: list[str]) -> dict[str, object]:
    """The ``--set`` items as ``TrackingOptions`` keyword arguments (numbers as floats, ``None``, else strings)."""
    fields: dict[str, object] = {}
    for item in items:
        name, _, value = item.partition("=")
        if value == "None":
            fields[name] = None
            continue
        try:
            fields[name] = float(value)
        except ValueError:
            fields[name] = value
    return fields
