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
