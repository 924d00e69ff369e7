"""Run campaign jobs on Ray: a pool of actors, each loading the models once, kept busy with ``ray.wait``.

The scheduler hands one job at a time to each ready actor. When an attempt
fails it decides, from the worker's :class:`~.worker.Outcome` or from Ray's
exception, whether to retry:

- the worker reports a *permanent* error (unusable input): the job fails at once;
- the worker reports a *transient* error, the actor or its node dies
  (``RayActorError``, ``WorkerCrashedError``...), or the job exceeds its time
  limit (the actor is killed): the job goes back to the queue, at most
  ``retries`` more times in this run, and the lost actor is replaced.

Actors are owned by the driver: if the driver dies, Ray ends them with it.
"""

from __future__ import annotations

import logging
import math
import os
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import CampaignError
from ..engines.jobs import AnalysisOptions, VideoJob
from .worker import PERMANENT, TRANSIENT, CampaignWorker, Outcome, job_to_dict

log = logging.getLogger(__name__)

LOCAL_ONLY_ENV = "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"  # "0": Ray uses the loopback address (single machine)
_saved: dict = {}


@dataclass
class Slot:
    """One actor of the pool and what it is doing."""

    actor: Any  # a Ray ActorHandle
    ready: object | None  # the ObjectRef of its identity() call until it has answered
    identity: dict = field(default_factory=dict)
    job: VideoJob | None = None
    ref: object | None = None
    started: float = 0.0
    timed_out: bool = False


# Called by the scheduler: started(job, identity), finished(job, outcome, final)
StartedHook = Callable[[VideoJob, dict], None]
FinishedHook = Callable[[VideoJob, Outcome, bool], None]
IdleHook = Callable[[str], None]


def token_available() -> bool:
    """Whether a Ray authentication token is at hand (``RAY_AUTH_TOKEN``, ``RAY_AUTH_TOKEN_PATH`` or ``~/.ray/auth_token``)."""
    if os.environ.get("RAY_AUTH_TOKEN", "").strip():
        return True
    env_path = os.environ.get("RAY_AUTH_TOKEN_PATH")
    path = Path(env_path) if env_path else Path.home() / ".ray" / "auth_token"
    try:
        return bool(path.read_text().strip())
    except OSError:
        return False


def connect(address: str | None, num_cpus: int | None = None, num_gpus: int | None = None,
            temp_dir: str | None = None) -> None:
    """Start an embedded local Ray instance (``address=None``) or join the cluster at ``address``.

    Token authentication stays on: a local instance enables it and creates
    ``~/.ray/auth_token`` if needed (Ray's default since 2.52; ``RAY_AUTH_MODE``
    set by the user is respected); joining a cluster needs the token
    (``RAY_AUTH_TOKEN``, ``RAY_AUTH_TOKEN_PATH`` or ``~/.ray/auth_token``).
    """
    # Token authentication (Ray's default for a local instance since 2.52) asked for explicitly:
    # Ray then does not warn about it on every run; RAY_AUTH_MODE set by the user is respected.
    os.environ.setdefault("RAY_AUTH_MODE", "token")
    if address is None:
        # A single-machine instance on the loopback address; without this Ray advertises
        # the machine's network address even for a local instance. Undone by shutdown().
        _saved["env"] = os.environ.get(LOCAL_ONLY_ENV)
        os.environ.setdefault(LOCAL_ONLY_ENV, "0")
    else:
        if os.environ["RAY_AUTH_MODE"] == "token" and not token_available():
            raise CampaignError(
                f"{address}: Ray token authentication is on but no token was found here: copy the "
                "head node's ~/.ray/auth_token to this machine, or set RAY_AUTH_TOKEN_PATH (a file) "
                "or RAY_AUTH_TOKEN (the token)")
    import ray
    from ray._private import ray_constants

    if address is None and os.environ.get(LOCAL_ONLY_ENV) == "0":
        _saved["constant"] = ray_constants.ENABLE_RAY_CLUSTER
        ray_constants.ENABLE_RAY_CLUSTER = False  # this process too, when ray was imported earlier
    kwargs: dict = {"logging_level": logging.WARNING, "log_to_driver": False, "configure_logging": True}
    try:
        if address is None:
            # "local": a new instance even when `ray start` left one running on this machine
            ray.init(address="local", num_cpus=num_cpus, num_gpus=num_gpus, include_dashboard=False,
                     _temp_dir=temp_dir, **kwargs)
        else:
            ray.init(address=address, **kwargs)
    except (ConnectionError, RuntimeError, ValueError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise CampaignError(f"{address or 'local Ray'}: cannot start or join Ray: {first}") from exc


def shutdown() -> None:
    """Leave Ray (ending a local instance) and undo what :func:`connect` changed in this process."""
    import ray
    from ray._private import ray_constants

    if ray.is_initialized():
        ray.shutdown()
    if "constant" in _saved:
        ray_constants.ENABLE_RAY_CLUSTER = _saved.pop("constant")
    if "env" in _saved:
        previous = _saved.pop("env")
        if previous is None:
            os.environ.pop(LOCAL_ONLY_ENV, None)
        else:
            os.environ[LOCAL_ONLY_ENV] = previous


class RayPool:
    """Keeps ``workers`` actors (or as many as the cluster's resources allow) busy with jobs."""

    def __init__(self, options: AnalysisOptions, *, workers: int | None = None, cpus_per_worker: float = 1,
                 gpus_per_worker: float = 0, retries: int = 2, job_timeout_s: float | None = None,
                 poll_s: float = 0.5, max_start_failures: int | None = None, patience_s: float = 10.0) -> None:
        import ray

        self.ray = ray
        if gpus_per_worker and options.device == "auto":
            options = AnalysisOptions.from_dict({**options.as_dict(), "device": "cuda"})
        elif not gpus_per_worker and options.device == "auto":
            options = AnalysisOptions.from_dict({**options.as_dict(), "device": "cpu"})
        self.options = options
        self.workers = workers
        self.cpus_per_worker = cpus_per_worker
        self.gpus_per_worker = gpus_per_worker
        self.retries = retries
        self.job_timeout_s = job_timeout_s
        self.poll_s = poll_s
        self.max_start_failures = max_start_failures
        self.patience_s = patience_s  # report "waiting for workers" after this long without one
        self.actor_class: Any = ray.remote(CampaignWorker).options(
            num_cpus=cpus_per_worker, num_gpus=gpus_per_worker, max_restarts=0, max_task_retries=0)
        self.slots: list[Slot] = []
        self.start_failures = 0
        self.last_start_error = ""
        self._capacity = (0, -math.inf)

    # -- pool size ---------------------------------------------------------
    def capacity(self) -> int:
        """How many actors the alive nodes can hold (refreshed every few seconds)."""
        count, when = self._capacity
        if time.monotonic() - when < 2.0:
            return count
        resources = self.ray.cluster_resources()  # alive nodes only
        fits = [resources.get("CPU", 0) / self.cpus_per_worker if self.cpus_per_worker else math.inf]
        if self.gpus_per_worker:
            fits.append(resources.get("GPU", 0) / self.gpus_per_worker)
        count = int(min(fits) + 1e-9)
        self._capacity = (count, time.monotonic())
        return count

    def target(self, outstanding: int) -> int:
        wanted = self.workers if self.workers else self.capacity()
        return max(0, min(wanted, outstanding))

    def _start_actor(self) -> None:
        actor = self.actor_class.remote(self.options.as_dict())
        self.slots.append(Slot(actor=actor, ready=actor.identity.remote()))

    def _drop(self, slot: Slot) -> None:
        try:
            self.ray.kill(slot.actor, no_restart=True)
        except Exception:  # noqa: BLE001 - already dead
            pass
        self.slots.remove(slot)

    # -- the loop ----------------------------------------------------------
    def run(self, jobs: list[VideoJob], started: StartedHook, finished: FinishedHook,
            idle: IdleHook | None = None) -> None:
        """Run ``jobs`` to completion (done or failed); report through the hooks."""
        ray = self.ray
        queue = deque(jobs)
        tries: dict[VideoJob, int] = {}
        max_failures = self.max_start_failures or max(3, 3 * (self.workers or 1))
        waiting_since: float | None = None
        try:
            while queue or any(s.job for s in self.slots):
                outstanding = len(queue) + sum(1 for s in self.slots if s.job)
                target = self.target(outstanding)
                while len(self.slots) < target:
                    self._start_actor()
                excess = len(self.slots) - target
                for slot in [s for s in self.slots if s.ready is not None][:max(0, excess)]:
                    self._drop(slot)  # still loading and no longer needed (fewer jobs, or a node left)
                for slot in self.slots:
                    if slot.ready is None and slot.job is None and queue:
                        job = queue.popleft()
                        tries[job] = tries.get(job, 0) + 1
                        slot.job, slot.started, slot.timed_out = job, time.monotonic(), False
                        slot.ref = slot.actor.run.remote(job_to_dict(job))
                        started(job, slot.identity)
                refs = [s.ref for s in self.slots if s.job is not None] + \
                       [s.ready for s in self.slots if s.ready is not None]
                if not any(s.ready is None for s in self.slots):
                    waiting_since = waiting_since or time.monotonic()
                    if idle and time.monotonic() - waiting_since > self.patience_s:
                        idle(self.waiting_message())
                else:
                    waiting_since = None
                if not refs:
                    time.sleep(self.poll_s)
                    continue
                done, _ = ray.wait(refs, num_returns=1, timeout=self._wait_s())
                for ref in done:
                    self._handle(ref, queue, tries, started, finished)
                if self.start_failures >= max_failures:
                    raise CampaignError(f"no campaign worker could start ({self.start_failures} tries): "
                                        f"{self.last_start_error}")
                self._enforce_timeouts()
        finally:
            for slot in list(self.slots):
                self._drop(slot)

    def waiting_message(self) -> str:
        need = f"{self.cpus_per_worker:g} CPU" + (f" and {self.gpus_per_worker:g} GPU" if self.gpus_per_worker else "")
        have = self.ray.cluster_resources()
        starting = sum(1 for s in self.slots if s.ready is not None)
        return (f"waiting for workers ({starting} starting): each needs {need}; the cluster has "
                f"{have.get('CPU', 0):g} CPU, {have.get('GPU', 0):g} GPU")

    def _handle(self, ref, queue: deque, tries: dict, started: StartedHook, finished: FinishedHook) -> None:
        ray = self.ray
        slot = next((s for s in self.slots if s.ready == ref or s.ref == ref), None)
        if slot is None:
            return
        if slot.ready == ref:  # an actor finished loading its models (or failed to)
            try:
                slot.identity = ray.get(ref)
                slot.ready = None
                self.start_failures = 0
            except Exception as exc:  # noqa: BLE001 - any start failure: replace the actor
                self.start_failures += 1
                self.last_start_error = one_line(exc)
                log.warning("a campaign worker failed to start: %s", self.last_start_error)
                self._drop(slot)
            return
        job = slot.job
        assert job is not None  # ref is the slot's running job
        try:
            outcome = Outcome(**ray.get(ref))
        except Exception as exc:  # noqa: BLE001 - actor or node lost, or killed on timeout
            reason = (f"timed out after {self.job_timeout_s:g} s" if slot.timed_out
                      else f"worker lost ({type(exc).__name__}): {one_line(exc)}")
            outcome = Outcome(ok=False, duration_s=time.monotonic() - slot.started,
                              worker=slot.identity.get("worker", ""), node=slot.identity.get("node", ""),
                              error=f"{job.source}: {reason}", error_kind=TRANSIENT)
            self._drop(slot)
        else:
            slot.job = slot.ref = None
        final = outcome.ok or outcome.error_kind == PERMANENT or tries[job] > self.retries
        if not final:
            queue.append(job)
        finished(job, outcome, final)

    def _wait_s(self) -> float:
        """How long to wait for a result: the poll period, or less when a job reaches its time limit sooner."""
        if not self.job_timeout_s:
            return self.poll_s
        deadlines = [s.started + self.job_timeout_s for s in self.slots if s.job is not None and not s.timed_out]
        return max(0.0, min([self.poll_s] + [d - time.monotonic() for d in deadlines]))

    def _enforce_timeouts(self) -> None:
        if not self.job_timeout_s:
            return
        now = time.monotonic()
        for slot in self.slots:
            if slot.job is not None and not slot.timed_out and now - slot.started > self.job_timeout_s:
                slot.timed_out = True
                self.ray.kill(slot.actor, no_restart=True)


def one_line(exc: BaseException) -> str:
    """The first meaningful line of an exception's message."""
    for line in str(exc).splitlines():
        line = line.strip()
        if line and not line.startswith("Traceback"):
            return line[:300]
    return type(exc).__name__
