"""The HTML report: self-contained, and opened in headless Chromium (console, figures, screenshot)."""

from __future__ import annotations

import re
import struct

import pytest
from _report_data import rows, sidecar, write
from browser import check_page, find_chromium  # tests/browser.py: test-only Chromium tooling

from inafaceanalyzer.report import ReportOptions, build_report

CHROMIUM = find_chromium()
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="no Chromium (/usr/bin/chromium or on PATH): apt-get install -y chromium")
try:
    import websocket  # noqa: F401

    HAVE_WS = True
except ImportError:
    HAVE_WS = False
needs_ws = pytest.mark.skipif(not HAVE_WS, reason="websocket-client not installed: pip install '.[test]'")


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    d = tmp_path_factory.mktemp("report")
    spec = []
    for t in range(300):  # 5 minutes at 1 fps: two people, a third one for a while
        spec.append((float(t), 1, "f", 34.0, "f", 35.0))
        if t % 3:
            spec.append((float(t), 2, "m", 61.0, "m", 60.0))
        if 100 <= t < 160:
            spec.append((float(t), 3, "u", 12.0, "u", 11.0))
    write(d / "in" / "news_tracked.csv", rows(spec, tracked=True), sidecar("videotracking", frames=320))
    write(d / "in" / "a very long programme name that should wrap rather than widen the page.csv",
          rows([(float(t), "m" if t % 4 else "f", 45.0) for t in range(0, 200, 2)]), sidecar(interval=2.0, frames=100))
    (d / "in" / "broken.csv").write_text("frame,bbox,sex_label,time\n0,\"(1, 2, 3, 4)\",f,x\n")
    result = build_report([d / "in"], d / "out", ReportOptions(n_bootstrap=200, title="Test <report> & co"))
    return result


def test_html_is_self_contained_and_says_what_applied(report):
    html = report.html.read_text(encoding="utf-8")
    assert "<script" not in html.lower()
    # every src/href is a data: URI (no file, no network)
    for url in re.findall(r'(?:src|href)\s*=\s*["\']([^"\']+)', html):
        assert url.startswith("data:"), url
    assert len(re.findall(r'<img src="data:image/png;base64,', html)) == 4
    assert "Test &lt;report&gt; &amp; co" in html  # escaped
    assert "people tracked (face_id)" in html and "per-face labels (people not available)" in html
    assert "not in the denominator" in html
    assert "broken.csv" in html  # the left-out file is listed


def _png_size(path):
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


@needs_chromium
@needs_ws
def test_report_in_headless_chromium(report, tmp_path):
    shot = tmp_path / "report.png"
    check = check_page(report.html, shot, width=1280, height=900)
    assert check.console_errors == []
    assert check.requests == []  # nothing fetched: self-contained
    assert len(check.images) == 4 and check.images_ok, check.images
    assert all(i["width"] >= 600 and i["height"] >= 200 for i in check.images)
    assert not check.overflows_sideways, (check.scroll_width, check.client_width)
    assert check.title == "Test <report> & co" and check.text_length > 1000
    width, height = _png_size(shot)
    assert width == 1280 and height > 2000  # the full page, not just the viewport
    narrow = check_page(report.html, width=820, height=900)
    assert narrow.console_errors == [] and not narrow.overflows_sideways, (narrow.scroll_width, narrow.client_width)


@needs_chromium
@needs_ws
def test_the_checker_catches_console_errors_and_broken_images(tmp_path):
    page = tmp_path / "bad.html"
    page.write_text('<!DOCTYPE html><html><head><title>bad</title></head><body><img src="missing.png">'
                    '<script>console.error("boom"); notDefined();</script><div style="width:3000px">x</div></body>'
                    "</html>")
    check = check_page(page)
    text = " | ".join(check.console_errors)
    assert "boom" in text and "notDefined" in text and "missing.png" in text
    assert not check.images_ok and check.overflows_sideways
    assert any(r.endswith("missing.png") for r in check.requests)
