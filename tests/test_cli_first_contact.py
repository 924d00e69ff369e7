"""First contact with the command lines: engine from the inputs, created output folders, option spellings,
help defaults, option names in messages, progress off a terminal, the sidecar's absolute source."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from PIL import Image

from inafaceanalyzer.cli import analyze, campaign, common, distributed, evaluate, live, report
from inafaceanalyzer.media.files import absolute_source
from inafaceanalyzer.report.sidecar import read_sidecar
from test_cli_inputs import installed
from videogen import write_video

PARSERS = {
    "ina_face_analyzer": analyze.build_parser, "ina_face_analyzer_evaluate": evaluate.build_parser,
    "ina_face_analyzer_report": report.build_parser, "ina_face_analyzer_campaign": campaign.build_parser,
    "ina_face_analyzer_live": live.build_parser, "distributed_server": distributed.server_parser,
    "distributed_worker": distributed.worker_parser,
}


@pytest.fixture
def face(astronaut) -> object:
    return astronaut[10:230, 120:320]


@pytest.fixture
def media(tmp_path, face) -> dict[str, Path]:
    photo = tmp_path / "in" / "photo.jpg"
    photo.parent.mkdir()
    Image.fromarray(face).save(photo)
    clip = write_video(tmp_path / "in" / "clip.mp4", [face] * 5, rate=5)
    return {"photo": photo, "clip": clip}


# item 9: the engine from the inputs; output folders created


def test_engine_is_chosen_from_the_inputs_and_output_folders_are_created(tmp_path, media, capsys):
    out = tmp_path / "new" / "deeper" / "x.csv"
    assert analyze.main(["-q", "-i", str(media["photo"]), "-o", str(out)]) == 0  # was: "must be an existing dir"
    assert pd.read_csv(out).frame.tolist() == [str(media["photo"])]
    outdir = tmp_path / "videos" / "run1"
    assert analyze.main(["-q", "--fps", "5", "-i", str(media["clip"]), "-o", str(outdir)]) == 0
    assert json.loads((outdir / "clip.json").read_text())["engine"] == "video"
    assert len(pd.read_csv(outdir / "clip.csv")) == 5


@pytest.mark.parametrize("inputs, output, message", [
    (["photo.jpg", "clip.mp4"], "x.csv", "the inputs mix images (photo.jpg) and videos (clip.mp4): analyse them "
                                         "in separate runs, with --engine image for the images and --engine video"),
    (["in"], "x.csv", "the inputs mix images (in) and videos (in)"),  # a folder holding both
    (["clip.mp4"], "x.csv", "-o x.csv: video engines write one CSV per input into a directory"),
    (["scan.raw"], "x.csv", "cannot tell from the inputs' names whether they are images or videos: give --engine "
                            "image (or preprocessed_image) or --engine video"),
    (["photo.jpg"], "x.csv --fps 1", "--fps applies to video engines, not --engine image (chosen from the inputs"),
])
def test_engine_choice_refusals_say_which_engine_to_use(tmp_path, media, monkeypatch, capsys, inputs, output,
                                                         message):
    monkeypatch.chdir(media["photo"].parent.parent if inputs == ["in"] else media["photo"].parent)
    with pytest.raises(SystemExit) as info:
        analyze.main(["-i", *inputs, "-o", *output.split()])
    assert info.value.code == 2
    assert message in capsys.readouterr().err
    assert not Path("x.csv").exists()


def test_campaign_live_and_evaluate_create_their_output_folders(tmp_path, media):
    (tmp_path / "r.csv").write_text("frame\n")
    (tmp_path / "r.json").write_text("{}")
    jobs = tmp_path / "jobs.csv"
    jobs.write_text("source_path,dest_csv\nv.mp4,r.csv\n")
    status = tmp_path / "status" / "of" / "jobs.csv"
    assert campaign.main([str(jobs), "-q", "--status", str(status)]) == 0  # nothing to do: no Ray started
    assert "skipped" in status.read_text()
    parser = live.build_parser()
    args = parser.parse_args(["--source", str(media["clip"]), "-o", str(tmp_path / "live" / "out")])
    live.validate(parser, args)
    assert (tmp_path / "live" / "out").is_dir()
    parser = evaluate.build_parser()
    args = parser.parse_args([str(tmp_path / "in"), "-o", str(tmp_path / "eval" / "deeper" / "out")])
    evaluate.parse_config(parser, args)  # used to refuse: "the directory ... does not exist"


# item 10: one spelling rule, defaults once, option names


@pytest.mark.parametrize("name", PARSERS)
def test_every_long_option_accepts_underscores_and_hyphens(name):
    parser = PARSERS[name]()
    options = [o for a in parser._actions for o in a.option_strings if o.startswith("--") and re.search(r"\w[-_]", o)]
    assert options
    for option in options:
        for spelling in (option.replace("_", "-"), "--" + option[2:].replace("-", "_")):
            assert parser.respell([spelling, f"{spelling}=1", "--", spelling]) == [option, f"{option}=1", "--",
                                                                                      spelling]


def test_both_spellings_parse_the_same():
    a = analyze.build_parser().parse_args(["-i", "x", "-o", "r.csv", "--min-face-size", "10", "--batch-size=4",
                                           "--face-detection-conf", "0.8"])
    assert (a.min_face_size, a.batch_size, a.face_detection_confidence) == (10, 4, 0.8)
    c = campaign.build_parser().parse_args(["j.csv", "--cpus_per_worker", "2", "--ray_address", "h:1",
                                            "--job-timeout", "5"])
    assert (c.cpus_per_worker, c.ray_address, c.job_timeout) == (2, "h:1", 5)
    r = report.build_parser().parse_args(["x.csv", "-o", "o", "--tables-only", "--age-brackets", "0,30"])
    assert r.tables_only and r.age_brackets.bounds[-1] == 30


@pytest.mark.parametrize("name", PARSERS)
def test_help_shows_each_default_once(name):
    parser = PARSERS[name]()
    formatter = parser._get_formatter()
    for action in parser._actions:
        if not action.help or action.help == "==SUPPRESS==":
            continue
        text = formatter._expand_help(action)
        assert text.count("default") <= 1, text
        assert not re.search(r"\(default: (None|False|\[\])\)", text), text
    assert "(default: video) (default: None)" not in parser.format_help()
    zero = [a for a in parser._actions if a.default == 0 and a.default is not False and a.help]
    for action in zero:  # a default of 0 is a default: shown
        assert formatter._expand_help(action).endswith("(default: 0)") or "default" in action.help \
            or formatter._expand_help(action).endswith("(default: 0.0)")


@pytest.mark.parametrize("argv, message", [
    (["-i", "x.jpg", "-o", "r.csv", "--face_detection_confidence", "2"], "--face_detection_confidence must be"),
    (["-i", "x.jpg", "-o", "r.csv", "--min_face_size_percent", "3"], "--min_face_size_percent must be"),
    (["-i", "x.jpg", "-o", "r.csv", "--face-detection-padding", "9"], "--face_detection_padding must be"),
    (["-i", "x.jpg", "-o", "r.csv", "--min_gender_confidence", "0.2"], "--min_gender_confidence must be"),
])
def test_messages_name_the_options_not_internal_fields(argv, message, capsys):
    with pytest.raises(SystemExit):
        analyze.main(argv)
    err = capsys.readouterr().err
    assert message in err
    assert not re.search(r"\b(minconf|min_size_prct|padd_prct)\b", err)


def test_report_message_names_the_option(tmp_path, capsys):
    with pytest.raises(SystemExit):
        report.main([str(tmp_path), "-o", str(tmp_path / "o"), "--bootstrap", "50"])
    assert "error: --bootstrap must be 0 (no intervals) or at least 100" in capsys.readouterr().err


# item 11: progress bars only on a terminal


def test_non_interactive_runs_print_one_line_per_input(tmp_path, media):
    photos = [media["photo"]] * 3
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    cmd = [installed("ina_face_analyzer"), "-i", *map(str, photos), "-o", str(tmp_path / "r.csv")]
    err = subprocess.run(cmd, capture_output=True, text=True, env=env, check=True).stderr
    assert "\r" not in err and "img/s" not in err and "it/s" not in err  # no bar redrawn in a log file
    assert [line for line in err.splitlines() if ": images " in line] == [
        f"ina_face_analyzer: images {i}/3" for i in (1, 2, 3)]
    assert subprocess.run([*cmd, "-q"], capture_output=True, text=True, env=env, check=True).stderr == ""


def test_bars_on_a_terminal_and_no_rate_for_the_bootstrap(capsys):
    terminal = common.Reporter("p", interactive=True)
    with terminal.bar(2, "images", unit="img", lines=True) as bar:
        assert not bar.disable
    bars = report._Bars(terminal)
    for stage in ("read", "bootstrap"):
        bars(stage, 0, 1000)
        bars(stage, 1000, 1000)
    bars.close()
    err = capsys.readouterr().err
    assert "reading rows" in err and "bootstrap" in err and "file/s" in err
    assert "rep/s" not in err  # the replicates come in vectorised blocks: a rate (24244531 rep/s) means nothing
    logged = common.Reporter("p", interactive=False)
    assert logged.bar(2, "frames").disable


@pytest.mark.slow
def test_local_ray_does_not_warn_about_its_token(tmp_path):
    code = ("from inafaceanalyzer.campaign import ray_backend as rb\n"
            "rb.connect(None, num_cpus=1)\nrb.shutdown()\n")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path), "HOME": str(tmp_path)}
    env.pop("RAY_AUTH_MODE", None)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Token authentication is enabled" not in done.stderr
    assert (tmp_path / ".ray" / "auth_token").is_file()  # token authentication is still on


# item 12: the sidecar's absolute source


def test_sidecar_keeps_the_source_as_typed_and_adds_its_absolute_path(tmp_path, media, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert analyze.main(["-q", "--fps", "5", "-i", "in/clip.mp4", "-o", "out"]) == 0
    sidecar = json.loads((tmp_path / "out" / "clip.json").read_text())
    assert sidecar["source"] == "in/clip.mp4"
    assert sidecar["source_abspath"] == str(tmp_path / "in" / "clip.mp4")
    assert read_sidecar(tmp_path / "out" / "clip.csv").source == "in/clip.mp4"
    assert report.main(["-q", "out", "-o", "rep", "--tables_only", "--bootstrap", "0"]) == 0
    assert absolute_source("http://host/a.mp4") == "http://host/a.mp4"
    assert absolute_source("/dev/video0") == "/dev/video0" and absolute_source("camera0") == "camera0"
