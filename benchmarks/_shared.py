"""Where benchmarks find ../shared, and how they bow out without it."""

from __future__ import annotations

import os
import sys
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


def utkface_sample(description: str) -> tuple[Path, "pandas.DataFrame", list[str]]:
    """Parse ``--limit N`` and read the UTKFace dev set's labels: ``(root, labels, image paths)``."""
    import argparse

    import pandas

    ap = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--limit", type=int, default=None, help="only the first N faces")
    args = ap.parse_args()
    root = require(SHARED / "datasets" / "utkface-dev", "UTKFace dev set")
    labels = pandas.read_csv(root / "labels.csv").iloc[: args.limit]
    return root, labels, [str(root / p) for p in labels.path]


def tracking_options(ap: "argparse.ArgumentParser") -> None:
    """Add ``--set NAME=VALUE`` (repeatable): a field of ``TrackingOptions`` for the tracking engine."""
    ap.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                    help="a field of TrackingOptions (e.g. max_lost_s=2); repeatable")


def tracking_fields(items: list[str]) -> dict[str, object]:
    """The ``--set`` items as ``TrackingOptions`` keyword arguments (numbers as floats, else strings)."""
    fields: dict[str, object] = {}
    for item in items:
        name, _, value = item.partition("=")
        try:
            fields[name] = float(value)
        except ValueError:
            fields[name] = value
    return fields
