"""What runs on a campaign worker: models loaded once, then one video job after another.

:class:`CampaignWorker` is a plain class (the Ray backend wraps it in an
actor); it never raises for a job: :meth:`CampaignWorker.run` returns an
:class:`Outcome` telling whether the failure is *permanent* (the input itself
is unusable, or an output path cannot be created or written: a missing,
corrupt or unsupported file, a file in the way of an output folder, fail the
same way every time, so they are not retried) or *transient* (anything else:
full disk, network share hiccup, out of memory; retried). The folders of a
job's outputs are created when missing.
"""

from __future__ import annotations

import os
import socket
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ..errors import InaFaceAnalyzerError, OutputError, OutputPathError
from ..engines.jobs import AnalysisOptions, VideoJob, build_analyzer, run_video_job
from .joblist import make_output_folders

PERMANENT, TRANSIENT = "permanent", "transient"


@dataclass
class Outcome:
    """The result of one attempt at one job, as a worker reports it."""

    ok: bool
    duration_s: float
    worker: str = ""
    node: str = ""
    error: str | None = None
    error_kind: str | None = None  # PERMANENT or TRANSIENT
    faces: int | None = None
    frames_analysed: int | None = None
    provenance: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return asdict(self)


def job_to_dict(job: VideoJob) -> dict:
    return {"source": job.source, "dest_csv": str(job.dest_csv),
            "dest_ass": str(job.dest_ass) if job.dest_ass else None,
            "dest_mp4": str(job.dest_mp4) if job.dest_mp4 else None}


def job_from_dict(data: dict) -> VideoJob:
    return VideoJob(data["source"], Path(data["dest_csv"]),
                    Path(data["dest_ass"]) if data.get("dest_ass") else None,
                    Path(data["dest_mp4"]) if data.get("dest_mp4") else None)


def node_address() -> str:
    """This process's Ray node IP when inside Ray, else the host name."""
    try:
        import ray

        if ray.is_initialized():
            return ray.util.get_node_ip_address()
    except Exception:  # noqa: BLE001 - identification only, never fatal
        pass
    return socket.gethostname()


def compact_provenance(provenance: dict, options: AnalysisOptions) -> dict[str, str]:
    """The provenance columns of the status table."""
    import json

    models = provenance.get("models", {})
    return {
        "inafaceanalyzer_version": str(provenance.get("inaFaceAnalyzer", "")),
        "models_sha256": ";".join(f"{m.get('file', key)}={m.get('sha256', '')}" for key, m in sorted(models.items())),
        "options": json.dumps(options.as_dict(), sort_keys=True),
    }


class CampaignWorker:
    """Loads the analysis once (``options``), then runs many jobs with it."""

    def __init__(self, options: dict) -> None:
        from ..models import provenance

        self.options = AnalysisOptions.from_dict(options)
        self.analyzer = build_analyzer(self.options)
        self.provenance = compact_provenance(provenance(), self.options)
        self.worker = f"{socket.gethostname()}:{os.getpid()}"
        self.node = node_address()

    def identity(self) -> dict[str, str]:
        return {"worker": self.worker, "node": self.node}

    def run(self, job: dict) -> dict:
        """Analyse one job (a :func:`job_to_dict` dict) and write its outputs; an :class:`Outcome` dict."""
        start = time.monotonic()
        outcome = Outcome(ok=False, duration_s=0.0, worker=self.worker, node=self.node, provenance=self.provenance)
        try:
            make_output_folders(job_from_dict(job))
            result = run_video_job(self.analyzer, job_from_dict(job), self.options.fps)
        except OutputPathError as exc:  # a file in the way, no permission: the same every time
            outcome.error, outcome.error_kind = str(exc), PERMANENT
        except OutputError as exc:
            outcome.error, outcome.error_kind = str(exc), TRANSIENT  # e.g. a share not mounted yet
        except InaFaceAnalyzerError as exc:  # MediaError and unusable requests: same result every time
            outcome.error, outcome.error_kind = str(exc), PERMANENT
        except Exception as exc:  # noqa: BLE001 - reported to the driver, which retries
            message = " ".join(str(exc).split()) or type(exc).__name__
            outcome.error, outcome.error_kind = f"{job['source']}: {type(exc).__name__}: {message}", TRANSIENT
        else:
            outcome.ok = True
            outcome.faces = int(len(result.table))
            outcome.frames_analysed = int(result.frames_analysed)
        outcome.duration_s = time.monotonic() - start
        return outcome.as_dict()
