"""host-evacuate --wait on the real local cloud: time and requests.

Run against a running local cloud (``./run cloud start``), from the
repository: ``.venv/bin/python tools/bench_evacuate.py --servers 20``.
Each run boots --servers servers of its own on compute1 (next to the seed
servers there), forces compute1 down, and times ``hostctl host-evacuate
compute1 --wait`` through the tests' counting proxy on loopback, at
--concurrency 1 and at the default; then it puts the cloud back (compute1
restarted and up, the seed servers home, its own servers deleted).
The figures are Nova's (fake-driver computes, one API process) as much as
hostctl's: what they show is what concurrency buys on a real API.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, TOP)
from tests.functional import base  # noqa: E402
from tests.functional import nova  # noqa: E402

HOST = 'compute1'


def one_run(
    count: int, concurrency: int, wait: bool
) -> tuple[float, int, int, int, int]:
    """(seconds, requests, servers on the host, servers evacuated, exit
    code) of one run."""
    cloud = nova.Restored()
    cloud.setUp()
    try:
        for i in range(count):
            cloud.boot(f'bench-{i}', HOST)
        assert base.hostctl('host-down', HOST).rc == 0
        proxied = base.ProxiedCloud()
        proxied.setUp()
        try:
            start = time.perf_counter()
            result = proxied.hostctl(
                'host-evacuate',
                HOST,
                *(['--wait'] if wait else []),
                '--concurrency',
                str(concurrency),
                '-f',
                'json',
                timeout=1800,
            )
            seconds = time.perf_counter() - start
            requests = proxied.proxy.count('compute')
        finally:
            proxied.cleanUp()
        rows = result.json()
        moved = sum(
            1 for r in rows if r['Result'] in ('evacuated', 'accepted')
        )
        return seconds, requests, len(rows), moved, result.rc
    finally:
        cloud.cleanUp()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--servers', type=int, default=20)
    parser.add_argument('--runs', type=int, default=1)
    parser.add_argument(
        '--no-wait',
        action='store_true',
        help='time the requests only (until each is accepted)',
    )
    args = parser.parse_args()
    wait = not args.no_wait
    done = 'evacuated' if wait else ' accepted'
    print(f'concurrency  servers  median  requests  {done}  exit')
    for concurrency in (1, 10):
        found = [
            one_run(args.servers, concurrency, wait) for _ in range(args.runs)
        ]
        seconds = statistics.median(f[0] for f in found)
        _, requests, total, moved, code = found[-1]
        print(
            f'{concurrency:>11}  {total:>7}  {seconds:>5.1f}s  '
            f'{requests:>8}  {moved:>9}  {code}',
            flush=True,
        )


if __name__ == '__main__':
    main()
