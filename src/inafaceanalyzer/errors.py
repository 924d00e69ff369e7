"""The project's exceptions: each message names the file and the reason, on one line."""

from __future__ import annotations

import os


class InaFaceAnalyzerError(Exception):
    """Base class of every error raised on purpose by inaFaceAnalyzer."""


class ModelLoadError(InaFaceAnalyzerError):
    """A model file is missing from its installed package, or its checksum differs."""


class MediaError(InaFaceAnalyzerError):
    """An input (image, video, stream) could not be used.

    ``source`` is the path or URL, ``reason`` a short human explanation; ``str()``
    gives ``"<source>: <reason>"`` on a single line.
    """

    def __init__(self, source: str | os.PathLike[str], reason: str) -> None:
        self.source = os.fspath(source)
        self.reason = " ".join(str(reason).split())
        super().__init__(f"{self.source}: {self.reason}")


class MediaOpenError(MediaError):
    """The input does not exist, cannot be read, or is not a decodable image or video."""


class MediaDecodeError(MediaError):
    """Decoding failed part-way through (corrupt or truncated data)."""


class OutputError(InaFaceAnalyzerError):
    """An output file or directory cannot be written."""


class OutputPathError(OutputError):
    """An output path cannot be created or written (a file in the way, no permission, read-only):
    trying again gives the same error, unlike a full disk or an unreachable share."""


class DatasetError(InaFaceAnalyzerError):
    """A labelled data set cannot be used: missing or unreadable labels, missing columns."""


class JobListError(InaFaceAnalyzerError):
    """A job list cannot be read or is invalid; the message names the file (and line) and the reason."""


class CampaignError(InaFaceAnalyzerError):
    """The campaign cannot go on (no worker can start, cluster unreachable, no token...)."""


class ReportError(InaFaceAnalyzerError):
    """No report can be made (no usable results, output not writable)."""


class SidecarError(ValueError):
    """A results sidecar exists but cannot be used; the message names the file and the reason.

    Still a ``ValueError``, as it was when it lived in ``report/sidecar.py``: callers that catch
    ``ValueError`` keep working.
    """


class DisplayError(InaFaceAnalyzerError):
    """No window can be opened (no display, or pygame missing)."""


class ResultsError(MediaError):
    """A results table (CSV, Parquet) cannot be read, or lacks the columns an export needs."""


class ValidationError(InaFaceAnalyzerError):
    """A validation sample cannot be drawn or scored (nothing to sample, unusable labels)."""
