"""The commands shown in the README and docs/ use options their command really has.

A user copies these lines verbatim; an option documented for the wrong command (as
``--age_flip`` once was for ``ina_face_analyzer``) or an install line that fetches another
package (``pip install 'inaFaceAnalyzer[live]'`` installs the original 0.6.3 from PyPI)
costs them an afternoon.
"""

from __future__ import annotations

import argparse
import re
import shlex
from pathlib import Path

import pytest

from inafaceanalyzer.cli import analyze, campaign, evaluate, live, report

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("**/*.md"))]
PARSERS = {
    "ina_face_analyzer": analyze.build_parser, "ina_face_analyzer.py": analyze.build_parser,
    "ina_face_analyzer_evaluate": evaluate.build_parser, "ina_face_analyzer_report": report.build_parser,
    "ina_face_analyzer_campaign": campaign.build_parser, "ina_face_analyzer_live": live.build_parser,
    "ina_face_analyzer_webcam_demo.py": live.build_parser,
}


def command_lines(text: str) -> list[str]:
    """Lines of fenced code blocks and inline code spans that start with one of our commands."""
    lines = []
    for block in re.findall(r"```[a-z]*\n(.*?)```", text, flags=re.S):
        lines += [line.strip() for line in block.replace("\\\n", " ").splitlines()]
    lines += re.findall(r"`([^`\n]+)`", re.sub(r"```.*?```", "", text, flags=re.S))
    return [line for line in lines if line.split(" ", 1)[0] in PARSERS]


def options_of(parser: argparse.ArgumentParser) -> set[str]:
    return {opt.replace("-", "_").lstrip("_") for action in parser._actions for opt in action.option_strings}


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_documented_options_exist(doc: Path):
    wrong = []
    for line in command_lines(doc.read_text(encoding="utf-8")):
        try:
            words = shlex.split(line.split("#", 1)[0])
        except ValueError:
            continue
        known = options_of(PARSERS[words[0]]())
        wrong += [f"{words[0]} {w}" for w in words[1:]
                  if w.startswith("--") and w.split("=", 1)[0].replace("-", "_").lstrip("_") not in known]
    assert not wrong, f"{doc.name} documents options the command does not have: {wrong}"


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_no_install_line_fetches_the_original_from_pypi(doc: Path):
    text = doc.read_text(encoding="utf-8")
    assert not re.search(r"pip install ['\"]?inaFaceAnalyzer\[", text, flags=re.I), (
        f"{doc.name}: 'pip install inaFaceAnalyzer[...]' installs the original 0.6.3 from PyPI; "
        "use pip install '.[extra]' from this repository")
