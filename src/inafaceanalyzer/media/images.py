"""Still images of any common format, as RGB uint8 arrays.

Pillow decodes (with its decompression-bomb limit); EXIF orientation is
applied; grayscale, palette, CMYK and 16-bit images are converted to 8-bit
RGB; transparent pixels are composited over white. (OpenCV is deliberately not
used as a fallback decoder: fuzzing found a 50-byte PNG that made
``cv2.imdecode`` allocate 4 GiB.)
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from ..errors import MediaError, MediaOpenError
from ..types import Frame

ErrorHandler = Callable[[MediaError], None]


def load_image(path: str | os.PathLike[str]) -> np.ndarray:
    """Read the image at ``path`` as an ``[H, W, 3]`` RGB uint8 array.

    Raises :class:`MediaOpenError` naming the file and the reason when it
    cannot be read (missing, not an image, truncated, too large).
    """
    path = Path(path)
    if not path.exists():
        raise MediaOpenError(path, "no such file")
    if path.is_dir():
        raise MediaOpenError(path, "is a directory, not an image")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(path) as img:
                img.load()
                return to_rgb_array(ImageOps.exif_transpose(img))
    except Image.DecompressionBombError as exc:
        raise MediaOpenError(path, f"image too large, refused as a possible decompression bomb ({exc})") from exc
    except UnidentifiedImageError as exc:
        reason = "empty file" if path.stat().st_size == 0 else "not a readable image (unknown format or corrupt data)"
        raise MediaOpenError(path, reason) from exc
    except PermissionError as exc:
        raise MediaOpenError(path, "permission denied") from exc
    except (OSError, ValueError, SyntaxError) as exc:
        raise MediaOpenError(path, f"cannot decode image: {exc}") from exc


def _to_uint8(values: np.ndarray) -> np.ndarray:
    """Scale 16-bit, 32-bit or float pixel values to 0..255."""
    if values.dtype == np.uint8:
        return values
    values = values.astype(np.float64)
    if values.dtype.kind == "f" and values.max(initial=0) <= 1.0:
        top = 1.0
    elif values.max(initial=0) <= 255:
        top = 255.0
    else:
        top = 65535.0 if values.max(initial=0) <= 65535 else float(values.max())
    return np.clip(values * (255.0 / top) + 0.5, 0, 255).astype(np.uint8)


def to_rgb_array(img: Image.Image) -> np.ndarray:
    """Convert a Pillow image of any mode to an ``[H, W, 3]`` RGB uint8 array."""
    if img.mode in ("I;16", "I;16B", "I;16L", "I;16N", "I", "F"):
        gray = _to_uint8(np.asarray(img))
        return np.ascontiguousarray(np.repeat(gray[:, :, None], 3, axis=2))
    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        img = Image.alpha_composite(background, rgba)
    if img.mode != "RGB":
        img = img.convert("RGB")
    return np.ascontiguousarray(np.asarray(img, dtype=np.uint8))


def image_frames(
    paths: Iterable[str | os.PathLike[str]], on_error: ErrorHandler | None = None
) -> Iterator[Frame]:
    """Yield one :class:`Frame` per readable image, ``index`` being its path.

    An unreadable image raises :class:`MediaError`, or, when ``on_error`` is
    given, is passed to it and skipped.
    """
    for path in paths:
        try:
            image = load_image(path)
        except MediaError as exc:
            if on_error is None:
                raise
            on_error(exc)
            continue
        yield Frame(index=os.fspath(path), time=None, image=image)
