"""MkDocs hook: reference pages generated from the code at build time (never hand-copied).

- ``reference/cli/<command>.md``: every command's options, rendered from its argument
  parser: each console script of ``pyproject.toml`` that runs ``inafaceanalyzer._cli.<module>``
  (``build_parser()``, or the distributed server's and worker's parsers), also added to the
  nav under the entry pointing at ``reference/cli/index.md``;
- ``reference/results-schema.md``: the results table's columns per engine and their meaning,
  from the results contract (``results.columns``: ``engine_columns`` and ``COLUMNS``), the
  campaign status table's from ``campaign.status.STATUS_COLUMNS`` (meanings in
  ``STATUS_MEANINGS`` below), and the JSON sidecar's keys, from ``VideoAnalysis.metadata()``
  (built by ``results.sidecar.sidecar_document``). The build fails when an engine writes a
  column without a meaning, or a meaning names a column no engine writes.

Registered in ``mkdocs.yml`` (``hooks:``).
"""

from __future__ import annotations

import argparse
import json
import re
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from mkdocs.structure.files import File, Files


@dataclass(frozen=True)
class Command:
    name: str
    module: str
    factory: str
    aliases: tuple[str, ...] = ()


ROOT = Path(__file__).resolve().parents[1]


def commands() -> list[Command]:
    """Every console script of ``pyproject.toml`` that runs ``inafaceanalyzer._cli.<module>:<x>main``.

    Its parser is the module's ``build_parser()`` for ``main``, ``<x>_parser()`` for
    ``<x>_main``; the command's name is the parser's ``prog``, the other scripts running the
    same function are its aliases. A new command therefore gets its page without editing this.
    """
    import importlib
    import tomllib

    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["scripts"]
    by_target: dict[str, list[str]] = {}
    for name, target in scripts.items():
        if target.startswith("inafaceanalyzer._cli."):
            by_target.setdefault(target, []).append(name)
    found = []
    for target, names in by_target.items():
        module_name, function = target.removeprefix("inafaceanalyzer._cli.").split(":")
        factory = "build_parser" if function == "main" else function.removesuffix("_main") + "_parser"
        module = importlib.import_module(f"inafaceanalyzer._cli.{module_name}")
        if not hasattr(module, factory):
            raise ValueError(f"docs hook: {target} has no {factory}() to document it from")
        prog = getattr(module, factory)().prog
        primary = prog if prog in names else names[0]
        found.append(Command(primary, module_name, factory, tuple(n for n in names if n != primary)))
    return found


def cli_page_path(command: Command) -> str:
    return f"reference/cli/{command.name.removesuffix('.py')}.md"


def _cell(text: str) -> str:
    """Markdown text on one table line."""
    return " ".join(text.split()).replace("|", "\\|")


def _plain(text: str) -> str:
    """Plain text (argparse help) on one table line: ``<basename>`` is not HTML."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    for char in "[]*_`":  # not links, emphasis or code
        text = text.replace(char, "\\" + char)
    return _cell(text)


def _code(text: str) -> str:
    return f"`{text}`" if text else ""


def _default(action: argparse.Action) -> str:
    if action.default in (None, argparse.SUPPRESS) or isinstance(action, (
            argparse._StoreTrueAction, argparse._StoreFalseAction, argparse._HelpAction, argparse._VersionAction)):
        return ""
    if isinstance(action.default, (list, tuple)):
        return _code(" ".join(map(str, action.default)))
    return _code(str(action.default))


def _argument(action: argparse.Action, formatter: argparse.HelpFormatter) -> str:
    if action.nargs == 0:
        return ""
    if action.choices is not None and action.metavar is None:
        return " \\| ".join(_code(str(c)) for c in action.choices)
    names = formatter._format_args(action, action.dest.upper())
    return _code(names)


def render_parser(command: Command, parser: argparse.ArgumentParser) -> str:
    """One Markdown page: usage, description, one options table per argument group, epilog."""
    formatter = parser._get_formatter()
    lines = [f"# `{command.name}`", ""]
    if command.aliases:
        lines += ["Also installed as " + ", ".join(f"`{a}`" for a in command.aliases) + ".", ""]
    lines += ["Generated from the command's argument parser "
              f"(`inafaceanalyzer._cli.{command.module}.{command.factory}()`); "
              f"`{command.name} -h` prints the same (older spellings, if any, are listed last).", ""]
    lines += ["```text", parser.format_usage().strip(), "```", ""]
    if parser.description:
        lines += ["```text", parser.description.strip(), "```", ""]
    for group in parser._action_groups:
        actions = [a for a in group._group_actions if a.help is not argparse.SUPPRESS]
        if not actions:
            continue
        title = group.title or "Options"
        lines += [f"## {title[:1].upper() + title[1:]}", ""]
        if group.description:
            lines += [group.description.strip(), ""]
        lines += ['<div class="cli-options" markdown="1">', "",
                  "| option | argument | default | description |", "| --- | --- | --- | --- |"]
        for action in actions:
            names = ", ".join(_code(s) for s in action.option_strings) or _code(str(action.metavar or action.dest))
            help_text = formatter._expand_help(action) if action.help else ""
            help_text = re.sub(r"\s*\(default: [^()]*\)$", "", help_text)  # the default has its column
            lines.append(f"| {names} | {_argument(action, formatter)} | {_default(action)} | {_plain(help_text)} |")
        lines += ["", "</div>", ""]
    hidden = [a for a in parser._actions if a.help is argparse.SUPPRESS and a.option_strings]
    if hidden:
        lines += ["## Older spellings", "",
                  "Accepted for the original's command lines, not listed by `-h`:", "",
                  '<div class="cli-options" markdown="1">', "",
                  "| option | argument | sets |", "| --- | --- | --- |"]
        lines += [f"| {', '.join(_code(s) for s in a.option_strings)} | {_argument(a, formatter)} | `{a.dest}` |"
                  for a in hidden]
        lines += ["", "</div>", ""]
    if parser.epilog:
        lines += ["## Notes", "", "```text", parser.epilog.strip(), "```", ""]
    return "\n".join(lines)


def cli_pages(found: list[Command]) -> dict[str, str]:
    import importlib

    pages = {}
    for command in found:
        module = importlib.import_module(f"inafaceanalyzer._cli.{command.module}")
        pages[cli_page_path(command)] = render_parser(command, getattr(module, command.factory)())
    index = ["# Command-line reference", "",
             "One page per command, generated at build time from its argument parser:", ""]
    index += [f"- [`{c.name}`]({cli_page_path(c).removeprefix('reference/cli/')})" for c in found]
    pages["reference/cli/index.md"] = "\n".join(index) + "\n"
    return pages


# --- results schema -------------------------------------------------------------------------

STATUS_MEANINGS = {
    "source_path": "the job's video (resolved path or URL)",
    "dest_csv": "the job's results table (resolved path)",
    "dest_ass": "the job's subtitle export (may be empty)",
    "dest_mp4": "the job's annotated-video export (may be empty)",
    "state": "`pending`, `running`, `retrying` (an attempt failed, another is queued), `done`, `failed` "
             "(gave up), `skipped` (every output already existed)",
    "attempts": "attempts over every run of the campaign",
    "worker": "`hostname:pid` of the last attempt",
    "node": "Ray node IP of the last attempt",
    "started": "UTC time the last attempt started",
    "finished": "UTC time the last attempt finished",
    "duration_s": "seconds of the last attempt",
    "faces": "face rows the job found",
    "frames_analysed": "frames the job analysed",
    "error": "the last error (`<file>: <reason>`)",
    "error_kind": "`permanent` (unusable input or unwritable output: not retried) or `transient` (worker or "
                  "node died, time limit, I/O error: retried up to `--retries` times)",
    "inafaceanalyzer_version": "the worker's package version",
    "models_sha256": "each model's `file=sha256`",
    "options": "the analysis options (JSON)",
}


def _check(kind: str, produced: list[str], meanings: dict[str, str]) -> None:
    missing = [c for c in produced if c not in meanings]
    stale = [c for c in meanings if c not in produced]
    if missing or stale:
        raise ValueError(f"docs hook: {kind} columns without a meaning: {missing}; "
                         f"meanings of columns the code no longer has: {stale} (edit results/columns.py or tools/docs_hooks.py)")


def _sidecar_example() -> dict:
    import pandas as pd

    from inafaceanalyzer.engines.analyzers import VideoAnalysis
    from inafaceanalyzer.engines.leftout import LeftOut
    from inafaceanalyzer.media.video import DecodeStats, VideoInfo

    info = VideoInfo(source="clip.mp4", width=960, height=540, fps=Fraction(25), duration_s=600.0,
                     codec="h264", has_audio=True, frame_count=15000, rotation=0)
    analysis = VideoAnalysis(pd.DataFrame(), info, "video", {"fps": 1.0}, frames_analysed=600,
                             frame_interval_s=1.0, first_time_s=0.0, last_time_s=599.0, decode=DecodeStats(),
                             left_out=LeftOut())
    return analysis.metadata()


def _keys(document: dict, prefix: str = "") -> list[tuple[str, str]]:
    rows = []
    for key, value in document.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict) and value and key != "options":
            rows.append((name, "object"))
            rows += _keys(value, name + ".")
        else:
            rows.append((name, type(value).__name__ if value is not None else "null"))
    return rows


def schema_page() -> str:
    from inafaceanalyzer import engines
    from inafaceanalyzer.campaign.status import STATUS_COLUMNS
    from inafaceanalyzer.classification import GenderAgeClassifier
    from inafaceanalyzer.results.columns import COLUMNS, engine_columns

    classes = {name: engines.spec(name).analyzer for name in engines.names()}
    per_engine = {name: engine_columns(GenderAgeClassifier, cls.tracked, cls.timed) for name, cls in classes.items()}
    produced = list(dict.fromkeys(c for cols in per_engine.values() for c in cols))
    meanings = {name: column.meaning for name, column in COLUMNS.items()}
    _check("results", produced, meanings)
    _check("status", list(STATUS_COLUMNS), STATUS_MEANINGS)
    lines = ["# Results tables and sidecar", "",
             "Generated at build time from the code that writes them "
             "(the results contract `inafaceanalyzer.results`: `results.columns.COLUMNS` and "
             "`engine_columns`, `results.sidecar.sidecar_document` via `VideoAnalysis.metadata()`; "
             "`campaign.status.STATUS_COLUMNS`); the build fails when a column has no description here.", "",
             "## Columns of the results table, per engine", "",
             "In this order in the CSV (the original's columns first, new ones appended).", "",
             "| engine | columns |", "| --- | --- |"]
    lines += [f"| `{name}` | {', '.join(_code(c) for c in cols)} |" for name, cols in per_engine.items()]
    lines += ["", "## What each column means", "", "| column | type (pandas) | meaning |", "| --- | --- | --- |"]
    lines += [f"| `{c}` | `{COLUMNS[c].dtype}` | {_cell(meanings[c])} |" for c in produced]
    sidecar = _sidecar_example()
    lines += ["", "## The JSON sidecar", "",
              "Video engines write `<basename>.json` next to `<basename>.csv`: the source, engine, options, "
              "video properties, how many frames were analysed and how long each stands for "
              "(`frame_interval_s`; `null` for keyframes), the faces left out by each filter, and the "
              "provenance (package version, models' files, licences and sha256). Its keys:", "",
              "| key | type |", "| --- | --- |"]
    lines += [f"| `{k}` | {t} |" for k, t in _keys(sidecar)]
    example = {k: v for k, v in sidecar.items() if k != "provenance"}
    lines += ["", "An example (a 10-minute video analysed with `--fps 1`, provenance left out):", "",
              "```json", json.dumps(example, indent=2, default=str), "```", "",
              "## Campaign status table", "",
              "`<joblist stem>.status.csv`, one row per job (see [campaigns](../guide/campaigns.md)):", "",
              "| column | meaning |", "| --- | --- |"]
    lines += [f"| `{c}` | {_cell(STATUS_MEANINGS[c])} |" for c in STATUS_COLUMNS]
    return "\n".join(lines) + "\n"


CLI_NAV = "reference/cli/index.md"


def _expand_cli_nav(nav: list, entries: list) -> bool:
    """Replace the nav item pointing at :data:`CLI_NAV` by the index and one entry per command."""
    for i, item in enumerate(nav):
        if isinstance(item, dict):
            ((title, value),) = item.items()
            if value == CLI_NAV:
                nav[i] = {title: entries}
                return True
            if isinstance(value, list) and _expand_cli_nav(value, entries):
                return True
    return False


def on_config(config):
    found = commands()
    entries = [CLI_NAV] + [{c.name: cli_page_path(c)} for c in found]
    if not config.nav or not _expand_cli_nav(config.nav, entries):
        raise ValueError(f"docs hook: mkdocs.yml's nav has no entry pointing at {CLI_NAV}")
    config["extra"]["cli_commands"] = found
    return config


def on_files(files: Files, config) -> Files:
    pages = cli_pages(config["extra"]["cli_commands"])
    pages["reference/results-schema.md"] = schema_page()
    for path, content in pages.items():
        files.append(File.generated(config, path, content=content))
    return files
