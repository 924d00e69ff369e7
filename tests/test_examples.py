"""``python -m inafaceanalyzer.examples`` after a plain install (no scikit-image): a real face, no traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from inafaceanalyzer.examples import grace_hopper_path

# Runs the module as a plain install would: scikit-image (an extra) cannot be imported.
WITHOUT_SKIMAGE = ("import runpy, sys; sys.modules['skimage'] = None; "
                   "runpy.run_module('inafaceanalyzer.examples', run_name='__main__')")


def run_examples(*args: str, plain: bool = True) -> subprocess.CompletedProcess:
    code = WITHOUT_SKIMAGE if plain else WITHOUT_SKIMAGE.replace("sys.modules['skimage'] = None; ", "")
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=120)


def test_examples_after_a_plain_install():
    done = run_examples()
    assert done.returncode == 0 and done.stderr == "", done.stderr
    assert done.stdout == f"{grace_hopper_path()}\n"  # one path: -i "$(python -m inafaceanalyzer.examples)"
    assert run_examples("--all").stdout == done.stdout


def test_examples_with_scikit_image_unchanged(astronaut_path):
    done = run_examples(plain=False)
    assert done.returncode == 0 and done.stdout == f"{astronaut_path}\n"
    assert run_examples("--all", plain=False).stdout.splitlines() == [str(astronaut_path), str(grace_hopper_path())]
    assert run_examples("--what", plain=False).returncode == 2


def test_the_always_installed_example_has_one_face(image_analyzer):
    df = image_analyzer(grace_hopper_path())
    assert len(df) == 1 and df.detect_conf[0] > 0.9
    x1, y1, x2, y2 = df.bbox[0]
    assert 150 < x2 - x1 < 350  # a portrait: the face fills a good part of the 512x600 image
