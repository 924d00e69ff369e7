"""Small labelled data sets for the evaluation tests, built in tmp_path from real faces of ../shared."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from conftest import SHARED_IMAGES, UTKFACE

needs_utkface = pytest.mark.skipif(
    not (UTKFACE / "labels.csv").is_file(), reason=f"UTKFace dev set not found at {UTKFACE} (set INAFACE_SHARED)"
)
needs_images = pytest.mark.skipif(
    not SHARED_IMAGES.is_dir(), reason=f"../shared sample photos not found at {SHARED_IMAGES} (set INAFACE_SHARED)"
)


def utkface_faces(folder: Path, adults_per_category: int = 2, children: int = 3) -> pd.DataFrame:
    """Copy UTKFace dev faces into ``folder``: ``adults_per_category`` of each gender x race x (20-49, 50+)
    and ``children`` boys and as many girls under 13; returns their labels (``path`` relative to ``folder``)."""
    labels = pd.read_csv(UTKFACE / "labels.csv")
    adults = labels[labels.age >= 20]
    picked = pd.concat([
        adults.groupby([adults.gender, adults.race, adults.age >= 50]).head(adults_per_category),
        labels[labels.age < 13].groupby("gender").head(children),
    ])
    folder.mkdir(parents=True, exist_ok=True)
    for p in picked.path:
        shutil.copy(UTKFACE / p, folder / Path(p).name)
    return picked.assign(path=[Path(p).name for p in picked.path])[["path", "gender", "age", "race"]]
