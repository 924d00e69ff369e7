#!/usr/bin/env python3
"""The fault-injection figures: runs the Ray cluster tests that kill a worker node and the driver.

Each prints one line: jobs in the list, finished, failed (with reason), re-run,
lost (must be 0). The cluster is two Ray nodes on loopback addresses
(127.0.0.2 head, 127.0.0.3 worker), see tests/test_campaign_ray.py.

    python benchmarks/campaign_faults.py
"""

import subprocess
import sys

from _shared import ROOT


def main() -> int:
    cmd = [sys.executable, "-m", "pytest", "-q", "-s", "-p", "no:cacheprovider",
           str(ROOT / "tests" / "test_campaign_ray.py"), "-k", "kill"]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    lines = [line for line in proc.stdout.splitlines() if line.startswith("[") or " passed" in line or "failed" in line.split(" ")[:3]]
    print("\n".join(lines))
    return proc.returncode


if __name__ == "__main__":
    sys.exit(main())
