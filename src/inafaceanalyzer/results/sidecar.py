"""The sidecar ``X.json`` written next to a results table ``X.csv``: written, read, validated, versioned.

It says how the video was sampled, which the table alone cannot: frames analysed without
any face have no row. Format :data:`FORMAT`::

    {"format": "inaFaceAnalyzer-results/1", "source": "... (as given)", "source_abspath": "/... (or the URL)",
     "engine": "video",
     "options": {"fps": 1.0, ...}, "video": {"width": .., "height": .., "fps": 25.0, "duration_s": ..},
     "analysis": {"frames_analysed": 600, "frame_interval_s": 1.0, "first_time_s": 0.0,
                  "last_time_s": 599.0}, "provenance": {...}}

:func:`sidecar_document` builds it, :func:`write_metadata` writes it, :func:`read_metadata`
reads the document as is and :func:`read_sidecar` reads and checks it.
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..atomic import atomic_output
from ..errors import SidecarError

FORMAT = "inaFaceAnalyzer-results/1"
"""The sidecar's format and version, its ``format`` key."""
ENGINES: list[str] = []
"""The engines a sidecar may name, in registration order: the engine registry (:mod:`inafaceanalyzer.engines`)
adds each engine it registers (:func:`accept_engine`), so engine names are defined once."""


def accept_engine(name: str) -> None:
    """Let sidecars name the engine ``name`` (called by the engine registry)."""
    if name not in ENGINES:
        ENGINES.append(name)


def sidecar_path(results_path: str | os.PathLike[str]) -> Path:
    """``x/name.json`` for ``x/name.csv`` (or ``.parquet``)."""
    return Path(results_path).with_suffix(".json")


def sidecar_document(*, source: str, source_abspath: str, engine: str, options: dict, video: dict,
                     analysis: dict, provenance: dict) -> dict:
    """The sidecar document of an analysis, with its :data:`FORMAT`."""
    return {"format": FORMAT, "source": source, "source_abspath": source_abspath, "engine": engine,
            "options": options, "video": video, "analysis": analysis, "provenance": provenance}


def collection_document(*, engine: str, options: dict, provenance: dict) -> dict:
    """The document of a photo collection's results (no video, no sampling), with its :data:`FORMAT`."""
    return {"format": FORMAT, "engine": engine, "options": options, "provenance": provenance}


def write_metadata(document: dict, path: str | os.PathLike[str]) -> Path:
    """Write ``document`` as indented JSON, atomically."""
    with atomic_output(path) as tmp:
        tmp.write_text(json.dumps(document, indent=2, default=str) + "\n", encoding="utf-8")
    return Path(path)


def read_metadata(results_path: str | os.PathLike[str]) -> dict | None:
    """The sidecar document of a results file as written, or ``None`` when there is none (unchecked)."""
    path = sidecar_path(results_path)
    if not path.is_file():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Sidecar:
    """A checked sidecar: what readers of the results need from it."""

    path: Path
    source: str | None
    engine: str | None
    video_fps: float | None
    duration_s: float | None
    frames_analysed: int | None
    frame_interval_s: float | None
    first_time_s: float | None
    last_time_s: float | None
    options: str = ""  # the analysis options, as canonical JSON ("" when the sidecar gives none)

    @property
    def keyframes(self) -> bool:
        return self.engine == "videokeyframes"


def _number(section: dict, key: str, where: Path, *, integer: bool = False, positive: bool = False) -> Any:
    value = section.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise SidecarError(f"{where}: '{key}' must be a number, got {value!r}")
    if positive and value <= 0:
        raise SidecarError(f"{where}: '{key}' must be positive, got {value!r}")
    if integer:
        if value != int(value) or value < 0:
            raise SidecarError(f"{where}: '{key}' must be a whole number, got {value!r}")
        return int(value)
    return float(value)


def validate(data: Any, path: Path) -> Sidecar:
    """``data`` (a sidecar document read from ``path``) checked; raises ``SidecarError`` when unusable."""
    if not isinstance(data, dict):
        raise SidecarError(f"{path}: expected a JSON object")
    if data.get("format") != FORMAT:
        raise SidecarError(f"{path}: format is {data.get('format')!r}, expected {FORMAT!r}")
    engine = data.get("engine")
    if engine is not None and engine not in ENGINES:
        raise SidecarError(f"{path}: unknown engine {engine!r} (expected one of {', '.join(ENGINES)})")
    video = data.get("video") or {}
    analysis = data.get("analysis") or {}
    if not isinstance(video, dict) or not isinstance(analysis, dict):
        raise SidecarError(f"{path}: 'video' and 'analysis' must be JSON objects")
    source = data.get("source")
    return Sidecar(
        path=path,
        source=str(source) if source is not None else None,
        engine=engine,
        video_fps=_number(video, "fps", path, positive=True),
        duration_s=_number(video, "duration_s", path),
        frames_analysed=_number(analysis, "frames_analysed", path, integer=True),
        frame_interval_s=_number(analysis, "frame_interval_s", path, positive=True),
        first_time_s=_number(analysis, "first_time_s", path),
        last_time_s=_number(analysis, "last_time_s", path),
        options=json.dumps(data["options"], sort_keys=True) if data.get("options") is not None else "",
    )


def read_sidecar(results: str | os.PathLike[str]) -> Sidecar | None:
    """The sidecar of ``results``, ``None`` when there is none; raises ``SidecarError`` when unusable."""
    path = sidecar_path(results)
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SidecarError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SidecarError(f"{path}: not valid JSON ({exc})") from exc
    return validate(data, path)
