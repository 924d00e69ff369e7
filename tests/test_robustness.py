"""Bad inputs, each with its specified behaviour: one clear line naming the file and the reason,
the other inputs processed, the exit status, no partial output, no hang.

The corpus is generated here; the "Robustness" table of docs/explanation/robustness.md lists the same cases.
"""

from __future__ import annotations

import socket
import struct
import subprocess
import sys
import threading
import zlib
from pathlib import Path

import av
import numpy as np
import pandas as pd
import pytest
from PIL import Image

from httpserver import serve_directory
from inafaceanalyzer.cli.analyze import main
from videogen import face_head, numbered_frame, paste, write_video


def png_declaring(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")


def flip_bytes(data: bytes, start: float, end: float, count: int, seed: int = 0) -> bytes:
    out = bytearray(data)
    rng = np.random.default_rng(seed)
    for pos in rng.integers(int(len(data) * start), int(len(data) * end), count):
        out[pos] ^= 0xFF
    return bytes(out)


@pytest.fixture(scope="module")
def image_corpus(tmp_path_factory, astronaut):
    d = tmp_path_factory.mktemp("bad images")
    good = d / "good.jpg"
    Image.fromarray(astronaut).save(good, quality=90)
    data = good.read_bytes()
    png = d / "good.png"
    Image.fromarray(astronaut).save(png)
    cases = {
        "empty.jpg": b"",
        "text.jpg": b"this is a text file, not a JPEG\n" * 20,
        "truncated.jpg": data[: len(data) // 3],
        "truncated.png": png.read_bytes()[: png.stat().st_size // 2],
        "bomb.png": png_declaring(40000, 40000),
    }
    for name, content in cases.items():
        (d / name).write_bytes(content)
    (d / "bitflipped.jpg").write_bytes(flip_bytes(data, 0.3, 0.9, 200))
    (d / "bitflipped.png").write_bytes(flip_bytes(png.read_bytes(), 0.3, 0.9, 200))
    (d / "nom de fichier 'é' avec espaces.jpg").write_bytes(data)
    return d


# bad input -> (exit status of a run with it plus good inputs, message expected on its line)
IMAGE_CASES = {
    "empty.jpg": "empty file",
    "text.jpg": "not a readable image",
    "truncated.jpg": "cannot decode image",
    "truncated.png": "cannot decode image",
    "bomb.png": "decompression bomb",
    "missing.jpg": "no such file",
}


def error_lines(err: str) -> list[str]:
    return [line for line in err.splitlines() if ": error: " in line]


def test_bad_images_among_good_ones(image_corpus, tmp_path, capsys):
    out = tmp_path / "r.csv"
    inputs = [image_corpus / "good.jpg", *(image_corpus / n for n in IMAGE_CASES),
              image_corpus / "nom de fichier 'é' avec espaces.jpg", image_corpus / "bitflipped.jpg",
              image_corpus / "bitflipped.png"]
    status = main(["--engine", "image", "-q", "-i", *map(str, inputs), "-o", str(out)])
    lines = error_lines(capsys.readouterr().err)
    assert status == 1
    for name, reason in IMAGE_CASES.items():
        mine = [line for line in lines if f"{image_corpus / name}:" in line]
        assert len(mine) == 1 and reason in mine[0], (name, lines)
    df = pd.read_csv(out)
    assert (df.frame == str(image_corpus / "good.jpg")).sum() == 1
    assert (df.frame == str(image_corpus / "nom de fichier 'é' avec espaces.jpg")).sum() == 1
    # bit-flipped files either decode (to damaged pictures) or fail on their own line; never a crash
    for name in ("bitflipped.jpg", "bitflipped.png"):
        assert (df.frame == str(image_corpus / name)).any() or any(str(image_corpus / name) in x for x in lines)
    assert not list(tmp_path.glob(".*part*"))


@pytest.fixture(scope="module")
def video_corpus(tmp_path_factory, astronaut):
    d = tmp_path_factory.mktemp("bad videos")
    head = face_head(astronaut, 120)
    background = np.full((240, 320, 3), (60, 80, 100), np.uint8)
    faces = [paste(background, head, 60 + 3 * i, 40) for i in range(25)]
    good = write_video(d / "good.mp4", faces, rate=25, gop=5, container_options={"movflags": "faststart"})
    data = good.read_bytes()
    (d / "empty.mp4").write_bytes(b"")
    (d / "text.mp4").write_text("not a video\n" * 100)
    (d / "truncated.mp4").write_bytes(data[: len(data) // 2])
    plain = write_video(d / "plain.mp4", faces, rate=25, gop=5)
    (d / "truncated_moov_at_end.mp4").write_bytes(plain.read_bytes()[: plain.stat().st_size // 2])
    # damage the first keyframe's payload: the first frames cannot be decoded, the rest can
    with av.open(str(good)) as c:
        first = next(p for p in c.demux(video=0) if p.size)
    bad_start = bytearray(data)
    for off in range(first.pos + first.size // 4, first.pos + first.size, 3):
        bad_start[off] ^= 0x5A
    (d / "corrupt_start.mp4").write_bytes(bytes(bad_start))
    (d / "bitflipped.mp4").write_bytes(flip_bytes(data, 0.4, 0.95, 100))
    odd = [np.ascontiguousarray(f[:239, :319]) for f in faces]
    write_video(d / "odd dims 319x239.mkv", odd, rate=25, pix_fmt="yuv444p")
    write_video(d / "ten_bit.mp4", faces, rate=25, pix_fmt="yuv420p10le")
    audio = av.open(str(d / "audio_only.m4a"), "w")
    a = audio.add_stream("aac", rate=48000)
    frame = av.AudioFrame.from_ndarray(np.zeros((1, 1024), np.float32), format="fltp", layout="mono")
    frame.sample_rate, frame.pts = 48000, 0
    for packet in list(a.encode(frame)) + list(a.encode()):
        audio.mux(packet)
    audio.close()
    return d


VIDEO_CASES = {
    "empty.mp4": "empty file",
    "text.mp4": "cannot open",
    "truncated_moov_at_end.mp4": "cannot open",
    "audio_only.m4a": "no video stream",
    "missing.mp4": "no such file",
}
VIDEO_OK = ["good.mp4", "truncated.mp4", "corrupt_start.mp4", "odd dims 319x239.mkv", "ten_bit.mp4"]


def test_bad_videos_among_good_ones(video_corpus, tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    inputs = [video_corpus / n for n in [*VIDEO_OK, *VIDEO_CASES, "bitflipped.mp4"]]
    status = main(["--engine", "video", "-q", "-i", *map(str, inputs), "-o", str(out)])
    lines = error_lines(capsys.readouterr().err)
    assert status == 1
    for name, reason in VIDEO_CASES.items():
        mine = [line for line in lines if f"{video_corpus / name}:" in line]
        assert len(mine) == 1 and reason in mine[0], (name, lines)
    for name in VIDEO_OK:
        df = pd.read_csv(out / f"{Path(name).stem}.csv")
        assert len(df) > 0, name
    good = pd.read_csv(out / "good.csv")
    assert len(pd.read_csv(out / "truncated.csv")) < len(good)  # the frames before the cut
    corrupt = pd.read_csv(out / "corrupt_start.csv")
    assert corrupt.frame.min() > 0 and corrupt.frame.max() == good.frame.max()  # damage skipped, rest analysed
    assert (pd.read_csv(out / "ten_bit.csv").sex_label == "f").mean() > 0.8
    odd = pd.read_csv(out / "odd dims 319x239.csv")
    assert len(odd) >= 20
    assert (out / "bitflipped.csv").exists() or any("bitflipped.mp4" in x for x in lines)
    assert not [p for p in out.iterdir() if "part" in p.name]
    assert not (out / "empty.csv").exists() and not (out / "text.csv").exists()


def test_rotation_metadata(tmp_path, astronaut):
    head = face_head(astronaut, 100)
    upright = paste(np.full((200, 160, 3), 80, np.uint8), head, 20, 40)
    stored = np.ascontiguousarray(np.rot90(upright, k=1))
    # stored sideways, tagged to be shown turned back upright
    write_video(tmp_path / "phone.mp4", [stored] * 5, rate=25, display_rotation=-90)
    assert main(["--engine", "video", "-q", "-i", str(tmp_path / "phone.mp4"), "-o", str(tmp_path)]) == 0
    df = pd.read_csv(tmp_path / "phone.csv")
    assert len(df) == 5  # YuNet finds upright faces only: the rotation was applied


@pytest.fixture
def stalling_server():
    """A TCP server on 127.0.0.1 that accepts connections and never answers."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    held = []
    stop = threading.Event()

    def accept():
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}/stalled.mp4"
    stop.set()
    thread.join()
    for conn in held:
        conn.close()
    server.close()


def test_unreachable_and_stalling_urls_time_out(video_corpus, tmp_path, stalling_server, capsys):
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()  # nothing listens there any more
    with serve_directory(video_corpus) as base:
        inputs = [f"http://127.0.0.1:{port}/gone.mp4", stalling_server, f"{base}/good.mp4"]
        status = main(["--engine", "video", "--fps", "5", "-q", "--timeout", "2", "-i", *inputs, "-o", str(tmp_path)])
    lines = error_lines(capsys.readouterr().err)
    assert status == 1
    assert any("gone.mp4: cannot open" in x and "refused" in x.lower() for x in lines)
    assert any("stalled.mp4: timed out after 2 s" in x for x in lines)
    assert len(pd.read_csv(tmp_path / "good.csv")) > 0


def test_unwritable_output_is_refused_before_any_work(video_corpus, capsys):
    # /proc refuses new files even for root
    with pytest.raises(SystemExit) as info:
        main(["--engine", "video", "-i", str(video_corpus / "good.mp4"), "-o", "/proc"])
    assert info.value.code == 2
    assert "-o /proc: the output directory is not writable" in capsys.readouterr().err


def test_interrupted_run_leaves_no_partial_file(video_corpus, tmp_path):
    long_video = write_video(tmp_path / "long.mp4", numbered_frame, count=3000, rate=25)
    out = tmp_path / "out"
    out.mkdir()
    exe = Path(sys.executable).parent / "ina_face_analyzer"
    proc = subprocess.Popen([str(exe), "--engine", "video", "-q", "-i", str(video_corpus / "good.mp4"), str(long_video),
                             "-o", str(out)], stderr=subprocess.PIPE, text=True)
    for _ in range(600):  # wait until the first video is done, then interrupt during the second
        if (out / "good.csv").exists():
            break
        threading.Event().wait(0.05)
    proc.send_signal(2)  # SIGINT, as Ctrl-C
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130 and "interrupted" in err
    assert sorted(p.name for p in out.iterdir()) == ["good.csv", "good.json"]  # nothing partial


def test_no_shell_anywhere():
    """User-controlled strings never reach a shell: no os.system, no shell=True in the package."""
    package = Path(__file__).resolve().parents[1] / "src" / "inafaceanalyzer"
    for path in package.rglob("*.py"):
        text = path.read_text()
        assert "os.system(" not in text and "shell=True" not in text and "os.popen(" not in text, path
