"""The documentation site builds strictly, its reference pages come from the code, and they render.

``mkdocs build --strict`` fails on a broken link or cross-reference; the command-line pages
are generated from each command's argument parser by ``tools/docs_hooks.py``, so every option
a parser has must appear on its page. The rendered page is then opened in headless Chromium.
"""

from __future__ import annotations

import html
import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import pytest

from browser import check_page, find_chromium

from inafaceanalyzer.campaign.status import STATUS_COLUMNS

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
docs_hooks = pytest.importorskip("docs_hooks", reason="mkdocs not installed: pip install '.[docs]'")

needs_mkdocstrings = pytest.mark.skipif(
    importlib.util.find_spec("mkdocstrings_handlers") is None,
    reason="mkdocstrings' python handler not installed: pip install '.[docs]'")
CHROMIUM = find_chromium()
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="no Chromium (/usr/bin/chromium or on PATH): apt-get install -y chromium")
needs_ws = pytest.mark.skipif(importlib.util.find_spec("websocket") is None,
                              reason="websocket-client not installed: pip install '.[test]'")


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("site")
    run = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "-d", str(out)],
                         cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-3000:]
    return out


def page_text(path: Path) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", path.read_text(encoding="utf-8")))


@needs_mkdocstrings
def test_cli_pages_list_every_option_of_every_parser(site):
    import importlib

    found = docs_hooks.commands()
    assert {c.name for c in found} >= {"ina_face_analyzer", "ina_face_analyzer_distributed_worker.py"}
    for command in found:
        parser = getattr(importlib.import_module(f"inafaceanalyzer.cli.{command.module}"), command.factory)()
        page = site / docs_hooks.cli_page_path(command).removesuffix(".md") / "index.html"
        text = page_text(page)
        options = [s for a in parser._actions for s in a.option_strings]
        assert options and all(o in text for o in options), (
            command.name, [o for o in options if o not in text])


@needs_mkdocstrings
def test_schema_page_and_api_pages(site):
    schema = page_text(site / "reference" / "results-schema" / "index.html")
    for column in ["frame", "bbox", "face_id", "track_conf", "sex_label_avg", "time", *STATUS_COLUMNS]:
        assert column in schema
    assert "frame_interval_s" in schema  # the sidecar's keys, from VideoAnalysis.metadata()
    engines = page_text(site / "reference" / "api" / "engines" / "index.html")
    assert "VideoTracking" in engines and "detect_period" in engines
    assert ":class:" not in engines and ":func:" not in engines  # Sphinx roles rendered as code
    export = (site / "reference" / "api" / "export" / "index.html").read_text(encoding="utf-8")
    assert "<pre" in export and not re.search(r"\w::", page_text(site / "reference" / "api" / "export" / "index.html"))


def test_readme_links_point_to_existing_files():
    """``mkdocs build --strict`` checks the site's links; the README is outside it."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    links = [t.split("#", 1)[0] for t in re.findall(r"\]\(([^)\s]+)\)", text) if "://" not in t]
    assert links and [t for t in links if t and not (ROOT / t).is_file()] == []


def test_schema_check_refuses_a_column_without_meaning():
    with pytest.raises(ValueError, match="without a meaning: \\['new_column'\\]"):
        docs_hooks._check("results", ["frame", "new_column"], {"frame": "..."})


@needs_mkdocstrings
@needs_chromium
@needs_ws
def test_cli_reference_page_renders_its_options_table_in_chromium(site, tmp_path):
    page = site / "reference" / "cli" / "ina_face_analyzer" / "index.html"
    check = check_page(page, tmp_path / "page.png", width=1280, height=900)
    # the search index runs in a Web Worker, which browsers refuse to pages opened as files (served
    # over HTTP it works); nothing else may fail, and nothing is fetched from the network
    assert [e for e in check.console_errors if "search/worker.js" not in e] == [], check.console_errors
    assert all(r.startswith("file://") for r in check.requests), check.requests
    assert check.title.startswith("ina_face_analyzer") and check.text_length > 2000
    assert not check.overflows_sideways, (check.scroll_width, check.client_width)
    # the DOM after the theme's scripts ran: the options tables, styled by base.js
    dom = subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--virtual-time-budget=5000",
                          f"--user-data-dir={tmp_path / 'profile'}", "--dump-dom", page.as_uri()],
                         capture_output=True, text=True, timeout=120).stdout
    tables = re.findall(r"<table[^>]*>.*?</table>", dom, flags=re.S)
    options = [t for t in tables if "<th>option</th>" in t.replace(" ", "")]
    assert options, "no options table in the rendered page"
    assert any("--fps" in t and "--detect_period" in t for t in options)
    assert all('class="table' in t for t in options)  # base.js ran and styled them
