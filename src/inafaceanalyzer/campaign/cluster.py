"""Starting and joining Ray nodes for the distributed command lines, with token authentication on.

Ray (>= 2.52) authenticates every connection to a cluster when
``RAY_AUTH_MODE=token`` is set on each node and driver; the shared secret is
read from ``RAY_AUTH_TOKEN`` (the token itself), else ``RAY_AUTH_TOKEN_PATH``
(a file), else ``~/.ray/auth_token``. :func:`ensure_token` creates that file
on the head when there is none; workers need a copy of it.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from .ray_backend import CampaignError, token_available

DEFAULT_PORT = 6379


def default_token_path() -> Path:
    """Where Ray looks for the token when no environment variable says otherwise."""
    path = os.environ.get("RAY_AUTH_TOKEN_PATH")
    return Path(path) if path else Path.home() / ".ray" / "auth_token"


def ensure_token(token_file: str | os.PathLike[str] | None = None) -> Path | None:
    """The token file to use, created (random, mode 600) if it does not exist.

    Returns ``None`` when the token is given by ``RAY_AUTH_TOKEN`` instead.
    """
    if token_file is None and os.environ.get("RAY_AUTH_TOKEN", "").strip():
        return None
    path = Path(token_file) if token_file else default_token_path()
    if not path.is_file() or not path.read_text().strip():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
    return path


def auth_env(token_file: str | os.PathLike[str] | None = None, base: dict | None = None) -> dict[str, str]:
    """An environment with token authentication on (``RAY_AUTH_MODE=token``) and the token file named."""
    env = dict(os.environ if base is None else base)
    env["RAY_AUTH_MODE"] = "token"
    if token_file is not None:
        env["RAY_AUTH_TOKEN_PATH"] = str(Path(token_file).resolve())
    return env


def use_token(token_file: str | os.PathLike[str] | None = None) -> None:
    """Turn token authentication on for this process (and the Ray processes it starts); fail without a token."""
    os.environ.update(auth_env(token_file, base={}))
    if not token_available():
        raise CampaignError(
            f"no Ray authentication token found ({default_token_path()}): copy the head node's "
            "~/.ray/auth_token to this machine, or give --token-file, or set RAY_AUTH_TOKEN")


def ray_command() -> list[str]:
    """The ``ray`` command line tool installed with this Python."""
    beside = Path(sys.executable).with_name("ray")
    found = str(beside) if beside.exists() else shutil.which("ray")
    if not found:
        raise CampaignError("the `ray` command is not installed (pip install 'ray>=2.52')")
    return [found]


def is_listening(host: str, port: int, timeout_s: float = 1.0) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout_s):
            return True
    except OSError:
        return False


@dataclass
class StartedNode:
    """Ray processes started by :func:`start_node`, all in one session (``sid``).

    Ray runs each worker process in a process group of its own, but they stay
    in the session of the ``ray start`` that created the node.
    """

    address: str
    sid: int
    log: Path

    def stop(self, grace_s: float = 5.0) -> None:
        """End this node's processes (its session only), forcibly after ``grace_s``."""
        stop_session(self.sid, grace_s)

    def kill(self) -> None:
        """End them at once with SIGKILL, as a crashed machine would."""
        signal_session(self.sid, signal.SIGKILL)


def session_members(sid: int) -> list[int]:
    """The processes of session ``sid`` (Linux ``/proc``)."""
    members = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if os.getsid(int(entry.name)) == sid:
                    members.append(int(entry.name))
            except (ProcessLookupError, PermissionError):
                continue
    return members


def signal_session(sid: int, sig: int) -> int:
    count = 0
    for pid in session_members(sid):
        try:
            os.kill(pid, sig)
            count += 1
        except ProcessLookupError:
            pass
    return count


def stop_session(sid: int, grace_s: float = 5.0) -> None:
    if not signal_session(sid, signal.SIGTERM):
        return
    deadline = time.monotonic() + grace_s
    while time.monotonic() < deadline:
        if not _alive(session_members(sid)):
            return
        time.sleep(0.1)
    signal_session(sid, signal.SIGKILL)


def _alive(pids: list[int]) -> bool:
    """Whether any of ``pids`` is still running (zombies waiting to be reaped do not count)."""
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as handle:
                if handle.read().rsplit(")", 1)[-1].split()[0] != "Z":
                    return True
        except OSError:
            continue
    return False


def node_arguments(num_cpus: float | None = None, num_gpus: float | None = None, temp_dir: str | None = None,
                   node_ip_address: str | None = None, object_store_memory: int | None = None) -> list[str]:
    args = []
    if num_cpus is not None:
        args += ["--num-cpus", f"{int(num_cpus)}"]
    if num_gpus is not None:
        args += ["--num-gpus", f"{int(num_gpus)}"]
    if temp_dir:
        args += ["--temp-dir", str(temp_dir)]
    if node_ip_address:
        args += ["--node-ip-address", node_ip_address]
    if object_store_memory:
        args += ["--object-store-memory", str(object_store_memory)]
    return args


def start_node(*, head: bool, host: str | None = None, address: str | None = None, port: int = DEFAULT_PORT,
               log: Path, env: dict[str, str], timeout_s: float = 120.0, **node: object) -> StartedNode:
    """Run ``ray start --head`` (on ``host:port``) or ``ray start --address`` (non-blocking) in a new session.

    Ray's processes stay in the new session, which :meth:`StartedNode.stop` ends.
    Ray's output goes to ``log`` (never to a pipe: its daemons would keep it open).
    """
    cmd = ray_command() + ["start", "--disable-usage-stats"]
    if head:
        cmd += ["--head", "--port", str(port), "--include-dashboard=false"]
        if host:
            cmd += ["--node-ip-address", host]
    else:
        cmd += ["--address", str(address)]
    cmd += node_arguments(**node)  # type: ignore[arg-type]
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "ab") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                env=env, start_new_session=True)
        try:
            rc = proc.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            stop_session(proc.pid)
            raise CampaignError(f"`ray start` did not finish within {timeout_s:g} s (log: {log})") from None
    if rc != 0:
        stop_session(proc.pid, grace_s=1.0)
        tail = " | ".join(log.read_text(errors="replace").strip().splitlines()[-3:])
        raise CampaignError(f"`ray start` failed (exit {rc}; log: {log}): {tail[-400:]}")
    return StartedNode(address=f"{host}:{port}" if head else str(address), sid=proc.pid, log=log)
