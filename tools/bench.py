"""hostctl's benchmark: start-up, and bulk work across thousands of targets.

Run with ``./run bench-bulk`` (``./run bench`` runs tools/bench_peers.py,
the comparison with openstack and nova, first). The bulk scenarios talk
to a stand-in server on 127.0.0.1 that answers with Nova- and
Trove-shaped pages: a real Nova with 2,000 booted servers, or a real Trove
with 1,000 guests, would take longer
to build than to measure, and the point here is hostctl's own cost: how
its time and request count grow with the number of targets. The stand-in
pages lists as the real services do (Nova 1,000 per page, Trove 20), and a
silent guest costs the agent timeout, as in Trove (SILENT_SECONDS).

Nothing here leaves the loopback interface.
"""

from __future__ import annotations

import argparse
import http.server
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from urllib import parse

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from tools import bench_moves  # noqa: E402

HOSTCTL = os.path.join(os.path.dirname(sys.executable), 'hostctl')
NOVA_PAGE = 1000
TROVE_PAGE = 20
SILENT_SECONDS = 1.0
# tests/functional/netns.sh routes this range into a veth nothing answers
# on; outside that namespace it answers like the rest of 127/8.
DEAD_NET = '127.0.66'


class StandIn(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self):
        super().__init__(('127.0.0.1', 0), _Handler)
        self.servers: list[dict] = []
        self.hosts: list[str] = []
        self.instances: list[dict] = []
        self.silent: set[str] = set()
        self.requests = 0
        self.lock = threading.Lock()

    @property
    def url(self):
        return f'http://127.0.0.1:{self.server_address[1]}'

    def populate(self, servers=0, instances=0, silent=0, dead=0, hosts=50):
        """`dead` servers get addresses in DEAD_NET, which answer nothing
        inside ./run's network namespace. The servers are spread over
        `hosts` compute hosts, compute0 to compute<hosts - 1>."""
        self.hosts = [f'compute{i}' for i in range(hosts)]
        self.servers = [
            {
                'id': str(uuid.UUID(int=i + 1)),
                'name': f'vm-{i}',
                'status': 'ACTIVE',
                'OS-EXT-STS:task_state': None,
                'OS-EXT-STS:power_state': 1,
                'OS-EXT-SRV-ATTR:host': f'compute{i % hosts}',
                'OS-EXT-SRV-ATTR:hypervisor_hostname': f'compute{i % hosts}',
                'host_status': 'UP',
                'tenant_id': 'p1',
                'created': '2026-11-23T00:00:00Z',
                'addresses': {'net': [{'addr': _address(i, i < dead)}]},
            }
            for i in range(servers)
        ]
        self.instances = [
            {
                'id': str(uuid.UUID(int=10**6 + i)),
                'name': f'db-{i}',
                'status': 'ACTIVE',
                'tenant_id': 'p1',
            }
            for i in range(instances)
        ]
        self.silent = {i['id'] for i in self.instances[:silent]}
        self.requests = 0


def _service(host):
    return {
        'id': str(uuid.uuid5(uuid.NAMESPACE_DNS, host)),
        'binary': 'nova-compute',
        'host': host,
        'zone': 'nova',
        'status': 'enabled',
        'state': 'up',
        'forced_down': False,
        'disabled_reason': None,
        'updated_at': time.strftime('%Y-%m-%dT%H:%M:%S', time.gmtime()),
    }


def _hypervisor(host):
    return {
        'id': str(uuid.uuid5(uuid.NAMESPACE_URL, host)),
        'hypervisor_hostname': host,
        'state': 'up',
        'status': 'enabled',
        'hypervisor_type': 'fake',
        'service': {'host': host, 'id': _service(host)['id']},
    }


def _address(i, dead):
    if dead:
        return f'{DEAD_NET}.{i % 250 + 1}'
    return f'127.1.{i // 250}.{i % 250 + 1}'


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'

    def log_message(self, *args):
        pass

    def do_GET(self):
        server: StandIn = self.server
        with server.lock:
            server.requests += 1
        url = parse.urlsplit(self.path)
        query = dict(parse.parse_qsl(url.query))
        path = url.path.rstrip('/')
        if path == '/v2.1':
            return self._json(
                200,
                {
                    'version': {
                        'id': 'v2.1',
                        'status': 'CURRENT',
                        'version': '2.104',
                        'min_version': '2.1',
                        'links': [
                            {'rel': 'self', 'href': server.url + '/v2.1/'}
                        ],
                    }
                },
            )
        if path == '/v2.1/os-fping':
            # As Nova answers today.
            return self._json(
                410, {'computeFault': {'code': 410, 'message': 'Gone.'}}
            )
        if path == '/v2.1/servers/detail':
            servers = server.servers
            if 'host' in query:
                # Nova's host filter: an exact match, for an admin.
                servers = [
                    s
                    for s in servers
                    if s['OS-EXT-SRV-ATTR:host'] == query['host']
                ]
            return self._page(
                servers, query, NOVA_PAGE, 'servers', 'servers_links'
            )
        if path == '/v2.1/os-services':
            return self._json(
                200, {'services': [_service(h) for h in server.hosts]}
            )
        if path == '/v2.1/os-hypervisors/detail':
            return self._page(
                [_hypervisor(h) for h in server.hosts],
                query,
                NOVA_PAGE,
                'hypervisors',
                'hypervisors_links',
            )
        if path == '/db/v1.0/p1/mgmt/instances':
            return self._page(
                server.instances, query, TROVE_PAGE, 'instances', 'links'
            )
        if path.startswith('/db/v1.0/p1/mgmt/instances/') and path.endswith(
            '/rpc_ping'
        ):
            ident = path.split('/')[-2]
            if ident in server.silent:
                time.sleep(SILENT_SECONDS)
                return self._json(
                    400,
                    {
                        'badRequest': {
                            'code': 400,
                            'message': 'Timeout trying to connect to the '
                            'Guest Agent.',
                        }
                    },
                )
            return self._empty(204)
        return self._json(
            404, {'itemNotFound': {'code': 404, 'message': 'no route'}}
        )

    def _page(self, items, query, size, key, links_key):
        start = 0
        if 'marker' in query:
            ids = [i['id'] for i in items]
            start = ids.index(query['marker']) + 1
        size = min(size, int(query.get('limit', size)))
        page = items[start : start + size]
        body = {key: page}
        if start + size < len(items):
            body[links_key] = [
                {
                    'rel': 'next',
                    'href': f'https://elsewhere/?marker={page[-1]["id"]}',
                }
            ]
        self._json(200, body)

    def _json(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header('Content-Type', 'application/json')
        self.send_header('Content-Length', str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _empty(self, status):
        self.send_response(status)
        self.send_header('Content-Length', '0')
        self.end_headers()


#: The environment of every timed run (see main).
ENV = None


def timed(argv, runs):
    """Median wall time (s) of `runs` runs, and the last exit code."""
    times, code = [], None
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run(
            argv,
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
            env=ENV,
        )
        times.append(time.perf_counter() - start)
        code = done.returncode
    return statistics.median(times), code


def host_rows(stand_in, auth, args):
    """host-show on a host with 100 and 1,000 servers (of 50 hosts'
    worth of services and hypervisors), beside server-list of the same
    servers: the host's services and hypervisors cost a request each, not
    one per server."""
    rows = []
    for count in (100, 1000):
        stand_in.populate(servers=count, hosts=1)
        for label, argv in (
            (
                'server-list --all-projects --host',
                ['server-list', '--all-projects', '--host', 'compute0'],
            ),
            ('host-show', ['host-show', 'compute0']),
        ):
            stand_in.requests = 0
            seconds, code = timed(
                [HOSTCTL, *auth, *argv, '-f', 'json'], args.runs
            )
            rows.append(
                (
                    f'{label}, a host with {count} servers',
                    f'{seconds:.2f} s',
                    stand_in.requests // args.runs,
                    code,
                )
            )
    return rows


def check_rows(stand_in, auth, args):
    """hostctl check (services, hypervisors, servers) beside service-list:
    a whole check should cost about one command. The CPU time hostctl
    itself spends is given too: on a busy machine it varies far less than
    the wall time."""
    rows = []
    stand_in.populate(servers=1000)
    for label, argv in (
        ('service-list, 50 hosts', ['service-list', '-f', 'json']),
        (
            'check (services, hypervisors, servers), 50 hosts, 1,000 servers',
            ['check'],
        ),
        (
            'check --format prometheus, the same',
            ['check', '--format', 'prometheus'],
        ),
    ):
        stand_in.requests = 0
        seconds, cpu, code = timed_with_cpu([HOSTCTL, *auth, *argv], args.runs)
        rows.append(
            (
                label,
                f'{seconds:.2f} s ({cpu * 1000:.0f} ms CPU)',
                stand_in.requests // args.runs,
                code,
            )
        )
    return rows


def timed_with_cpu(argv, runs):
    """Median wall time and CPU time (s) of `runs` runs, last exit code."""
    walls, cpus, code = [], [], None
    for _ in range(runs):
        start = time.perf_counter()
        child = subprocess.Popen(
            argv,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            stdin=subprocess.DEVNULL,
            env=ENV,
        )
        _, status, usage = os.wait4(child.pid, 0)
        walls.append(time.perf_counter() - start)
        cpus.append(usage.ru_utime + usage.ru_stime)
        code = os.waitstatus_to_exitcode(status)
    return statistics.median(walls), statistics.median(cpus), code


def fping_rows(stand_in, auth, args):
    """server-fping across 10 to 1,000 servers, a tenth of them silent,
    and the system's fping on the same addresses when it is installed."""
    rows = []
    dead_net = os.environ.get('HOSTCTL_DEAD_NET')
    runs = max(1, args.runs // 2)
    for count in (10, 100, 1000):
        dead = count // 10 if dead_net else 0
        stand_in.populate(servers=count, dead=dead)
        what = f'{count} servers ({dead} silent, 1 s timeout)'
        for label, extra in (('ICMP', []), ('TCP', ['--tcp', '9'])):
            stand_in.requests = 0
            seconds, code = timed(
                [
                    HOSTCTL,
                    *auth,
                    'server-fping',
                    '--all-projects',
                    '--probe-timeout',
                    '1',
                    *extra,
                    '-f',
                    'json',
                ],
                runs,
            )
            rows.append(
                (
                    f'server-fping ({label}), {what}',
                    f'{seconds:.2f} s',
                    stand_in.requests // runs,
                    code,
                )
            )
        fping = shutil.which('fping')
        if fping:
            addresses = [
                a['addr']
                for s in stand_in.servers
                for a in s['addresses']['net']
            ]
            for label, extra in (('', []), (' -i 1', ['-i', '1'])):
                seconds, code = timed(
                    [fping, '-q', '-r', '0', '-t', '1000', *extra, *addresses],
                    runs,
                )
                rows.append(
                    (
                        f'system fping{label}, {what}',
                        f'{seconds:.2f} s',
                        '-',
                        code,
                    )
                )
    if not dead_net:
        print(
            'bench: not in the network namespace ./run makes: no server is '
            'silent',
            file=sys.stderr,
        )
    if not shutil.which('fping'):
        print(
            'bench: no fping binary here: skipped the comparison',
            file=sys.stderr,
        )
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        '--runs',
        type=int,
        default=5,
        help='runs per measurement (median reported)',
    )
    parser.add_argument(
        '--quick',
        action='store_true',
        help='smaller target counts, for a smoke run',
    )
    args = parser.parse_args()

    # As on a user's machine: bytecode cached, and a token and version
    # cache, of the benchmark's own (the first run of each measurement
    # fills it: one version-document request among `runs`).
    global ENV
    cache_home = tempfile.mkdtemp(prefix='hostctl-bench-')
    ENV = dict(os.environ, XDG_CACHE_HOME=cache_home)
    ENV.pop('PYTHONDONTWRITEBYTECODE', None)

    rows = []
    for label, argv in (
        ('hostctl --version', [HOSTCTL, '--version']),
        ('hostctl service-list --help', [HOSTCTL, 'service-list', '--help']),
    ):
        seconds, _ = timed(argv, args.runs)
        rows.append((label, f'{seconds * 1000:.0f} ms', '-', '-'))

    stand_in = StandIn()
    threading.Thread(target=stand_in.serve_forever, daemon=True).start()
    auth = [
        '--os-token',
        'bench',
        '--os-endpoint',
        stand_in.url + '/v2.1',
        '--os-database-endpoint',
        stand_in.url + '/db/v1.0/p1',
    ]
    counts = (10, 100, 1000) if args.quick else (10, 100, 1000, 2000)
    for count in counts:
        stand_in.populate(servers=count)
        seconds, code = timed(
            [HOSTCTL, *auth, 'server-list', '--all-projects', '-f', 'json'],
            args.runs,
        )
        rows.append(
            (
                f'server-list, {count} servers',
                f'{seconds:.2f} s',
                stand_in.requests // args.runs,
                code,
            )
        )
    rows += host_rows(stand_in, auth, args)
    rows += check_rows(stand_in, auth, args)
    for count in (10, 100, 1000):
        silent = count // 10
        stand_in.populate(instances=count, silent=silent)
        seconds, code = timed(
            [
                HOSTCTL,
                *auth,
                'instance-rpc-ping',
                '--all',
                '--concurrency',
                '200',
                '-f',
                'json',
            ],
            max(1, args.runs // 2),
        )
        rows.append(
            (
                f'instance-rpc-ping --all, {count} guests '
                f'({silent} silent, {SILENT_SECONDS:.0f} s each)',
                f'{seconds:.2f} s',
                stand_in.requests // max(1, args.runs // 2),
                code,
            )
        )
    rows += fping_rows(stand_in, auth, args)
    stand_in.shutdown()
    rows += bench_moves.rows(HOSTCTL, timed, 1 if args.quick else 3)
    shutil.rmtree(cache_home, ignore_errors=True)

    width = max(len(r[0]) for r in rows)
    print(f'{"measurement":<{width}}  {"median":>9}  {"requests":>8}  exit')
    for label, value, requests, code in rows:
        print(f'{label:<{width}}  {value:>9}  {requests!s:>8}  {code}')


if __name__ == '__main__':
    main()
