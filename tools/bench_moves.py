"""The evacuation benchmark: host-evacuate --wait on a stand-in of 1,000
servers, at --concurrency 1 and at its default.

The stand-in on 127.0.0.1 answers as Nova does for what host-evacuate
asks: compute services (compute1 forced down, 49 others up), hypervisors,
servers by host and by ``changes-since`` (1,000 per page), migrations, and
the evacuate action. Each evacuation request takes POST_SECONDS to answer
(Nova's API on the local cloud took 0.44 s, measured; the stand-in's
figure is smaller so that 1,000 evacuations one at a time stay
measurable), and each server lands LAND_SECONDS after its request was
accepted, its migration record then 'done'. So the figures are hostctl's
own cost: how time and requests grow with the number of servers, and what
concurrency buys.
"""

from __future__ import annotations

import http.server
import json
import threading
import time
import uuid
from urllib import parse

POST_SECONDS = 0.1
LAND_SECONDS = 1.0
PAGE = 1000
HOSTS = [f'compute{i}' for i in range(1, 51)]


class MovesStandIn(http.server.ThreadingHTTPServer):
    daemon_threads = True
    # As a real API's listener: --concurrency 50 opens 50 connections at
    # once, which the default backlog of 5 would reset.
    request_queue_size = 256

    def __init__(self):
        super().__init__(('127.0.0.1', 0), _Handler)
        self.lock = threading.Lock()
        self.servers: list[dict] = []
        self.landing: dict[str, float] = {}
        self.migrations: list[dict] = []
        self.requests = 0
        self.clock = 0

    @property
    def url(self):
        return f'http://127.0.0.1:{self.server_address[1]}'

    def populate(self, total=1000, on_host=10):
        """`total` servers, `on_host` of them on compute1 (the rest spread
        over compute2..compute50)."""
        self.servers = [
            {
                'id': str(uuid.UUID(int=i + 1)),
                'name': f'vm-{i}',
                'status': 'ACTIVE',
                'OS-EXT-STS:task_state': None,
                'OS-EXT-STS:power_state': 1,
                'OS-EXT-SRV-ATTR:host': (
                    'compute1' if i < on_host else HOSTS[1 + i % 49]
                ),
                'host_status': 'UP',
                'tenant_id': 'p1',
                'created': '2026-11-23T00:00:00Z',
                'updated': '2026-11-23T00:00:00Z',
                'addresses': {},
            }
            for i in range(total)
        ]
        self.by_id = {s['id']: s for s in self.servers}
        self.landing = {}
        self.migrations = []
        self.requests = 0

    def stamp(self) -> str:
        self.clock += 1
        return f'2026-12-01T{self.clock // 3600 % 24:02d}:' + (
            f'{self.clock // 60 % 60:02d}:{self.clock % 60:02d}Z'
        )

    def land(self):
        """Every server whose time has come arrives on compute2."""
        now = time.monotonic()
        for server_id, when in list(self.landing.items()):
            if when <= now:
                del self.landing[server_id]
                server = self.by_id[server_id]
                server.update(
                    {
                        'status': 'SHUTOFF',
                        'OS-EXT-STS:task_state': None,
                        'OS-EXT-SRV-ATTR:host': 'compute2',
                        'updated': self.stamp(),
                    }
                )
                for migration in self.migrations:
                    if migration['instance_uuid'] == server_id:
                        migration.update(
                            status='done', dest_compute='compute2'
                        )


def _service(i, host):
    down = host == 'compute1'
    return {
        'id': str(uuid.UUID(int=10**6 + i)),
        'binary': 'nova-compute',
        'host': host,
        'zone': 'nova',
        'status': 'enabled',
        'state': 'down' if down else 'up',
        'forced_down': down,
        'disabled_reason': None,
        'updated_at': '2026-12-01T00:00:00.000000',
    }


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'

    def log_message(self, *args):
        pass

    def do_GET(self):
        server: MovesStandIn = self.server
        url = parse.urlsplit(self.path)
        query = dict(parse.parse_qsl(url.query))
        path = url.path.rstrip('/')
        with server.lock:
            server.requests += 1
            server.land()
            if path == '/v2.1':
                return self._json(200, _version(server.url))
            if path == '/v2.1/os-services':
                services = [_service(i, h) for i, h in enumerate(HOSTS)]
                host = query.get('host')
                return self._json(
                    200,
                    {
                        'services': [
                            s for s in services if host in (None, s['host'])
                        ]
                    },
                )
            if path == '/v2.1/os-hypervisors/detail':
                return self._json(200, {'hypervisors': _hypervisors()})
            if path == '/v2.1/servers/detail':
                found = [
                    s
                    for s in server.servers
                    if query.get('host') in (None, s['OS-EXT-SRV-ATTR:host'])
                    and s['updated'] >= query.get('changes-since', '')
                ]
                return self._page(found, query)
            if path == '/v2.1/os-migrations':
                found = [
                    m
                    for m in server.migrations
                    if query.get('host') in (None, m['source_compute'])
                ]
                return self._json(200, {'migrations': found[::-1]})
        return self._json(404, {'itemNotFound': {'message': 'no route'}})

    def do_POST(self):
        server: MovesStandIn = self.server
        length = int(self.headers.get('Content-Length') or 0)
        body = json.loads(self.rfile.read(length) or b'null')
        server_id = self.path.split('/')[-2]
        time.sleep(POST_SECONDS)
        with server.lock:
            server.requests += 1
            data = server.by_id.get(server_id)
            if data is None or 'evacuate' not in (body or {}):
                return self._json(404, {'itemNotFound': {'message': 'no'}})
            data.update(
                {
                    'status': 'REBUILD',
                    'OS-EXT-STS:task_state': 'rebuilding',
                    'updated': server.stamp(),
                }
            )
            server.migrations.append(
                {
                    'id': len(server.migrations) + 1,
                    'uuid': str(uuid.uuid4()),
                    'instance_uuid': server_id,
                    'migration_type': 'evacuation',
                    'status': 'accepted',
                    'source_compute': 'compute1',
                    'dest_compute': None,
                }
            )
            server.landing[server_id] = time.monotonic() + LAND_SECONDS
        self.send_response(200)
        self.send_header('Content-Length', '0')
        self.end_headers()

    def _page(self, items, query):
        start = 0
        if 'marker' in query:
            start = [i['id'] for i in items].index(query['marker']) + 1
        page = items[start : start + PAGE]
        body = {'servers': page}
        if start + PAGE < len(items):
            body['servers_links'] = [
                {'rel': 'next', 'href': f'x?marker={page[-1]["id"]}'}
            ]
        self._json(200, body)

    def _json(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header('Content-Type', 'application/json')
        self.send_header('Content-Length', str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def _version(url):
    return {
        'version': {
            'id': 'v2.1',
            'status': 'CURRENT',
            'version': '2.104',
            'min_version': '2.1',
            'links': [{'rel': 'self', 'href': url + '/v2.1/'}],
        }
    }


def _hypervisors():
    return [
        {
            'id': str(uuid.UUID(int=10**6 + i)),
            'hypervisor_hostname': f'{host}.example.org',
            'state': 'down' if host == 'compute1' else 'up',
            'status': 'enabled',
            'service': {
                'host': host,
                'id': str(uuid.UUID(int=10**6 + i)),
                'disabled_reason': None,
            },
        }
        for i, host in enumerate(HOSTS)
    ]


def rows(hostctl: str, timed, runs: int) -> list[tuple]:
    """(label, time, requests, exit code) of each measurement."""
    stand_in = MovesStandIn()
    threading.Thread(target=stand_in.serve_forever, daemon=True).start()
    auth = ['--os-token', 'bench', '--os-endpoint', stand_in.url + '/v2.1']
    found = []
    for count, concurrency, tries in (
        (10, 1, runs),
        (10, 10, runs),
        (100, 1, runs),
        (100, 10, runs),
        # One at a time, 1,000 requests take 1,000 POST_SECONDS: once.
        (1000, 1, 1),
        (1000, 10, runs),
        (1000, 50, runs),
    ):
        times, requests, code = [], [], None
        for _ in range(tries):
            stand_in.populate(total=max(1000, count), on_host=count)
            seconds, code = timed(
                [
                    hostctl,
                    *auth,
                    'host-evacuate',
                    'compute1',
                    '--wait',
                    '--concurrency',
                    str(concurrency),
                    '-f',
                    'json',
                ],
                1,
            )
            times.append(seconds)
            requests.append(stand_in.requests)
        times.sort()
        requests.sort()
        found.append(
            (
                f'host-evacuate --wait, {count} of 1,000 servers, '
                f'--concurrency {concurrency}',
                f'{times[len(times) // 2]:.2f} s',
                requests[len(requests) // 2],
                code,
            )
        )
    stand_in.shutdown()
    return found
