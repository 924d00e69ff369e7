"""Progress reporting hook: the library never prints, the command line draws bars."""

from __future__ import annotations

from collections.abc import Callable

ProgressHook = Callable[[int, "int | None"], None]
"""Called as ``hook(completed, total)``; ``total`` is ``None`` when unknown."""
