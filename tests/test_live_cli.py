"""The live command: a headless run, Ctrl-C, and refused or failing sources."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from inafaceanalyzer.cli.live import main
from live_clips import write_clip

BIN = Path(sys.executable).parent


@pytest.fixture(scope="module")
def clip(tmp_path_factory, astronaut) -> Path:
    return write_clip(tmp_path_factory.mktemp("cli") / "two.mp4", astronaut, 2)


def test_headless_run_writes_every_output(clip, tmp_path, capsys):
    status = main(["--source", str(clip), "--headless", "-o", str(tmp_path), "--mp4_export", "--detect_period", "3"])
    assert status == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["two.csv", "two.json", "two.mp4"]
    sidecar = json.loads((tmp_path / "two.json").read_text())
    assert sidecar["options"]["detect_period"] == 3 and sidecar["live"]["stop_reason"] == "end of stream"
    err = capsys.readouterr().err
    assert "50 frames received" in err and "stopped: end of stream" in err


def test_ctrl_c_finishes_the_outputs(tmp_path, astronaut):
    clip = write_clip(tmp_path / "long.mp4", astronaut, 20)
    out = tmp_path / "out"
    out.mkdir()
    proc = subprocess.Popen([str(BIN / "ina_face_analyzer_live"), "--source", str(clip), "--headless", "-o", str(out),
                             "--mp4_export", "-q"], stderr=subprocess.PIPE, text=True)
    partial = out / "long.partial.csv"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        if partial.is_file() and len(partial.read_text().splitlines()) > 3:  # rows written as it goes
            break
        time.sleep(0.1)
    assert proc.poll() is None, proc.stderr.read()
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert sorted(p.name for p in out.iterdir()) == ["long.csv", "long.json", "long.mp4"]  # no partial, no temp
    sidecar = json.loads((out / "long.json").read_text())
    live = sidecar["live"]
    assert live["stop_reason"] == "interrupted" and live["frames_received"] < 500
    assert live["frames_received"] == live["frames_analysed"] + live["frames_dropped"]
    assert len((out / "long.csv").read_text().splitlines()) == sidecar["analysis"]["faces"] + 1


def test_source_that_cannot_be_opened(tmp_path, capsys):
    assert main(["--source", str(tmp_path / "absent.mp4"), "--headless", "-o", str(tmp_path), "-q"]) == 1
    err = capsys.readouterr().err.strip()
    assert err == f"ina_face_analyzer_live: error: {tmp_path / 'absent.mp4'}: no such file"
    assert list(tmp_path.iterdir()) == []  # nothing written


@pytest.mark.parametrize("args, message", [
    (["--mp4_export"], "--mp4_export needs -o OUTDIR"),
    (["-o", "/dev/null/out"], "cannot create the directory"),
    (["--fps", "0"], "--fps must be > 0"),
    (["--source_option", "novalue"], "expected KEY=VALUE"),
])
def test_bad_arguments(clip, args, message, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--source", str(clip), *args])
    assert exit_.value.code == 2 and message in capsys.readouterr().err


def test_partial_file_of_an_unfinished_run_is_not_overwritten(clip, tmp_path, capsys):
    (tmp_path / "two.partial.csv").write_text("frame\n1\n")
    with pytest.raises(SystemExit) as exit_:
        main(["--source", str(clip), "-o", str(tmp_path)])
    assert exit_.value.code == 2 and "left by a run that did not finish" in capsys.readouterr().err
    assert (tmp_path / "two.partial.csv").read_text() == "frame\n1\n"


def test_installed_commands():
    for name in ("ina_face_analyzer_live", "ina_face_analyzer_webcam_demo.py"):
        out = subprocess.run([str(BIN / name), "-h"], capture_output=True, text=True, check=True).stdout
        assert "--source" in out and "--headless" in out and "--no-realtime" in out
