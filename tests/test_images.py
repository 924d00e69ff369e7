"""Image loading: formats, modes, orientation, and clear errors."""

import numpy as np
import pytest
from PIL import Image

import struct
import zlib

from inafaceanalyzer.errors import MediaOpenError
from inafaceanalyzer.media.images import image_frames, load_image


@pytest.mark.parametrize("fmt", ["png", "jpg", "webp", "bmp", "tiff", "gif"])
def test_common_formats(tmp_path, astronaut, fmt):
    path = tmp_path / f"a.{fmt}"
    Image.fromarray(astronaut).save(path)
    img = load_image(path)
    assert img.shape == astronaut.shape and img.dtype == np.uint8
    assert np.abs(img.astype(int) - astronaut).mean() < 25


def test_grayscale_alpha_cmyk_and_16bit(tmp_path, astronaut):
    gray = Image.fromarray(astronaut).convert("L")
    gray.save(tmp_path / "g.png")
    img = load_image(tmp_path / "g.png")
    assert img.shape == astronaut.shape and (img[..., 0] == img[..., 1]).all()

    rgba = Image.fromarray(astronaut).convert("RGBA")
    rgba.putalpha(0)
    rgba.save(tmp_path / "transparent.png")
    assert (load_image(tmp_path / "transparent.png") == 255).all()  # composited over white

    Image.fromarray(astronaut).convert("CMYK").save(tmp_path / "c.jpg")
    assert np.abs(load_image(tmp_path / "c.jpg").astype(int) - astronaut).mean() < 25

    sixteen = (np.asarray(gray, dtype=np.uint16) * 257).astype(np.uint16)
    Image.fromarray(sixteen).save(tmp_path / "s16.png")
    loaded = load_image(tmp_path / "s16.png")
    assert np.abs(loaded[..., 0].astype(int) - np.asarray(gray)).max() <= 1


def test_exif_orientation_is_applied(tmp_path, astronaut):
    stored = Image.fromarray(astronaut).transpose(Image.Transpose.ROTATE_90)
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise to display
    stored.save(tmp_path / "rotated.jpg", exif=exif, quality=95)
    img = load_image(tmp_path / "rotated.jpg")
    assert img.shape == astronaut.shape
    assert np.abs(img.astype(int) - astronaut).mean() < 8


@pytest.mark.parametrize(
    "content, reason",
    [
        (b"", "empty file"),
        (b"this is not an image\n", "not a readable image"),
    ],
)
def test_unreadable_files_get_one_line_errors(tmp_path, content, reason):
    path = tmp_path / "bad.jpg"
    path.write_bytes(content)
    with pytest.raises(MediaOpenError) as info:
        load_image(path)
    assert str(path) in str(info.value) and reason in str(info.value)
    assert "\n" not in str(info.value)


def test_truncated_and_missing(tmp_path, astronaut):
    full = tmp_path / "full.jpg"
    Image.fromarray(astronaut).save(full)
    cut = tmp_path / "cut.jpg"
    cut.write_bytes(full.read_bytes()[: full.stat().st_size // 3])
    with pytest.raises(MediaOpenError, match="cut.jpg: cannot decode image"):
        load_image(cut)
    with pytest.raises(MediaOpenError, match="no such file"):
        load_image(tmp_path / "missing.png")
    with pytest.raises(MediaOpenError, match="is a directory"):
        load_image(tmp_path)


def test_decompression_bomb_is_refused(tmp_path):
    # a valid PNG header declaring 40000 x 40000 pixels, with almost no data behind it
    (tmp_path / "bomb.png").write_bytes(png_declaring(40000, 40000))
    with pytest.raises(MediaOpenError, match="decompression bomb"):
        load_image(tmp_path / "bomb.png")


def test_image_frames_skips_bad_files_when_asked(tmp_path, astronaut):
    good = tmp_path / "good.png"
    Image.fromarray(astronaut).save(good)
    bad = tmp_path / "bad.png"
    bad.write_text("nope")
    errors = []
    frames = list(image_frames([good, bad, good], on_error=errors.append))
    assert [f.index for f in frames] == [str(good), str(good)]
    assert len(errors) == 1 and errors[0].source == str(bad)
    with pytest.raises(MediaOpenError):
        list(image_frames([good, bad]))


def png_declaring(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")
