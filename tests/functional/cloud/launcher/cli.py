"""devcloud.py's command line."""

import argparse
import pathlib
import sys

from launcher import commands, control
from launcher.settings import ALL_SERVICES, DEFAULT_PORTS, DevCloudError


def _parser():
    parser = argparse.ArgumentParser(
        prog="devcloud.py",
        description="A local OpenStack cloud on 127.0.0.1 for hostctl.",
        epilog="What it seeds, where things go and the keys of cloud.json: "
        "the docstring at the top of devcloud.py.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    start = sub.add_parser("start", help="install if needed, start, seed")
    start.add_argument(
        "--services",
        default=",".join(ALL_SERVICES),
        help="comma list, keystone included (default: all)",
    )
    for name in DEFAULT_PORTS:
        start.add_argument(
            "--" + name.replace("_", "-") + "-port", type=int, dest=f"{name}_port"
        )
    sub.add_parser("install", help="build the service venvs, start nothing")
    sub.add_parser("stop", help="stop everything started from the run dir")
    sub.add_parser("status", help="what runs and answers")
    env = sub.add_parser("env", help="print exports for a shell")
    env.add_argument(
        "--member", action="store_true", help="the non-admin cloud as OS_CLOUD"
    )
    heartbeat = sub.add_parser(
        "heartbeat", help="stop or start a compute host's heartbeat"
    )
    heartbeat.add_argument("action", choices=("stop", "start"))
    heartbeat.add_argument("host")
    compute = sub.add_parser(
        "compute", help="restart a compute host's nova-compute service"
    )
    compute.add_argument("action", choices=("restart",))
    compute.add_argument("host")
    return parser


def main(argv=None):
    args = _parser().parse_args(argv)
    command = {
        "start": commands.cmd_start,
        "install": commands.cmd_install,
        "stop": commands.cmd_stop,
        "status": commands.cmd_status,
        "env": commands.cmd_env,
        "heartbeat": control.cmd_heartbeat,
        "compute": control.cmd_compute,
    }[args.command]
    try:
        return command(args)
    except DevCloudError as exc:
        print(f"devcloud: error: {exc}", file=sys.stderr)
        if exc.log:
            print(f"devcloud: see {exc.log}", file=sys.stderr)
            try:
                tail = (
                    pathlib.Path(exc.log).read_text(errors="replace").splitlines()[-15:]
                )
            except OSError:  # a directory, or no log yet
                tail = []
            for line in tail:
                print(f"    | {line}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
