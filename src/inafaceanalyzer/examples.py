"""Built-in example media, shipped inside installed packages (no download).

``python -m inafaceanalyzer.examples`` prints the path of each example image.
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path


def astronaut_path() -> Path:
    """scikit-image's ``astronaut.png`` (Eileen Collins, NASA, public domain), from its wheel."""
    try:
        ref = resources.files("skimage").joinpath("data/astronaut.png")
    except ModuleNotFoundError as exc:
        raise FileNotFoundError("the example image needs scikit-image: pip install 'inaFaceAnalyzer[examples]'") from exc
    path = Path(os.fspath(ref))
    if not path.is_file():
        raise FileNotFoundError(f"{path}: scikit-image is installed without its data files")
    return path


if __name__ == "__main__":
    print(astronaut_path())
