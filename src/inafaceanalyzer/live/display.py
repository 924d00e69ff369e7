"""The live window (optional) and the status line drawn on the frames shown.

OpenCV's headless build has no GUI, so the window uses pygame (SDL), an
optional extra: ``pip install 'inaFaceAnalyzer[live]'``. It is imported only
when a window is opened. :func:`display_available` says whether this
session can show one: ``DISPLAY`` or ``WAYLAND_DISPLAY`` set (X11, Wayland),
macOS, Windows, or an SDL video driver chosen through ``SDL_VIDEODRIVER``
(``dummy`` renders off screen, for tests).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from typing import Any

import cv2
import numpy as np

from ..errors import DisplayError
from .session import LiveFrame

INSTALL_HINT = "pip install 'inaFaceAnalyzer[live]'"


def display_available(environ: Mapping[str, str] = os.environ, platform: str = sys.platform) -> bool:
    """Whether a window can be shown here (see the module's docstring)."""
    if environ.get("SDL_VIDEODRIVER"):
        return True
    if platform == "darwin" or platform.startswith("win"):
        return True
    return bool(environ.get("DISPLAY") or environ.get("WAYLAND_DISPLAY"))


def status_text(live: LiveFrame) -> str:
    """``"12.3 fps | 41% dropped | 2 faces"``: the current analysed rate, the share dropped so far, faces shown."""
    stats = live.stats
    return f"{stats.rate_fps:.1f} fps | {100 * stats.dropped_share:.0f}% dropped | {len(live.marks)} faces"


def draw_status(image: np.ndarray, text: str) -> np.ndarray:
    """``image`` (RGB, changed in place and returned) with ``text`` on a dark band at its top left."""
    height = image.shape[0]
    scale = max(0.4, height / 900)
    thickness = max(1, round(scale * 1.5))
    (w, h), baseline = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, scale, thickness)
    pad = max(3, h // 3)
    image[: h + baseline + 2 * pad, : w + 2 * pad] //= 3  # darken under the text
    cv2.putText(image, text, (pad, pad + h), cv2.FONT_HERSHEY_SIMPLEX, scale, (255, 255, 255), thickness, cv2.LINE_AA)
    return image


class Window:
    """A resizable pygame window showing the annotated frames with the status line.

    Call it with each :class:`~inafaceanalyzer.live.session.LiveFrame`
    (it is an ``on_frame`` callback): it returns ``False`` once the window was
    closed or Esc or Q pressed, which stops the run. Raises
    :class:`DisplayError` when pygame is missing or no window can be opened.
    """

    def __init__(self, title: str = "inaFaceAnalyzer live") -> None:
        os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")  # the library never prints
        try:
            import pygame
        except ImportError as exc:
            raise DisplayError(f"no window: pygame is not installed ({INSTALL_HINT})") from exc
        self._pg = pygame
        try:
            pygame.display.init()
        except pygame.error as exc:
            raise DisplayError(f"no window: {exc}") from exc
        self.title = title
        self._screen: Any = None  # the pygame window once opened
        self.shown = 0

    def __call__(self, live: LiveFrame) -> bool:
        return self.show(draw_status(live.annotated.copy(), status_text(live)))

    def show(self, image: np.ndarray) -> bool:
        """Show an RGB image (scaled to the window); ``False`` once the user closed the window."""
        pg = self._pg
        height, width = image.shape[:2]
        if self._screen is None:
            try:
                self._screen = pg.display.set_mode((width, height), pg.RESIZABLE)
            except pg.error as exc:
                raise DisplayError(f"no window: {exc}") from exc
            pg.display.set_caption(self.title)
        for event in pg.event.get():
            if event.type == pg.QUIT or (event.type == pg.KEYDOWN and event.key in (pg.K_ESCAPE, pg.K_q)):
                return False
        surface = pg.image.frombuffer(np.ascontiguousarray(image).tobytes(), (width, height), "RGB")
        size = self._screen.get_size()
        if size != (width, height):
            surface = pg.transform.smoothscale(surface, size)
        self._screen.blit(surface, (0, 0))
        pg.display.flip()
        self.shown += 1
        return True

    def close(self) -> None:
        if self._screen is not None:
            self._pg.display.quit()
            self._screen = None

    def __enter__(self) -> Window:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
