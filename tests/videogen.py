"""Test videos generated with PyAV from real face photos, and frames that carry their own number."""

from __future__ import annotations

import fractions
from collections.abc import Callable, Sequence
from pathlib import Path

import av
import numpy as np
from PIL import Image

BITS = 16
CELL = 8


def numbered_frame(n: int, width: int = 160, height: int = 48) -> np.ndarray:
    """A frame whose top row of 8x8 cells spells ``n`` in binary (white = 1)."""
    img = np.full((height, width, 3), 40, np.uint8)
    for bit in range(BITS):
        if n >> bit & 1:
            img[8 : 8 + CELL, 8 + bit * CELL : 8 + (bit + 1) * CELL] = 230
    return img


def read_number(img: np.ndarray) -> int:
    """The number spelled by :func:`numbered_frame` (robust to compression)."""
    n = 0
    for bit in range(BITS):
        cell = img[10 : 6 + CELL, 10 + bit * CELL : 6 + (bit + 1) * CELL]
        if cell.mean() > 135:
            n |= 1 << bit
    return n


def write_video(
    path: Path,
    frames: Sequence[np.ndarray] | Callable[[int], np.ndarray],
    count: int | None = None,
    rate: fractions.Fraction | int = 25,
    codec: str = "libx264",
    gop: int = 12,
    bframes: int = 2,
    pts: Sequence[int] | None = None,
    time_base: fractions.Fraction | None = None,
    audio_seconds: float | None = None,
    audio_codec: str = "aac",
    options: dict | None = None,
    container_options: dict | None = None,
    pix_fmt: str = "yuv420p",
    display_rotation: int | None = None,
) -> Path:
    """Encode ``frames`` (a list, or a function of the frame number) into ``path``.

    ``pts``/``time_base`` give explicit timestamps (variable frame rate);
    ``audio_seconds`` adds a quiet tone (``audio_codec``, AAC by default);
    ``display_rotation`` tags the stream to be shown rotated (degrees,
    counter-clockwise, as phones record).
    """
    if callable(frames):
        assert count is not None
        get = frames
    else:
        count = len(frames)
        get = frames.__getitem__
    first = get(0)
    out = av.open(str(path), "w", options=container_options or {})
    stream = out.add_stream(codec, rate=rate)
    stream.width, stream.height = first.shape[1], first.shape[0]
    stream.pix_fmt = pix_fmt
    if display_rotation is not None:
        stream.set_display_rotation(display_rotation)
    opts = {"g": str(gop), "bf": str(bframes), "crf": "12", "preset": "veryfast"} if codec == "libx264" else {}
    opts.update(options or {})
    stream.options = opts
    if audio_seconds:
        audio = out.add_stream(audio_codec, rate=48000)
        audio.layout = "stereo"
    tb = time_base or fractions.Fraction(1) / fractions.Fraction(rate)
    if pts is not None:
        stream.codec_context.time_base = tb
    for i in range(count):
        frame = av.VideoFrame.from_ndarray(get(i) if i else first, format="rgb24")
        frame.pts = pts[i] if pts is not None else i
        frame.time_base = tb
        for packet in stream.encode(frame):
            out.mux(packet)
    for packet in stream.encode():
        out.mux(packet)
    if audio_seconds:
        _encode_tone(out, audio, audio_seconds)
    out.close()
    return path


def _encode_tone(out, stream, seconds: float) -> None:
    """A quiet 220 Hz tone, so that exports can be checked for a kept audio track."""
    total = int(seconds * 48000)
    for start in range(0, total, 1024):
        n = min(1024, total - start)
        t = (np.arange(start, start + n) / 48000.0).astype(np.float32)
        tone = (0.05 * np.sin(2 * np.pi * 220 * t)).astype(np.float32)
        frame = av.AudioFrame.from_ndarray(np.stack([tone, tone]), format="fltp", layout="stereo")
        frame.sample_rate = 48000
        frame.pts = start
        frame.time_base = fractions.Fraction(1, 48000)
        for packet in stream.encode(frame):
            out.mux(packet)
    for packet in stream.encode():
        out.mux(packet)


def face_head(image: np.ndarray, height: int) -> np.ndarray:
    """A real face photo's head region resized to ``height`` pixels tall."""
    from inafaceanalyzer.detection import YuNetDetector

    det = max(YuNetDetector()(image), key=lambda d: d.detect_conf)
    x1, y1, x2, y2 = det.bbox.square.scale(1.5).clip(image.shape[1], image.shape[0]).to_int()
    head = Image.fromarray(image[y1:y2, x1:x2])
    width = round(head.width * height / head.height)
    return np.asarray(head.resize((width, height), Image.LANCZOS))


def paste(canvas: np.ndarray, patch: np.ndarray, x: int, y: int) -> np.ndarray:
    """``patch`` drawn on a copy of ``canvas`` with its top-left at (x, y), clipped to the frame."""
    out = canvas.copy()
    h, w = patch.shape[:2]
    x0, y0 = max(x, 0), max(y, 0)
    x1, y1 = min(x + w, out.shape[1]), min(y + h, out.shape[0])
    if x1 > x0 and y1 > y0:
        out[y0:y1, x0:x1] = patch[y0 - y : y1 - y, x0 - x : x1 - x]
    return out
