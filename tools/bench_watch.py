"""hostctl watch: how soon an event comes, and what a quiet poll costs.

Run with ``./run bench-watch`` (``./run bench`` runs it too).

- Latency, against the real local cloud (started unless it is up, and
  stopped after if this started it): ``hostctl watch --interval 0.5``
  runs in the background; the bench forces a host's nova-compute down
  (and disables it) in-process, through hostctl's own command, and times
  from the start of that command to the line of each server on the host
  with Host Status DOWN (MAINTENANCE) on the watch's stdout. OPNFV
  Doctor's target is under one second.
- Cost, against tools/bench.py's loopback stand-in with 10,000 servers on
  50 hosts: the requests a quiet poll sends, and its time.

Nothing here leaves the loopback interface.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from tests.functional import watching  # noqa: E402
from tools import bench  # noqa: E402
from tools import bench_peers  # noqa: E402

HOSTCTL = bench.HOSTCTL
INTERVAL = 0.5


def hostctl_inprocess(*argv):
    """Run hostctl in this process (warm: no start-up in the timing)."""
    from hostctl import shell

    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        code = shell.HostctlApp(stdout=out, stderr=out).run(list(argv))
    if code:
        raise SystemExit(
            f'bench-watch: hostctl {argv} failed: {out.getvalue()}'
        )


def latency(facts, rounds):
    """Seconds from each change's start to each server's event."""
    os.environ.update(bench_peers_env(facts))
    host = 'compute2'
    servers = {s['id'] for s in facts['servers'] if s['host'] == host}
    watcher = watching.Watcher(
        '--services', '--servers', '--no-initial', '--interval', str(INTERVAL)
    )
    # status -> [(from the command's start, from its answer)]
    results = {'DOWN': [], 'MAINTENANCE': []}
    steps = {
        'DOWN': (
            ['service-force-down', host, 'nova-compute'],
            ['service-force-down', '--unset', host, 'nova-compute'],
        ),
        'MAINTENANCE': (
            ['service-disable', host, 'nova-compute'],
            ['service-enable', host, 'nova-compute'],
        ),
    }
    try:
        time.sleep(3)  # the watch's first poll
        hostctl_inprocess('service-list')  # warm: imports, token
        for _ in range(rounds):
            for status, (change, undo) in steps.items():
                for wanted, argv in ((status, change), ('UP', undo)):
                    seen = len(watcher.lines)
                    start = time.perf_counter()
                    hostctl_inprocess(*argv)
                    answered = time.perf_counter()

                    def arrived(wanted=wanted, seen=seen):
                        return {
                            e['id']: t
                            for t, e in zip(
                                watcher.arrived[seen:],
                                watcher.events[seen:],
                                strict=False,
                            )
                            if e['kind'] == 'server'
                            and e['host_status'] == wanted
                            and e['id'] in servers
                        }

                    watcher.wait_for(
                        lambda events, arrived=arrived: (
                            len(arrived()) == len(servers)
                        )
                    )
                    if wanted != 'UP':
                        results[status] += [
                            (t - start, t - answered)
                            for t in arrived().values()
                        ]
                    time.sleep(INTERVAL * 2)
    finally:
        watcher.stop()
        for argv in (['service-force-down', '--unset'], ['service-enable']):
            subprocess.run(
                [HOSTCTL, *argv, host, 'nova-compute'], capture_output=True
            )
    return results, len(servers)


def bench_peers_env(facts):
    admin = facts['users']['admin']
    return {
        'OS_AUTH_URL': facts['auth_url'],
        'OS_IDENTITY_API_VERSION': '3',
        'OS_USERNAME': admin['name'],
        'OS_PASSWORD': admin['password'],
        'OS_PROJECT_NAME': admin['project'],
        'OS_USER_DOMAIN_ID': 'default',
        'OS_PROJECT_DOMAIN_ID': 'default',
        'OS_REGION_NAME': 'RegionOne',
        'OS_INTERFACE': 'public',
    }


def quiet_cost(polls):
    """(requests of the first poll, per quiet poll, seconds per quiet
    poll) with 10,000 servers on the stand-in."""
    stand_in = bench.StandIn()
    threading.Thread(target=stand_in.serve_forever, daemon=True).start()
    stand_in.populate(servers=10000)
    auth = ['--os-token', 'bench', '--os-endpoint', stand_in.url + '/v2.1']
    env = dict(bench.ENV or os.environ)
    counted = {}
    # The first run fills the token and version cache; then both counted
    # runs are warm, as a watch that has been running is.
    for count in (1, 1, 1 + polls):
        stand_in.requests = 0
        start = time.perf_counter()
        done = subprocess.run(
            [
                HOSTCTL,
                *auth,
                'watch',
                '--count',
                str(count),
                '--interval',
                '0.01',
            ],
            capture_output=True,
            text=True,
            env=env,
        )
        if done.returncode:
            raise SystemExit(f'bench-watch: {done.stderr}')
        counted[count] = (stand_in.requests, time.perf_counter() - start)
    stand_in.shutdown()
    first, first_time = counted[1]
    many, many_time = counted[1 + polls]
    per_poll = (many - first) / polls
    seconds = (many_time - first_time - 0.01 * polls) / polls
    return first, per_poll, seconds, len(stand_in.hosts)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        '--rounds',
        type=int,
        default=5,
        help='force-downs and disables timed (default 5)',
    )
    parser.add_argument(
        '--polls',
        type=int,
        default=20,
        help='quiet polls counted (default 20)',
    )
    args = parser.parse_args()
    bench.ENV = dict(
        os.environ, XDG_CACHE_HOME=tempfile.mkdtemp(prefix='hostctl-bench-')
    )
    os.environ['XDG_CACHE_HOME'] = bench.ENV['XDG_CACHE_HOME']

    first, per_poll, seconds, hosts = quiet_cost(args.polls)
    print(
        f'watch, 10,000 servers on {hosts} hosts (stand-in): first poll '
        f'{first} requests; a quiet poll {per_poll:g} requests, '
        f'{seconds * 1000:.0f} ms'
    )

    facts, started = bench_peers.ensure_cloud()
    try:
        results, servers = latency(facts, args.rounds)
    finally:
        if started:
            subprocess.run([*bench_peers.DEVCLOUD, 'stop'], check=False)
    for status, found in results.items():
        change = 'force-down' if status == 'DOWN' else 'disable'
        for label, times in (
            (f"the {change} command's start", [f[0] for f in found]),
            (f"Nova's answer to the {change}", [f[1] for f in found]),
        ):
            print(
                f'watch --interval {INTERVAL:g}: from {label} to each '
                f"server's {status} event "
                f'({servers} servers x {args.rounds} rounds): median '
                f'{statistics.median(times):.2f} s, max {max(times):.2f} s'
            )


if __name__ == '__main__':
    main()
