"""The analysis options are defined once (inafaceanalyzer.options) and every consumer derives from that table."""

from __future__ import annotations

import argparse
from dataclasses import fields, replace

import pytest

from inafaceanalyzer import options
from inafaceanalyzer.abstention import AbstentionRule
from inafaceanalyzer.cli import analyze, campaign, evaluate, live
from inafaceanalyzer.detection import DetectionOptions
from inafaceanalyzer.jobs import AnalysisOptions
from inafaceanalyzer.live.session import LiveOptions

# AnalysisOptions fields each command declares itself: the engine (its choices depend on the command) and the
# videoprecomputed engine's boxes; every other field is an option of the table.
PER_COMMAND = {"engine", "detections"}
PARSERS = {"analyze": analyze.build_parser, "live": live.build_parser, "campaign": campaign.build_parser,
           "evaluate": evaluate.build_parser}


def test_every_analysis_option_is_declared_once_in_the_table():
    names = [option.name for option in options.OPTIONS]
    flags = [option.flag for option in options.OPTIONS]
    assert len(names) == len(set(names)) and len(flags) == len(set(flags))
    top = {name.partition(".")[0] for name in names}
    assert top == {f.name for f in fields(AnalysisOptions)} - PER_COMMAND
    assert {n.partition(".")[2] for n in names if n.startswith("detection.")} == {f.name for f in
                                                                                    fields(DetectionOptions)}
    assert {n.partition(".")[2] for n in names if n.startswith("abstention.")} == {f.name for f in
                                                                                     fields(AbstentionRule)}


@pytest.mark.parametrize("command", sorted(PARSERS))
def test_parsers_declare_the_table_options_and_nothing_else_under_their_names(command):
    parser = PARSERS[command]()
    by_dest: dict[str, list[argparse.Action]] = {}
    for action in parser._actions:
        by_dest.setdefault(action.dest, []).append(action)
    declared = 0
    for option in options.OPTIONS:
        actions = by_dest.get(option.destination, [])
        spellings = {s for a in actions for s in a.option_strings}
        assert spellings <= {option.flag, *option.aliases}, (command, option.name, spellings)
        if actions:
            declared += 1
            shown = [a for a in actions if a.help != argparse.SUPPRESS]
            assert len(shown) == 1, (command, option.flag)
            assert shown[0].type == option.type
    assert declared >= len(options.OPTIONS) - 2  # evaluate has no --fps nor --detect_period


def test_the_parsed_defaults_are_the_analysis_defaults():
    args = analyze.build_parser().parse_args(["-i", "a.mp4", "-o", "out"])
    parsed = AnalysisOptions(**options.from_namespace(args))
    # the command line abstains on children by default; the library answers every face unless asked
    assert replace(parsed, abstention=AbstentionRule()) == AnalysisOptions()
    assert parsed.abstention.child_age == options.BY_NAME["abstention.child_age"].default > 0


@pytest.mark.parametrize("name, field, value, reason", [
    ("batch_size", "batch_size", 0, "must be >= 1"),
    ("timeout", "timeout_s", 0, "must be > 0"),
    ("detection_max_side", "detection_max_side", 16, "must be >= 32"),
    ("detect_period", "detect_period", 0, "must be >= 1"),
])
def test_one_check_gives_the_library_and_command_line_messages(name, field, value, reason, capsys):
    with pytest.raises(ValueError, match=f"^{field} {reason}, got {value}$"):
        AnalysisOptions(engine="videotracking", **{field: value})
    with pytest.raises(SystemExit):
        live.main(["--source", "x.mp4", f"--{name}", str(value)])
    assert f"--{name} {reason}, got {value}" in capsys.readouterr().err


def test_live_options_take_the_same_checks():
    with pytest.raises(ValueError, match="^timeout_s must be > 0, got 0$"):
        LiveOptions(timeout_s=0)
    with pytest.raises(ValueError, match="^fps must be > 0, got -1$"):
        LiveOptions(fps=-1)


def test_field_names_in_messages_become_the_options_users_type():
    assert options.FIELD_FLAGS["minconf"] == "--face_detection_confidence"
    assert options.FIELD_FLAGS["timeout_s"] == "--timeout"
    assert "batch_size" not in options.FIELD_FLAGS  # spelled as its field
