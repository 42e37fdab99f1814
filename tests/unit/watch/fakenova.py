"""A compute API with a clock, on requests-mock, for the watch engine.

Services, hypervisors and servers that tests change between polls;
``/servers/detail`` honours ``changes-since`` (by each server's updated
time, deleted ones included) and ``host``, and computes host_status from
the host's nova-compute service when read, as Nova does. Every answer
carries a Date header from the fake's clock.
"""

from __future__ import annotations

import copy
import datetime
import email.utils

from tests.unit import fakes

URL = fakes.COMPUTE_URL
START = datetime.datetime(2026, 12, 1, 5, 0, 0, tzinfo=datetime.timezone.utc)


def _service(number, host, state='up'):
    return {
        'id': f'svc-{number}',
        'binary': 'nova-compute',
        'host': host,
        'zone': 'nova',
        'status': 'enabled',
        'state': state,
        'forced_down': False,
        'disabled_reason': None,
        'updated_at': '2026-12-01T05:00:00.000000',
    }


class FakeNova:
    def __init__(self, mock, hosts=('compute1', 'compute2'), servers=2):
        self.mock = mock
        self.now = START
        self.services = [_service(i, h) for i, h in enumerate(hosts, 1)]
        self.servers = []
        for host in hosts:
            for i in range(1, servers + 1):
                self.add_server(f'{host}-vm{i}', host)
        self.failing = None  # (status, body) to answer everything with
        mock.get(URL + '/os-services', json=self._services)
        mock.get(URL + '/os-hypervisors/detail', json=self._hypervisors)
        mock.get(URL + '/servers/detail', json=self._servers)

    # -- what tests do to the cloud
    def tick(self, seconds=1.0):
        self.now += datetime.timedelta(seconds=seconds)

    def service(self, host):
        return next(s for s in self.services if s['host'] == host)

    def add_server(self, name, host):
        number = len(self.servers) + 1
        self.servers.append(
            {
                'id': f'00000000-0000-4000-8000-{number:012d}',
                'name': name,
                'status': 'ACTIVE',
                'OS-EXT-STS:task_state': None,
                'OS-EXT-STS:power_state': 1,
                'OS-EXT-SRV-ATTR:host': host,
                'tenant_id': 'p1',
                'created': '2026-12-01T04:00:00Z',
                'addresses': {},
                'updated': self.now,
            }
        )
        return self.servers[-1]

    def server(self, name):
        return next(s for s in self.servers if s['name'] == name)

    def update_server(self, name, **changes):
        found = self.server(name)
        found.update(changes)
        found['updated'] = self.now

    def api_requests(self):
        return [
            r
            for r in self.mock.request_history
            if r.path.rstrip('/') != '/v2.1'
        ]

    # -- the API
    def _date(self, context):
        context.headers['Date'] = email.utils.format_datetime(
            self.now, usegmt=True
        )

    def _fail(self, context):
        if self.failing is None:
            return None
        context.status_code = self.failing
        return {'computeFault': {'code': self.failing, 'message': 'down'}}

    def _services(self, request, context):
        self._date(context)
        failed = self._fail(context)
        if failed:
            return failed
        host = request.qs.get('host', [None])[0]
        found = [s for s in self.services if host in (None, s['host'])]
        return {'services': copy.deepcopy(found)}

    def _hypervisors(self, request, context):
        self._date(context)
        failed = self._fail(context)
        if failed:
            return failed
        return {
            'hypervisors': [
                {
                    'id': f'hyp-{s["id"]}',
                    'hypervisor_hostname': s['host'],
                    'state': s['state'],
                    'status': s['status'],
                    'service': {'host': s['host'], 'id': s['id']},
                }
                for s in self.services
            ]
        }

    def _host_status(self, host):
        service = next((s for s in self.services if s['host'] == host), None)
        if service is None:
            return ''
        if service['forced_down']:
            return 'DOWN'
        if service['status'] == 'disabled':
            return 'MAINTENANCE'
        return 'UP' if service['state'] == 'up' else 'UNKNOWN'

    def _servers(self, request, context):
        self._date(context)
        failed = self._fail(context)
        if failed:
            return failed
        # requests-mock lower-cases query values; the ISO text survives.
        query = request.qs
        since = query.get('changes-since', [None])[0]
        host = query.get('host', [None])[0]
        found = []
        for s in self.servers:
            if since is not None:
                moment = datetime.datetime.fromisoformat(since.upper())
                if s['updated'] < moment:
                    continue
            elif s['status'] == 'DELETED':
                continue
            if host is not None and s['OS-EXT-SRV-ATTR:host'] != host:
                continue
            shown = {k: v for k, v in s.items() if k != 'updated'}
            shown['host_status'] = self._host_status(s['OS-EXT-SRV-ATTR:host'])
            found.append(shown)
        return {'servers': found}
