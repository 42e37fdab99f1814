"""A compute API on requests-mock whose servers move, for the move tests.

Servers move as Nova moves them, one step per listing of servers (a
"round" of polling): an accepted evacuation, live or cold migration sets
the server's task state at once and creates its migration record (status
accepted), and after `steps` rounds the server lands on its target (an
evacuation 'done', a live migration 'completed', a cold one in
VERIFY_RESIZE, 'finished', until confirmed). What a server does instead
can be scripted: `refuse[id] = (status, message)` answers its POST with
that error; `fail[id] = 'fault message'` ends its move in ERROR.
Every server listing honours ``changes-since`` by the ``updated`` stamp,
as Nova does (deleted servers included).
"""

from __future__ import annotations

import copy
import re

import fixtures

from tests.unit import fakes

SERVER_ID = '9f3a6a2e-5b1c-4d6e-8f70-0000000000{:02d}'
TARGET = 'compute2'


def server(n, host='compute1', status='ACTIVE', project='p1', **extra):
    data = {
        'id': SERVER_ID.format(n),
        'name': f'vm-{n}',
        'status': status,
        'OS-EXT-STS:task_state': None,
        'OS-EXT-STS:power_state': 1,
        'OS-EXT-SRV-ATTR:host': host,
        'host_status': 'DOWN',
        'tenant_id': project,
        'created': '2026-12-01T04:00:00Z',
        'updated': f'2026-12-01T04:{n % 60:02d}:00Z',
        'addresses': {},
    }
    data.update(extra)
    return data


def compute_service(n, host, state='up', status='enabled', forced=False):
    return {
        'id': n,
        'uuid': f'a1b2c3d4-0000-4000-8000-0000000001{n:02d}',
        'binary': 'nova-compute',
        'host': host,
        'zone': 'nova',
        'status': status,
        'state': state,
        'forced_down': forced,
        'disabled_reason': None,
        'updated_at': '2026-12-01T05:00:00.000000',
    }


class MovingCloud(fixtures.Fixture):
    def __init__(self, servers, services=None, steps=2, high='2.104'):
        super().__init__()
        self.initial = servers
        self.steps = steps
        self.high = high
        self.services = services
        self.refuse: dict[str, tuple[int, str]] = {}
        self.fail: dict[str, str] = {}
        # Where the scheduler sends a server when no target is named.
        self.scheduler_picks = TARGET
        # Servers whose listing lags a round behind their migration record
        # when they land: settled, still on the old host, migration done
        # (two reads of a moving state, one after the other).
        self.lagging: set[str] = set()

    def _setUp(self):
        self.compute = self.useFixture(
            fakes.ComputeFixture(
                '2.1',
                self.high,
                services=self.services
                or [
                    compute_service(1, 'compute1', 'down', forced=True),
                    compute_service(2, 'compute2'),
                    compute_service(3, 'compute10'),
                ],
            )
        )
        self.servers = {s['id']: copy.deepcopy(s) for s in self.initial}
        self.migrations: list[dict] = []
        self.moving: dict[str, dict] = {}
        self.clock = 0
        self.listings = 0
        mock = self.compute.mock
        mock.get(fakes.COMPUTE_URL + '/servers/detail', json=self._list)
        mock.get(fakes.COMPUTE_URL + '/os-migrations', json=self._migrations)
        mock.post(
            re.compile(re.escape(fakes.COMPUTE_URL) + '/servers/[^/]+/action'),
            json=self._action,
        )
        mock.put(
            re.compile(re.escape(fakes.COMPUTE_URL) + '/os-services/[^/]+$'),
            json=self._put_service,
        )

    # time ------------------------------------------------------------

    def _stamp(self):
        self.clock += 1
        return f'2026-12-01T05:{self.clock // 60:02d}:{self.clock % 60:02d}Z'

    def _touch(self, data, **changes):
        data.update(changes)
        data['updated'] = self._stamp()

    # the API -----------------------------------------------------------

    def _list(self, request, context):
        self.listings += 1
        self._advance()
        since = request.qs.get('changes-since', [None])[0]
        host = request.qs.get('host', [None])[0]
        found = [
            s
            for s in self.servers.values()
            if (since is None or s['updated'] >= since.upper())
            and (host is None or s['OS-EXT-SRV-ATTR:host'] == host)
            and (since is not None or s['status'] != 'DELETED')
        ]
        return {'servers': copy.deepcopy(found)}

    def _migrations(self, request, context):
        query = request.qs
        found = [
            m
            for m in self.migrations
            if query.get('host', [None])[0]
            in (None, m['source_compute'], m['dest_compute'])
            and query.get('migration_type', [m['migration_type']])[0]
            == m['migration_type']
        ]
        return {'migrations': copy.deepcopy(found[::-1])}

    def _action(self, request, context):
        server_id = request.path.split('/')[-2]
        data = self.servers.get(server_id)
        body = request.json()
        (action,) = body
        if server_id in self.refuse:
            code, message = self.refuse[server_id]
            context.status_code = code
            return {'conflictingRequest': {'message': message, 'code': code}}
        if action == 'confirmResize':
            move = self.moving[server_id]
            move['migration']['status'] = 'confirmed'
            self._touch(data, status=move['then'])
            return None
        kind = {
            'evacuate': 'evacuation',
            'os-migrateLive': 'live-migration',
            'migrate': 'migration',
        }[action]
        target = (body[action] or {}).get('host')
        task = {
            'evacuation': 'rebuilding',
            'live-migration': 'migrating',
            'migration': 'resize_prep',
        }[kind]
        migration = {
            'id': len(self.migrations) + 1,
            'instance_uuid': server_id,
            'migration_type': kind,
            'status': 'accepted',
            'source_compute': data['OS-EXT-SRV-ATTR:host'],
            'dest_compute': target,
        }
        self.migrations.append(migration)
        self.moving[server_id] = {
            'kind': kind,
            'target': target or self.scheduler_picks,
            'left': self.steps,
            'migration': migration,
            'then': data['status'],
            'stopped': kind == 'evacuation'
            and self.compute.version_of(request) >= (2, 95),
        }
        self._touch(data, **{'OS-EXT-STS:task_state': task})
        context.status_code = 200 if action == 'evacuate' else 202
        return None

    def _put_service(self, request, context):
        uuid = request.path.rsplit('/', 1)[1]
        service = next(s for s in self.compute.services if s['uuid'] == uuid)
        service.update(request.json())
        version = self.compute.version_of(request)
        return {'service': fakes.service_json(service, version)}

    def _advance(self):
        for server_id, move in self.moving.items():
            if move.pop('then_host', None):
                self._touch(
                    self.servers[server_id],
                    **{'OS-EXT-SRV-ATTR:host': move['target']},
                )
            if move['left'] <= 0:
                continue
            move['left'] -= 1
            if move['left']:
                continue
            data, migration = self.servers[server_id], move['migration']
            if server_id in self.fail:
                migration['status'] = 'error'
                self._touch(
                    data,
                    status='ERROR',
                    fault={'message': self.fail[server_id], 'code': 500},
                    **{'OS-EXT-STS:task_state': None},
                )
                continue
            migration['dest_compute'] = move['target']
            status = data['status']
            if move['stopped']:
                status = 'SHUTOFF'
            if move['kind'] == 'migration':
                status = 'VERIFY_RESIZE'
            migration['status'] = {
                'evacuation': 'done',
                'live-migration': 'completed',
                'migration': 'finished',
            }[move['kind']]
            host = move['target']
            if server_id in self.lagging:
                host, move['then_host'] = data['OS-EXT-SRV-ATTR:host'], True
            self._touch(
                data,
                status=status,
                **{
                    'OS-EXT-STS:task_state': None,
                    'OS-EXT-SRV-ATTR:host': host,
                },
            )

    # what a test asks ----------------------------------------------------

    def sent(self):
        """(method, path and query) of each API request, in order."""
        return [
            (r.method, r.path + ('?' + r.query if r.query else ''))
            for r in self.compute.api_requests()
        ]

    def actions(self):
        """(server id, action body) of each action POST, in order."""
        return [
            (r.path.split('/')[-2], r.json())
            for r in self.compute.api_requests()
            if r.method == 'POST'
        ]

    def host_of(self, n):
        return self.servers[SERVER_ID.format(n)]['OS-EXT-SRV-ATTR:host']
