"""Write outputs under a temporary name and rename them once complete."""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from .errors import OutputError, OutputPathError

PATH_ERRNOS = frozenset({errno.EACCES, errno.EPERM, errno.EROFS, errno.ENOTDIR, errno.EEXIST, errno.ENAMETOOLONG})
"""``OSError`` numbers that say the path itself is unusable: retrying cannot help."""

_UMASK = os.umask(0)  # read once at import (single-threaded): mkstemp files are 0600
os.umask(_UMASK)


@contextlib.contextmanager
def atomic_output(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; rename it to ``path`` if the block succeeds.

    On any exception the temporary file is removed, so a reader never sees a
    half-written output. The temporary name keeps the final suffix (some
    writers choose their format from it) and starts with ``.`` so that
    directory listings and globs skip it.
    """
    path = Path(path)
    directory = path.parent if str(path.parent) else Path(".")
    if not directory.is_dir():
        raise OutputError(f"{path}: output directory {directory} does not exist")
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=f".part{path.suffix}", dir=directory)
    except OSError as exc:
        kind = OutputPathError if exc.errno in PATH_ERRNOS else OutputError
        raise kind(f"{path}: cannot write in {directory}: {exc.strerror or exc}") from exc
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        os.chmod(tmp, 0o666 & ~_UMASK)  # the permissions a plain open() would give
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def writable_directory_problem(directory: str | os.PathLike[str]) -> str | None:
    """Why files cannot be created in ``directory`` (``None`` when they can), found by trying."""
    directory = Path(directory)
    if not directory.is_dir():
        return "does not exist" if not directory.exists() else "is not a directory"
    try:
        with tempfile.TemporaryFile(dir=directory, prefix=".write-test-"):
            pass
    except OSError as exc:
        return f"is not writable ({exc.strerror or exc})"
    return None


def make_output_folder(path: str | os.PathLike[str]) -> None:
    """Create the folder of output ``path`` (and its parents) if needed, and check files can be written there.

    Raises :class:`~inafaceanalyzer.errors.OutputPathError` naming the file and the reason
    when the folder cannot be created or written (a file in the way, no permission), and
    :class:`~inafaceanalyzer.errors.OutputError` for other system errors (full disk...).
    """
    path = Path(path)
    directory = path.parent if str(path.parent) else Path(".")
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        kind = OutputPathError if exc.errno in PATH_ERRNOS or isinstance(exc, FileExistsError) else OutputError
        in_the_way = " (a file is in the way)" if isinstance(exc, (FileExistsError, NotADirectoryError)) else ""
        raise kind(f"{path}: cannot create the output folder {directory}: {exc.strerror or exc}{in_the_way}") from exc
    problem = writable_directory_problem(directory)
    if problem is not None:
        raise OutputPathError(f"{path}: the output folder {directory} {problem}")
