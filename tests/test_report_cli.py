"""``ina_face_analyzer_report``: arguments, messages, exit status, outputs."""

from __future__ import annotations

import pandas as pd
import pytest
from _report_data import rows, sidecar, write

from inafaceanalyzer.cli.report import main


@pytest.fixture
def results(tmp_path):
    d = tmp_path / "results dir é"  # spaces and non-ASCII in paths
    write(d / "a.csv", rows([(0.0, 1, "f", 30.0, "f", 30.0), (1.0, 2, "m", 50.0, "m", 50.0)], tracked=True),
          sidecar("videotracking", frames=4))
    write(d / "b.csv", rows([(0.0, "m", 30.0), (1.0, "u", 30.0)]), sidecar(frames=2))
    return d


def test_help_explains(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["-h"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    for word in ("face-time", "--fps", "--block_s", "--bootstrap", "--age_brackets", "unknown", "dest_csv", "--quiet"):
        assert word in out


def test_report_written_quietly_exit_zero(results, tmp_path, capsys):
    out = tmp_path / "report"
    assert main([str(results), "-o", str(out), "-q", "--bootstrap", "200", "--age_brackets", "0,18,60"]) == 0
    assert capsys.readouterr().err == ""
    assert (out / "report.html").is_file()
    s = pd.read_csv(out / "summary.csv").iloc[0]
    assert s["videos"] == 2 and s["facetime_women_s"] == 1 and s["facetime_men_s"] == 2
    assert set(pd.read_csv(out / "age_brackets.csv").age_bracket) == {"0-17", "18-59", "60+", "unknown"}
    assert not [p for p in out.iterdir() if p.name.startswith(".")]  # no temporary file left


def test_bad_file_reported_on_one_line_and_exit_one(results, tmp_path, capsys):
    bad = results / "bad.csv"
    bad.write_text("frame,bbox,sex_label,time\n0,\"(1, 2, 3, 4)\",f,not-a-time\n")
    out = tmp_path / "report"
    assert main([str(results), "-o", str(out), "-q", "--bootstrap", "0", "--tables_only"]) == 1
    assert not (out / "report.html").exists()
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if "error:" in line]
    assert len(lines) == 1 and lines[0].startswith(f"ina_face_analyzer_report: error: {bad}: ")
    assert pd.read_csv(out / "summary.csv").iloc[0]["videos"] == 2


def test_nothing_usable_exit_two_and_nothing_written(tmp_path, capsys):
    bad = tmp_path / "only.csv"
    bad.write_text("frame,bbox\n")
    out = tmp_path / "report"
    assert main([str(bad), "-o", str(out), "-q"]) == 2
    err = capsys.readouterr().err
    assert "only.csv" in err and "no usable results file" in err
    assert not out.exists()


@pytest.mark.parametrize("args, message", [
    (["--age_brackets", "10,20"], "first lower bound must be 0"),
    (["--bootstrap", "10"], "at least 100"),
    (["--fps", "0"], "--fps must be positive"),
    (["--block_s", "abc"], "--block_s must be a number"),
    (["--confidence", "1.5"], "confidence"),
])
def test_bad_arguments_are_refused(results, tmp_path, capsys, args, message):
    with pytest.raises(SystemExit) as exc:
        main([str(results), "-o", str(tmp_path / "r"), *args])
    assert exc.value.code == 2
    assert message in capsys.readouterr().err


def test_outdir_that_is_a_file_is_refused(results, tmp_path, capsys):
    f = tmp_path / "file"
    f.write_text("x")
    with pytest.raises(SystemExit):
        main([str(results), "-o", str(f)])
    assert "not a folder" in capsys.readouterr().err


def test_console_script_declared():
    from importlib.metadata import entry_points

    from inafaceanalyzer._cli.report import main

    scripts = {e.name: e for e in entry_points(group="console_scripts")}
    # the installed entry point runs the report command (an install made before the move to _cli/ names
    # inafaceanalyzer.cli.report, an alias that is the same module)
    assert scripts["ina_face_analyzer_report"].load() is main
