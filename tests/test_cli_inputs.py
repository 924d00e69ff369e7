"""``ina_face_analyzer``'s inputs: thousands of paths on the command line, folders, input lists."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from PIL import Image

from inafaceanalyzer.cli.analyze import main
from videogen import write_video


def installed(name: str) -> str:
    """The console script installed with the package (next to this Python, else on PATH)."""
    beside = Path(sys.executable).parent / name
    return str(beside) if beside.exists() else (shutil.which(name) or name)


@pytest.fixture
def face_jpg(tmp_path, astronaut) -> Path:
    path = tmp_path / "face.jpg"
    Image.fromarray(astronaut[10:230, 120:320]).save(path)  # one face, small: fast to analyse
    return path


def test_five_thousand_inputs_on_the_installed_command(tmp_path, face_jpg):
    """onnxruntime 1.29 and 1.30 segfault on import with a long command line (exit 139, no message)."""
    real = tmp_path / "real"
    real.mkdir()
    inputs = []
    for i in range(5000):
        if i % 50 == 0:  # 100 real images (links to one face), in between 4,900 paths that do not exist
            link = real / f"img{i:04d}.jpg"
            link.symlink_to(face_jpg)
            inputs.append(str(link))
        else:
            inputs.append(str(tmp_path / "missing" / f"photo number {i:04d}.jpg"))
    assert sum(map(len, inputs)) > 32_000 * 4
    out = tmp_path / "r.csv"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    done = subprocess.run([installed("ina_face_analyzer"), "--engine", "image", "-i", *inputs, "-o", str(out)],
                          capture_output=True, text=True, env=env, timeout=600)
    assert done.returncode == 1, done.stderr[-2000:]  # some inputs failed; not 139 (SIGSEGV)
    errors = [line for line in done.stderr.splitlines() if ": error: " in line]
    assert len(errors) == 4900 and all(line.endswith(".jpg: no such file") for line in errors)
    df = pd.read_csv(out)
    assert df.frame.tolist() == [p for p in inputs if "/real/" in p]
    assert (df.sex_label == "f").all()
    assert "100 faces in 100 images written to" in done.stderr


def test_folders_are_searched_recursively_for_the_engine_s_media(tmp_path, face_jpg, astronaut, capsys):
    root = tmp_path / "archive"
    (root / "b" / "deeper").mkdir(parents=True)
    (root / "a").mkdir()
    (root / ".hidden").mkdir()
    for rel in ["b/deeper/3.JPG", "a/2.png", "1.jpg", ".hidden/x.jpg"]:
        shutil.copy(face_jpg, root / rel)
    (root / "notes.txt").write_text("not an image")
    write_video(root / "a" / "clip.mp4", [astronaut[10:230, 120:320]] * 5, rate=5)
    out = tmp_path / "r.csv"
    assert main(["--engine", "image", "-q", "-i", str(root), "-o", str(out)]) == 0
    assert pd.read_csv(out).frame.tolist() == [str(root / p) for p in ["1.jpg", "a/2.png", "b/deeper/3.JPG"]]
    outdir = tmp_path / "videos"
    assert main(["--engine", "video", "-q", "--fps", "5", "-i", str(root), "-o", str(outdir)]) == 0
    assert sorted(p.name for p in outdir.iterdir()) == ["clip.csv", "clip.json"]
    assert len(pd.read_csv(outdir / "clip.csv")) == 5
    empty = tmp_path / "empty"
    empty.mkdir()
    capsys.readouterr()
    assert main(["--engine", "image", "-i", str(empty), str(face_jpg), "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert f"{empty}: no image found in this folder or its subfolders" in err
    assert "1 faces in 1 images written to" in err
    assert len(pd.read_csv(out)) == 1


@pytest.mark.parametrize("content", [None, b"\xff\xfe\x00broken"])
def test_unreadable_input_list_says_what_to_do(tmp_path, content, capsys):
    listing = tmp_path / "list.txt"
    if content is not None:
        listing.write_bytes(content)
    with pytest.raises(SystemExit) as info:
        main(["--engine", "image", "-l", str(listing), "-o", str(tmp_path / "r.csv")])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith(f"ina_face_analyzer: error: -l {listing}: ") and err.count("\n") == 1
    assert "text file naming one image, video or folder per line, or list the inputs after -i" in err
