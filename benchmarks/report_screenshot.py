#!/usr/bin/env python3
"""Render the representation report of RESULTS and screenshot it in headless Chromium.

    python benchmarks/report_screenshot.py RESULTS... OUT.png [--report-dir DIR] [--width 1280]
    python benchmarks/report_screenshot.py --generate 6 OUT.png     # generated realistic results

RESULTS are what ``ina_face_analyzer_report`` takes (results files, folders, campaign
tables); e.g. the 10-minute benchmark video analysed with tracking:

    python ../shared/tools/make_bench_video.py bench-cache/bench10.mp4 --minutes 10
    ina_face_analyzer.py --engine videotracking --fps 1 -i bench-cache/bench10.mp4 -o bench-cache/bench10/
    python benchmarks/report_screenshot.py bench-cache/bench10/ bench-cache/bench10-report.png

Prints what the browser saw: console errors, requests other than the page, each figure's
natural size, horizontal overflow; exits 1 if any of these is wrong. The full-page PNG is
for checking by eye.
"""

import argparse
import sys
import tempfile
from pathlib import Path

from _shared import CACHE, ROOT
from _synthetic_results import write_programmes

from inafaceanalyzer.report import ReportOptions, build_report

sys.path.insert(0, str(ROOT / "tests"))  # the Chromium checker is test tooling, not part of the package
from browser import check_page  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("paths", nargs="+", metavar="RESULTS... OUT.png")
    ap.add_argument("--generate", type=int, default=0, metavar="N",
                    help="report on N generated realistic tracked programmes instead of RESULTS")
    ap.add_argument("--report-dir", type=Path, default=None, help="keep the report here (default: a temporary folder)")
    ap.add_argument("--width", type=int, default=1280, help="browser viewport width in CSS pixels")
    ap.add_argument("--fps", type=float, default=None, help="for results without a sidecar")
    ap.add_argument("--title", default="Representation report")
    args = ap.parse_args()
    *results, png = args.paths
    if args.generate:
        folder = CACHE / "report-screenshot" / f"generated-{args.generate}"
        if not folder.is_dir():
            write_programmes(folder, args.generate, seed=1, minutes=(8, 25))
        results = [str(folder)]
    if not results or not png.endswith(".png"):
        ap.error("give RESULTS... (or --generate N) and then OUT.png")
    with tempfile.TemporaryDirectory() as tmp:
        outdir = args.report_dir or Path(tmp)
        result = build_report(results, outdir, ReportOptions(fps=args.fps, title=args.title))
        for p in result.problems:
            print(f"input {p.kind}: {p}")
        for w in result.warnings:
            print(f"warning: {w}")
        check = check_page(result.html, png, width=args.width)
    s = result.tables.summary.iloc[0]
    print(f"{int(s['videos'])} videos ({int(s['videos_tracked'])} tracked), women's share of face-time "
          f"{s['share_women_facetime']:.3f}; screenshot: {png}")
    print(f"console errors: {check.console_errors or 'none'}")
    print(f"requests besides the page: {check.requests or 'none'}")
    print("figures (natural size): " + ", ".join(f"{i['width']}x{i['height']}" for i in check.images))
    print(f"page width {check.scroll_width} px in a {check.client_width} px viewport"
          f"{' (overflows sideways)' if check.overflows_sideways else ''}")
    ok = not check.console_errors and not check.requests and check.images_ok and not check.overflows_sideways
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
