"""The original's distributed scripts, now thin wrappers around a Ray cluster.

``ina_face_analyzer_distributed_server.py HOST JOBLIST --engine video --fps 1``
starts a Ray head node on HOST (or joins the one already there), with token
authentication on, prints how workers join, runs the campaign, then stops the
head it started.

``ina_face_analyzer_distributed_worker.py HOST:PORT`` joins that cluster with
this machine's CPUs and GPUs (``ray start --address HOST:PORT --block``) until
it is stopped or the head goes away. It needs the head's token: copy the
head's token file (printed by the server) to ``~/.ray/auth_token`` here, or
give it with ``--token-file``.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from ..campaign import CampaignError
from ..campaign import cluster
from . import campaign as campaign_cli
from . import common

SERVER = "ina_face_analyzer_distributed_server.py"
WORKER = "ina_face_analyzer_distributed_worker.py"


def server_parser() -> argparse.ArgumentParser:
    parser = common.new_parser(SERVER, __doc__.split("\n\n")[1] + "\n\n" + __doc__.split("\n\n")[2])
    parser.add_argument("host", metavar="HOST", help="IP address of this machine that the workers can reach")
    parser.add_argument("joblist", metavar="JOBLIST", help="CSV job list (source_path, dest_csv[, dest_ass, dest_mp4])")
    head = parser.add_argument_group("Ray head node")
    head.add_argument("--port", type=int, default=cluster.DEFAULT_PORT, help="the head's port")
    head.add_argument("--num-cpus", type=int, default=0,
                      help="CPUs of this machine given to workers (0: it only schedules, as the original's server)")
    head.add_argument("--num-gpus", type=int, default=None, help="GPUs of this machine given to workers")
    head.add_argument("--token-file", default=None,
                      help="Ray authentication token file (created if absent; default: RAY_AUTH_TOKEN_PATH "
                           "or ~/.ray/auth_token)")
    head.add_argument("--temp-dir", default=None, help="Ray's temporary folder on this machine")
    head.add_argument("--keep-head", action="store_true", help="leave the Ray head running at the end")
    campaign_cli.add_campaign_arguments(parser)
    return parser


def server_main(argv: list[str] | None = None) -> int:
    parser = server_parser()
    args = parser.parse_args(argv)
    joblist, options, status = campaign_cli.validate(parser, args)
    common.setup_logging(args.quiet)
    reporter = common.Reporter(SERVER, args.quiet)
    address = f"{args.host}:{args.port}"
    started = None
    try:
        token = cluster.ensure_token(args.token_file)
        cluster.use_token(token)
        if cluster.is_listening(args.host, args.port):
            reporter.info(f"joining the Ray head already running at {address}")
        else:
            log = Path(args.temp_dir or tempfile.gettempdir()) / f"ina_face_analyzer_head_{args.port}.log"
            started = cluster.start_node(head=True, host=args.host, port=args.port, log=log,
                                         env=cluster.auth_env(token), num_cpus=args.num_cpus,
                                         num_gpus=args.num_gpus, temp_dir=args.temp_dir)
            reporter.info(f"Ray head started at {address} (log: {log})")
        where = f"copy {token} to ~/.ray/auth_token on each worker" if token else \
            "set the same RAY_AUTH_TOKEN on each worker"
        # Always shown, even with --quiet: workers cannot join without it.
        print(f"{SERVER}: workers join with: {WORKER} {address}   ({where}, or pass --token-file)",
              file=sys.stderr, flush=True)
        return campaign_cli.run(args, joblist, options, status, address, reporter)
    except CampaignError as exc:
        reporter.error(exc)
        return 2
    finally:
        if started is not None and not args.keep_head:
            started.stop()


def worker_parser() -> argparse.ArgumentParser:
    parser = common.new_parser(WORKER, __doc__.split("\n\n")[2])
    parser.add_argument("address", metavar="HOST:PORT", help="the address the server printed")
    parser.add_argument("--num-cpus", type=int, default=None, help="CPUs to contribute (default: all)")
    parser.add_argument("--num-gpus", type=int, default=None, help="GPUs to contribute (default: all)")
    parser.add_argument("--token-file", default=None,
                        help="the head's token file (default: RAY_AUTH_TOKEN, RAY_AUTH_TOKEN_PATH or ~/.ray/auth_token)")
    parser.add_argument("--node-ip-address", default=None, help="this machine's IP address as the head sees it")
    parser.add_argument("--temp-dir", default=None, help="Ray's temporary folder on this machine")
    return parser


def worker_main(argv: list[str] | None = None) -> int:
    parser = worker_parser()
    args = parser.parse_args(argv)
    address = args.address.removeprefix("ray://")
    if ":" not in address:
        parser.error(f"{args.address}: expected HOST:PORT")
    if args.token_file and not Path(args.token_file).is_file():
        parser.error(f"--token-file {args.token_file}: no such file")
    try:
        cluster.use_token(args.token_file)
        cmd = cluster.ray_command() + ["start", "--address", address, "--block", "--disable-usage-stats"]
    except CampaignError as exc:
        common.Reporter(WORKER).error(exc)
        return 2
    cmd += cluster.node_arguments(num_cpus=args.num_cpus, num_gpus=args.num_gpus, temp_dir=args.temp_dir,
                                  node_ip_address=args.node_ip_address)
    sys.stdout.flush()
    sys.stderr.flush()
    # Become `ray start --block`: stopping this command stops the node, nothing is left behind.
    os.execve(cmd[0], cmd, cluster.auth_env(args.token_file))
    return 0  # not reached
