"""Which files are images or videos (by extension), and finding them in folders."""

from __future__ import annotations

import os
from collections.abc import Collection
from pathlib import Path, PurePath

IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff"})
VIDEO_SUFFIXES = frozenset({
    ".mp4", ".m4v", ".mov", ".mkv", ".webm", ".avi", ".mpg", ".mpeg", ".ts", ".m2ts", ".mts", ".flv", ".wmv",
    ".mxf", ".3gp", ".ogv", ".vob", ".dv",
})


def media_kind(path: str | os.PathLike[str]) -> str | None:
    """``"image"`` or ``"video"`` from the file's extension; ``None`` when it says neither."""
    suffix = PurePath(path).suffix.lower()
    if suffix in IMAGE_SUFFIXES:
        return "image"
    if suffix in VIDEO_SUFFIXES:
        return "video"
    return None


def find_files(folder: str | os.PathLike[str], suffixes: Collection[str]) -> list[Path]:
    """Files of ``folder`` and its subfolders whose extension (lower case) is in ``suffixes``.

    Sorted by path (folder by folder, names in order); hidden files and folders
    (names starting with a dot) are skipped.
    """
    found = []
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if not name.startswith(".") and Path(name).suffix.lower() in suffixes:
                found.append(Path(dirpath) / name)
    return found


def absolute_source(source: str) -> str:
    """``source`` as an absolute path when it is an existing file or folder; URLs and devices as given."""
    from .video import is_url  # PyAV: only where videos are analysed

    if is_url(source) or not os.path.exists(source):
        return source
    return os.path.abspath(source)
