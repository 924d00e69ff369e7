"""Built-in example media, shipped inside installed packages (no download).

``python -m inafaceanalyzer.examples`` prints the path of one example image
(so that ``-i "$(python -m inafaceanalyzer.examples)"`` works): scikit-image's
``astronaut.png`` when the ``examples`` or ``test`` extra is installed, else
matplotlib's ``grace_hopper.jpg``, which every install has; ``--all`` prints
every example installed.
"""

from __future__ import annotations

import sys
from importlib import resources
from pathlib import Path


def grace_hopper_path() -> Path:
    """Matplotlib's ``grace_hopper.jpg`` (Grace Hopper, U.S. Navy photo, public domain): always installed."""
    ref = resources.files("matplotlib").joinpath("mpl-data/sample_data/grace_hopper.jpg")
    path = Path(str(ref))  # a Traversable; a file on disk in any installed wheel
    if not path.is_file():
        raise FileNotFoundError(f"{path}: matplotlib is installed without its sample data")
    return path


def astronaut_path() -> Path:
    """scikit-image's ``astronaut.png`` (Eileen Collins, NASA, public domain), from its wheel."""
    try:
        ref = resources.files("skimage").joinpath("data/astronaut.png")
    except ModuleNotFoundError as exc:
        raise FileNotFoundError("the example image astronaut.png needs scikit-image: "
                                "pip install 'inaFaceAnalyzer[examples]'") from exc
    path = Path(str(ref))  # a Traversable; a file on disk in any installed wheel
    if not path.is_file():
        raise FileNotFoundError(f"{path}: scikit-image is installed without its data files")
    return path


EXAMPLES = {"astronaut.png": astronaut_path, "grace_hopper.jpg": grace_hopper_path}  # by preference


def installed_examples() -> list[Path]:
    """The example images installed, by preference."""
    found = []
    for find in EXAMPLES.values():
        try:
            found.append(find())
        except FileNotFoundError:
            continue
    return found


def main(argv: list[str] | None = None) -> int:
    """Print the preferred example image's path (``--all``: every one installed)."""
    args = sys.argv[1:] if argv is None else argv
    if args not in ([], ["--all"]):
        print("usage: python -m inafaceanalyzer.examples [--all]", file=sys.stderr)
        return 2
    found = installed_examples()
    if not found:
        print("python -m inafaceanalyzer.examples: no example image installed: pip install matplotlib", file=sys.stderr)
        return 1
    for path in found if args else found[:1]:
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
