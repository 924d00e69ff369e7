#!/usr/bin/env python3
"""Screenshots of a validation sample's annotate.html and of a report's corrected section.

    python benchmarks/validation_screenshot.py SAMPLE_DIR/annotate.html REPORT_DIR/report.html OUTDIR

The page is labelled for three items by keyboard (``f``/``m`` then an age digit) first, so that
the progress shows; the report is clipped to its ``#corrected`` section. Prints what the
browser saw (console errors, requests other than the page) and exits 1 if anything is wrong.
"""

import argparse
import base64
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))  # the Chromium test tooling
from browser import PageCheck, browser_page, page_problems  # noqa: E402


def shoot(session, path: Path, selector: str | None = None) -> None:
    clip = None
    if selector:
        rect = session.send("Runtime.evaluate", {
            "expression": f"JSON.stringify(document.querySelector('{selector}').getBoundingClientRect())",
            "returnByValue": True})["result"]["value"]
        import json

        r = json.loads(rect)
        top = r["y"] + session.send("Runtime.evaluate", {"expression": "window.scrollY",
                                                          "returnByValue": True})["result"]["value"]
        clip = {"x": max(r["x"] - 10, 0), "y": max(top - 10, 0), "width": r["width"] + 20,
                "height": r["height"] + 20, "scale": 1}
    params = {"format": "png", "captureBeyondViewport": True}
    if clip:
        params["clip"] = clip
    path.write_bytes(base64.b64decode(session.send("Page.captureScreenshot", params)["data"]))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("page", type=Path)
    ap.add_argument("report", type=Path)
    ap.add_argument("outdir", type=Path)
    args = ap.parse_args()
    ok = True
    for html, name, keys, selector, size in (
            (args.page, "validation_annotate.png", ["m", "1", "f", "2", "m", "4"], None, (1100, 560)),
            (args.report, "validation_report_section.png", [], "#corrected", (1100, 900))):
        url = html.resolve().as_uri()
        with browser_page(*size) as session:
            session.send("Page.navigate", {"url": url})
            session.wait_for("Page.loadEventFired")
            for k in keys:
                session.send("Input.dispatchKeyEvent", {"type": "keyDown", "key": k, "text": k,
                                                        "windowsVirtualKeyCode": ord(k.upper())})
                session.send("Input.dispatchKeyEvent", {"type": "keyUp", "key": k,
                                                        "windowsVirtualKeyCode": ord(k.upper())})
            shoot(session, args.outdir / name, selector)
            check = PageCheck(url)
            page_problems(session, url, check)
        print(f"{name}: console errors {check.console_errors or 'none'}, requests {check.requests or 'none'}")
        ok = ok and not check.console_errors and not check.requests
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
