"""Open an HTML report in headless Chromium through the DevTools protocol and check it.

Test tooling (not shipped in the wheel), used by ``test_report_html.py`` and by
``benchmarks/report_screenshot.py``: console errors and uncaught
exceptions, browser log errors (a resource that failed to load), every request other
than the page itself (a self-contained report makes none), the figures (each ``img``
loaded with a non-zero natural size), horizontal overflow, and a full-page screenshot.

Needs a Chromium (Debian: ``apt-get install chromium``) and the ``websocket-client``
package (in the ``test`` extra).
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars", "--mute-audio", "--remote-debugging-port=0", "--remote-allow-origins=*"]

PAGE_PROBE = """JSON.stringify({
  images: Array.from(document.images).map(i => ({complete: i.complete, width: i.naturalWidth,
                                                 height: i.naturalHeight, alt: i.alt})),
  svgs: document.querySelectorAll('svg').length,
  scripts: document.scripts.length,
  scrollWidth: document.documentElement.scrollWidth,
  clientWidth: document.documentElement.clientWidth,
  title: document.title,
  text: document.body ? document.body.innerText.length : 0
})"""


class BrowserError(RuntimeError):
    """Chromium could not be started or driven."""


def find_chromium() -> str | None:
    """Path of a Chromium/Chrome executable: ``$CHROMIUM``, ``/usr/bin/chromium``, or on PATH."""
    env = os.environ.get("CHROMIUM")
    if env and Path(env).is_file():
        return env
    if Path("/usr/bin/chromium").is_file():
        return "/usr/bin/chromium"
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


@dataclass
class PageCheck:
    url: str
    console_errors: list[str] = field(default_factory=list)  # console.error/assert, exceptions, log errors
    requests: list[str] = field(default_factory=list)  # URLs requested besides the page (data: excluded)
    images: list[dict] = field(default_factory=list)
    svgs: int = 0
    scripts: int = 0
    scroll_width: int = 0
    client_width: int = 0
    title: str = ""
    text_length: int = 0
    screenshot: Path | None = None

    @property
    def images_ok(self) -> bool:
        return bool(self.images) and all(i["complete"] and i["width"] > 0 and i["height"] > 0 for i in self.images)

    @property
    def overflows_sideways(self) -> bool:
        return self.scroll_width > self.client_width


class _Session:
    """A flat DevTools session on one page target, over the browser's websocket."""

    def __init__(self, ws_url: str, timeout: float) -> None:
        import websocket  # websocket-client

        self.ws = websocket.create_connection(ws_url, timeout=timeout, suppress_origin=True)
        self.closed_errors = (websocket.WebSocketException, OSError, BrowserError)
        self.next_id = 0
        self.events: list[dict] = []
        self.session: str | None = None
        self.deadline = time.monotonic() + timeout

    def send(self, method: str, params: dict | None = None, session: bool = True) -> dict:
        self.next_id += 1
        msg: dict = {"id": self.next_id, "method": method, "params": params or {}}
        if session and self.session:
            msg["sessionId"] = self.session
        self.ws.send(json.dumps(msg))
        while True:
            reply = self._receive()
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise BrowserError(f"{method}: {reply['error'].get('message')}")
                return reply.get("result", {})

    def _receive(self) -> dict:
        if time.monotonic() > self.deadline:
            raise BrowserError("timed out waiting for Chromium")
        msg = json.loads(self.ws.recv())
        if "method" in msg:
            self.events.append(msg)
        return msg

    def wait_for(self, method: str) -> dict:
        for ev in self.events:
            if ev["method"] == method:
                return ev
        while True:
            msg = self._receive()
            if msg.get("method") == method:
                return msg

    def close(self) -> None:
        self.ws.close()


def _console_text(params: dict) -> str:
    args = params.get("args", [])
    return " ".join(str(a.get("value", a.get("description", ""))) for a in args)


@contextlib.contextmanager
def browser_page(width: int = 1280, height: int = 900, timeout: float = 60.0,
                 chromium: str | None = None) -> Iterator[_Session]:
    """Headless Chromium with one blank page, as a DevTools session (domains Runtime, Log, Page
    and Network enabled, events recorded in ``session.events``); closed on exit."""
    exe = chromium or find_chromium()
    if exe is None:
        raise BrowserError("no Chromium found (apt-get install chromium, or set $CHROMIUM)")
    with tempfile.TemporaryDirectory(prefix="inaface-chromium-") as profile:
        with open(Path(profile) / "chromium.log", "wb") as log:
            proc = subprocess.Popen([exe, *FLAGS, f"--user-data-dir={profile}", f"--window-size={width},{height}",
                                     "about:blank"], stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        session = None
        try:
            port_file = Path(profile) / "DevToolsActivePort"
            deadline = time.monotonic() + timeout
            while not (port_file.is_file() and len(port_file.read_text().splitlines()) >= 2):
                if proc.poll() is not None:
                    raise BrowserError(f"Chromium exited with status {proc.returncode} before DevTools was ready")
                if time.monotonic() > deadline:
                    raise BrowserError("Chromium did not open its DevTools port in time")
                time.sleep(0.05)
            port, path = port_file.read_text().splitlines()[:2]
            session = _Session(f"ws://127.0.0.1:{port}{path}", timeout)
            target = session.send("Target.createTarget", {"url": "about:blank"})["targetId"]
            session.session = session.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
            for domain in ("Runtime", "Log", "Page", "Network"):
                session.send(f"{domain}.enable")
            session.send("Emulation.setDeviceMetricsOverride",
                         {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False})
            yield session
            try:
                session.send("Browser.close", session=False)
            except session.closed_errors:  # the browser may close the socket before answering
                pass
        finally:
            if session is not None:
                session.close()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def page_problems(session: _Session, url: str, check: PageCheck) -> None:
    """Console errors, exceptions, log errors and requests other than ``url`` seen by ``session``."""
    for ev in session.events:
        m, p = ev["method"], ev.get("params", {})
        if m == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
            check.console_errors.append(f"console.{p['type']}: {_console_text(p)}")
        elif m == "Runtime.exceptionThrown":
            d = p.get("exceptionDetails", {})
            what = d.get("exception", {}).get("description", d.get("text"))
            check.console_errors.append(f"exception: {what}")
        elif m == "Log.entryAdded" and p.get("entry", {}).get("level") == "error":
            e = p["entry"]
            check.console_errors.append(f"log: {e.get('text')} {e.get('url', '')}".strip())
        elif m == "Network.requestWillBeSent":
            req = p.get("request", {}).get("url", "")
            if req != url and not req.startswith("data:"):
                check.requests.append(req)


def screenshot_png(session: _Session, path: str | os.PathLike[str]) -> Path:
    """A full-page PNG of the session's page."""
    metrics = session.send("Page.getLayoutMetrics")
    size = metrics.get("cssContentSize") or metrics["contentSize"]
    shot = session.send("Page.captureScreenshot", {
        "format": "png", "captureBeyondViewport": True,
        "clip": {"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1}})
    Path(path).write_bytes(base64.b64decode(shot["data"]))
    return Path(path)


def check_page(html: str | os.PathLike[str], screenshot: str | os.PathLike[str] | None = None,
               width: int = 1280, height: int = 900, timeout: float = 60.0, settle_s: float = 0.5,
               chromium: str | None = None) -> PageCheck:
    """Load ``html`` (a file) in headless Chromium; collect problems; optionally save a full-page PNG."""
    url = Path(html).resolve().as_uri()
    with browser_page(width, height, timeout, chromium) as session:
        session.send("Page.navigate", {"url": url})
        session.wait_for("Page.loadEventFired")
        end = time.monotonic() + settle_s  # late console messages
        while time.monotonic() < end:
            session.send("Runtime.evaluate", {"expression": "1"})
            time.sleep(0.05)
        probe = json.loads(session.send("Runtime.evaluate", {"expression": PAGE_PROBE, "returnByValue": True})
                           ["result"]["value"])
        check = PageCheck(url, images=probe["images"], svgs=probe["svgs"], scripts=probe["scripts"],
                          scroll_width=probe["scrollWidth"], client_width=probe["clientWidth"],
                          title=probe["title"], text_length=probe["text"])
        if screenshot is not None:
            check.screenshot = screenshot_png(session, screenshot)
        page_problems(session, url, check)
        return check
