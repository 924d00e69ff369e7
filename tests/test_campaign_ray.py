"""Campaigns on a real Ray cluster on this machine (slow: a head and a worker node, ~1-2 min in all).

The head listens on 127.0.0.2 and the worker node on 127.0.0.3: two loopback
addresses, so that every connection stays on this machine. (Ray replaces
127.0.0.1 and ``localhost`` by the machine's network address, so a second node
cannot join a head on 127.0.0.1.) Token authentication is on, with a token file
in a temporary folder; every Ray process runs with HOME in a temporary folder,
and only the process groups started here are ended.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from inafaceanalyzer.analyzers import VideoAnalyzer
from inafaceanalyzer.campaign import cluster, read_status, stale_parts, read_joblist
from inafaceanalyzer.export import read_csv
from inafaceanalyzer.jobs import VideoJob, run_video_job
from videogen import face_head, paste, write_video

pytestmark = pytest.mark.slow  # integration tests: run by default, deselect with -m "not slow"

HEAD_IP, WORKER_IP = "127.0.0.2", "127.0.0.3"
CLIPS = 8
SCRIPTS = Path(sys.executable).parent


def free_port() -> int:
    from ray._common.network_utils import find_free_port

    return find_free_port()


@pytest.fixture(scope="module")
def sandbox():
    """A short folder (Ray's Unix sockets must fit in 107 bytes) with HOME, token and Ray temp dirs."""
    root = Path(tempfile.mkdtemp(prefix="ifa-", dir="/tmp"))
    home = root / "home"
    home.mkdir()
    token = cluster.ensure_token(root / "token")
    env = cluster.auth_env(token, base={**os.environ, "HOME": str(home), "RAY_DISABLE_USAGE_STATS": "1"})
    env.pop("RAY_ADDRESS", None)
    yield root, env
    import shutil

    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="module")
def clips(tmp_path_factory, astronaut):
    """Short real-face videos (3 s, 320x180), a corrupt one, and a job list with a missing one."""
    root = tmp_path_factory.mktemp("campaign")
    videos = root / "videos"
    videos.mkdir()
    head = face_head(astronaut, 90)
    background = np.full((180, 320, 3), (70, 90, 120), np.uint8)
    for k in range(CLIPS):
        write_video(videos / f"clip{k}.mp4", lambda i, k=k: paste(background, head, 10 + 3 * i + 7 * k, 25 + 3 * k),
                    count=75, rate=25)
    (videos / "corrupt.mp4").write_bytes((videos / "clip0.mp4").read_bytes()[:2500])
    return root


def new_joblist(clips: Path, folder: Path) -> Path:
    """A job list writing into ``folder`` (relative paths: resolved against the list's folder)."""
    folder.mkdir(parents=True)
    (folder / "out").mkdir()
    lines = ["source_path,dest_csv"]
    lines += [f"{clips}/videos/clip{k}.mp4,out/clip{k}.csv" for k in range(CLIPS)]
    lines += [f"{clips}/videos/corrupt.mp4,out/corrupt.csv", f"{clips}/videos/missing.mp4,out/missing.csv"]
    path = folder / "jobs.csv"
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.fixture(scope="module")
def reference(clips):
    """Each clip analysed on this machine by ``run_video_job`` directly, with the default classifier
    (the campaign's)."""
    analyzer = VideoAnalyzer(device="cpu")
    out = clips / "reference"
    out.mkdir()
    for k in range(CLIPS):
        run_video_job(analyzer, VideoJob(str(clips / "videos" / f"clip{k}.mp4"), out / f"clip{k}.csv"))
    return out


@pytest.fixture(scope="module")
def head(sandbox):
    root, env = sandbox
    node = cluster.start_node(head=True, host=HEAD_IP, port=free_port(), log=root / "head.log", env=env,
                              num_cpus=1, temp_dir=str(root / "ray"), object_store_memory=150 * 2**20)
    yield node
    node.stop()


class WorkerNode:
    """The second node; :meth:`ensure` (re)starts it after a test killed it."""

    def __init__(self, root: Path, env: dict, address: str) -> None:
        self.root, self.env, self.address, self.node = root, env, address, None

    def ensure(self) -> None:
        if self.node is not None:
            if cluster._alive(cluster.session_members(self.node.sid)):
                return
        self.node = cluster.start_node(head=False, address=self.address, log=self.root / "worker.log",
                                       env=self.env, num_cpus=1, node_ip_address=WORKER_IP,
                                       temp_dir=str(self.root / "ray"), object_store_memory=150 * 2**20)
        wait_for_nodes(self.env, self.address, 2)

    def kill(self) -> None:
        self.node.kill()  # every process of the node at once, as a crashed machine

    def stop(self) -> None:
        if self.node is not None:
            self.node.stop()


def wait_for_nodes(env: dict, address: str, count: int, timeout_s: float = 60) -> None:
    code = ("import ray,sys,time;ray.init(address=sys.argv[1],log_to_driver=False,logging_level='ERROR');"
            "t=time.time()\nwhile sum(n['Alive'] for n in ray.nodes())<int(sys.argv[2]) and time.time()-t<60:"
            " time.sleep(0.5)\nsys.exit(0 if sum(n['Alive'] for n in ray.nodes())>=int(sys.argv[2]) else 1)")
    subprocess.run([sys.executable, "-c", code, address, str(count)], env=env, check=True, timeout=timeout_s + 30)


@pytest.fixture(scope="module")
def worker_node(sandbox, head):
    root, env = sandbox
    node = WorkerNode(root, env, head.address)
    node.ensure()
    yield node
    node.stop()


def campaign(joblist: Path, env: dict, *args: str) -> subprocess.Popen:
    cmd = [str(SCRIPTS / "ina_face_analyzer_campaign"), str(joblist), "--engine", "video", "-q", *args]
    return subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def finish(proc: subprocess.Popen, timeout_s: float = 150) -> tuple[int, str]:
    out, _ = proc.communicate(timeout=timeout_s)
    return proc.returncode, out


def status_rows(joblist: Path) -> dict[str, dict]:
    path = joblist.with_name("jobs.status.csv")
    if not path.exists():
        return {}
    return {Path(r["source_path"]).name: r for r in read_status(path)}


def wait_until(joblist: Path, proc: subprocess.Popen, condition, timeout_s: float = 120) -> dict:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        rows = status_rows(joblist)
        if rows and condition(rows):
            return rows
        if proc.poll() is not None:
            pytest.fail(f"the campaign ended before the fault could be injected: {proc.communicate()[0]}")
        time.sleep(0.05)
    pytest.fail("timed out waiting for the campaign")


def check_results(joblist: Path, reference: Path) -> None:
    """Every clip's CSV and sidecar exist and equal the single-machine run; nothing partial is left."""
    out = joblist.parent / "out"
    for k in range(CLIPS):
        got, want = read_csv(out / f"clip{k}.csv"), read_csv(reference / f"clip{k}.csv")
        assert len(want) > 0
        assert got.frame.tolist() == want.frame.tolist() and got.bbox.tolist() == want.bbox.tolist()
        pd.testing.assert_frame_equal(got, want, check_exact=False, atol=1e-4)
        assert (out / f"clip{k}.json").is_file()
    assert not (out / "corrupt.csv").exists() and not (out / "missing.csv").exists()
    leftovers = [p.name for p in out.iterdir() if p.name.startswith(".")]
    assert leftovers == []
    for job in read_joblist(joblist).jobs:
        assert stale_parts(job) == []


def check_failures(rows: dict) -> None:
    for name, reason in (("corrupt.mp4", "cannot open"), ("missing.mp4", "no such file")):
        row = rows[name]
        assert row["state"] == "failed" and row["error_kind"] == "permanent", row
        assert reason in row["error"] and name in row["error"]


def test_cluster_campaign_equals_single_machine_then_rerun_skips(clips, reference, sandbox, head, worker_node,
                                                                tmp_path):
    root, env = sandbox
    worker_node.ensure()
    joblist = new_joblist(clips, tmp_path / "c1")
    code, out = finish(campaign(joblist, env, "--ray-address", head.address, "--retries", "1"))
    assert code == 1, out  # some jobs failed
    assert out.count("error:") == 2 and "corrupt.mp4" in out and "missing.mp4" in out
    rows = status_rows(joblist)
    check_failures(rows)
    done = [rows[f"clip{k}.mp4"] for k in range(CLIPS)]
    assert all(r["state"] == "done" and r["attempts"] == "1" for r in done)
    assert rows["missing.mp4"]["attempts"] == "0"  # a missing source is refused before any attempt
    assert {r["node"] for r in done} == {HEAD_IP, WORKER_IP}  # both nodes worked
    assert all(r["inafaceanalyzer_version"] and "gender=" in r["models_sha256"] for r in done)
    assert '"engine": "video"' in done[0]["options"]
    check_results(joblist, reference)
    mtimes = {p: p.stat().st_mtime_ns for p in (joblist.parent / "out").iterdir()}

    code, out = finish(campaign(joblist, env, "--ray-address", head.address))  # rerun: only the failed ones
    assert code == 1, out
    rows = status_rows(joblist)
    assert all(rows[f"clip{k}.mp4"]["state"] == "done" and rows[f"clip{k}.mp4"]["attempts"] == "1"
               for k in range(CLIPS))
    assert rows["corrupt.mp4"]["attempts"] == "2"
    assert {p: p.stat().st_mtime_ns for p in (joblist.parent / "out").iterdir()} == mtimes


def test_local_instance_without_address(clips, reference, sandbox, tmp_path):
    """No --ray-address: an embedded local Ray with one worker per core (here 2)."""
    root, env = sandbox
    env = {k: v for k, v in env.items() if k not in ("RAY_AUTH_MODE", "RAY_AUTH_TOKEN_PATH")}
    joblist = new_joblist(clips, tmp_path / "local")
    code, out = finish(campaign(joblist, env, "--workers", "2"))
    assert code == 1, out
    check_failures(status_rows(joblist))
    check_results(joblist, reference)
    token = root / "home" / ".ray" / "auth_token"  # token authentication is on, with a private token
    assert token.is_file() and token.stat().st_mode & 0o077 == 0

    # a job over its time limit: its worker is killed, the job retried on a new worker, then failed
    slow = tmp_path / "slow"
    slow.mkdir()
    (slow / "jobs.csv").write_text(f"source_path,dest_csv\n{clips}/videos/clip1.mp4,clip1.csv\n")
    code, out = finish(campaign(slow / "jobs.csv", env, "--workers", "1", "--job-timeout", "0.01",
                                "--retries", "1"))
    assert code == 1 and "timed out after 0.01 s" in out, out
    row = status_rows(slow / "jobs.csv")["clip1.mp4"]
    assert row["state"] == "failed" and row["attempts"] == "2" and row["error_kind"] == "transient"
    assert sorted(p.name for p in slow.iterdir()) == ["jobs.csv", "jobs.status.csv"]  # nothing partial


def test_output_folders_created_and_unusable_jobs_refused_up_front(clips, sandbox, tmp_path):
    """Result folders that do not exist yet are created; a job whose output folder cannot be created
    (a file in the way) or whose source is missing is refused before anything runs, never retried."""
    root, env = sandbox
    env = {k: v for k, v in env.items() if k not in ("RAY_AUTH_MODE", "RAY_AUTH_TOKEN_PATH")}
    folder = tmp_path / "fresh"
    folder.mkdir()
    (folder / "blocker").write_text("a file where a folder is wanted")
    joblist = folder / "jobs.csv"
    joblist.write_text("source_path,dest_csv,dest_ass\n"
                       f"{clips}/videos/clip0.mp4,new/csv/clip0.csv,new/ass/clip0.ass\n"
                       f"{clips}/videos/clip1.mp4,other/deeper/clip1.csv,\n"
                       f"{clips}/videos/clip2.mp4,blocker/clip2.csv,\n"
                       f"{clips}/videos/missing.mp4,new/csv/missing.csv,\n")
    code, out = finish(campaign(joblist, env, "--workers", "1", "--retries", "2"))
    assert code == 1, out
    errors = [line for line in out.splitlines() if "error:" in line]
    assert len(errors) == 2, out  # one line per refused job, naming the file and the reason
    assert any(f"{folder}/blocker/clip2.csv: cannot create the output folder" in e and "in the way" in e
               for e in errors), errors
    assert any(f"{clips}/videos/missing.mp4: no such file" in e for e in errors), errors
    rows = status_rows(joblist)
    for name in ("clip0.mp4", "clip1.mp4"):
        assert rows[name]["state"] == "done" and rows[name]["attempts"] == "1", rows[name]
    for name in ("clip2.mp4", "missing.mp4"):
        row = rows[name]
        assert (row["state"], row["error_kind"], row["attempts"], row["worker"]) == ("failed", "permanent", "0", "")
    for path in ("new/csv/clip0.csv", "new/csv/clip0.json", "new/ass/clip0.ass", "other/deeper/clip1.csv"):
        assert (folder / path).is_file(), path
    assert len(read_csv(folder / "new/csv/clip0.csv")) > 0

    # the report on this job list (relative paths) finds the failed jobs in the status table (absolute paths)
    from inafaceanalyzer.report import ReportOptions, build_report

    report = build_report([joblist], folder / "report", ReportOptions(n_bootstrap=0, html=False))
    assert sorted(p.reason for p in report.missing) == [f"job state is 'failed' (job {clips}/videos/{name})"
                                                        for name in ("clip2.mp4", "missing.mp4")]
    assert report.tables.summary.iloc[0]["videos"] == 2


def test_kill_worker_node_mid_run(clips, reference, sandbox, head, worker_node, tmp_path):
    root, env = sandbox
    worker_node.ensure()
    joblist = new_joblist(clips, tmp_path / "c2")
    proc = campaign(joblist, env, "--ray-address", head.address)
    rows = wait_until(joblist, proc, lambda rows: any(
        r["state"] == "running" and r["node"] == WORKER_IP for r in rows.values())
        and any(r["state"] == "done" for r in rows.values()))
    victim = next(name for name, r in rows.items() if r["state"] == "running" and r["node"] == WORKER_IP)
    worker_node.kill()
    code, out = finish(proc)
    assert code == 1, out
    rows = status_rows(joblist)
    check_failures(rows)
    assert all(rows[f"clip{k}.mp4"]["state"] == "done" for k in range(CLIPS))
    assert rows[victim]["attempts"] == "2" and rows[victim]["node"] == HEAD_IP  # re-run elsewhere
    check_results(joblist, reference)
    print_fault_table("worker node killed", rows, rerun=[victim])


def test_kill_driver_mid_run_then_resume(clips, reference, sandbox, head, worker_node, tmp_path):
    root, env = sandbox
    worker_node.ensure()
    joblist = new_joblist(clips, tmp_path / "c3")
    proc = campaign(joblist, env, "--ray-address", head.address)
    wait_until(joblist, proc, lambda rows: sum(r["state"] == "done" for r in rows.values()) >= 3)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    before = status_rows(joblist)  # a complete table, whatever the moment of the kill
    out = joblist.parent / "out"
    finished = {p.name: p.stat().st_mtime_ns for p in out.iterdir() if not p.name.startswith(".")}
    for name in finished:  # nothing under a final name is partial
        if name.endswith(".csv"):
            assert read_csv(out / name).shape[1] == 8
    done_before = {n for n, r in before.items() if r["state"] == "done"}
    assert 3 <= len(done_before) < CLIPS
    code, output = finish(campaign(joblist, env, "--ray-address", head.address))
    assert code == 1, output
    rows = status_rows(joblist)
    for name in done_before:  # finished results were kept, not recomputed
        assert rows[name]["attempts"] == "1" and rows[name]["state"] == "done"
        stem = Path(name).stem
        assert (out / f"{stem}.csv").stat().st_mtime_ns == finished[f"{stem}.csv"]
    rerun = [n for n, r in rows.items() if int(r["attempts"]) > 1]
    assert all(before[n]["state"] == "running" for n in rerun)  # only interrupted jobs ran twice
    assert all(rows[f"clip{k}.mp4"]["state"] in ("done", "skipped") for k in range(CLIPS))
    check_failures(rows)
    check_results(joblist, reference)
    print_fault_table("driver killed, then rerun", rows, rerun=rerun)


def print_fault_table(title: str, rows: dict, rerun: list[str]) -> None:
    """The fault-injection figures (shown with pytest -s; benchmarks/campaign_faults.py prints them too)."""
    states = [r["state"] for r in rows.values()]
    failed = {n: r["error_kind"] + ": " + r["error"].split(": ", 1)[-1] for n, r in rows.items() if r["state"] == "failed"}
    lost = sum(1 for n, r in rows.items() if r["state"] not in ("done", "skipped", "failed"))
    print(f"\n[{title}] jobs={len(rows)} finished={states.count('done') + states.count('skipped')} "
          f"failed={len(failed)} {failed} re-run={len(rerun)} {rerun} lost={lost}")
    assert lost == 0


def test_original_server_and_worker_scripts(clips, reference, sandbox, tmp_path):
    """The original's two commands: the server starts a head and runs the list; a worker joins it."""
    root, env = sandbox
    plain = {k: v for k, v in env.items() if not k.startswith("RAY_AUTH")}
    empty_home = tmp_path / "home"
    empty_home.mkdir()
    refused = subprocess.run([str(SCRIPTS / "ina_face_analyzer_distributed_worker.py"), "127.0.0.4:1"],
                             env={**plain, "HOME": str(empty_home)}, capture_output=True, text=True, timeout=60)
    assert refused.returncode == 2 and "no Ray authentication token found" in refused.stderr

    joblist = new_joblist(clips, tmp_path / "scripts")
    token = root / "scripts-token"  # created by the server
    port = free_port()
    server = subprocess.Popen(
        [str(SCRIPTS / "ina_face_analyzer_distributed_server.py"), "127.0.0.4", str(joblist), "--engine", "video",
         "--port", str(port), "--token-file", str(token), "--temp-dir", str(root / "ray"), "-q"],
        env=plain, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + 60
    while not token.exists() or not cluster.is_listening("127.0.0.4", port):
        assert server.poll() is None and time.monotonic() < deadline, server.communicate()[0]
        time.sleep(0.2)
    worker = subprocess.Popen(
        [str(SCRIPTS / "ina_face_analyzer_distributed_worker.py"), f"127.0.0.4:{port}", "--token-file", str(token),
         "--num-cpus", "1", "--node-ip-address", "127.0.0.5", "--temp-dir", str(root / "ray")],
        env=plain, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        code, out = finish(server)
    finally:
        cluster.stop_session(worker.pid)
        worker.wait(timeout=30)
    assert code == 1, out  # the corrupt and missing files
    assert f"ina_face_analyzer_distributed_worker.py 127.0.0.4:{port}" in out and str(token) in out
    rows = status_rows(joblist)
    check_failures(rows)
    assert {rows[f"clip{k}.mp4"]["node"] for k in range(CLIPS)} == {"127.0.0.5"}  # the server only schedules
    check_results(joblist, reference)
    assert not cluster.is_listening("127.0.0.4", port)  # the server stopped the head it started
