"""What the evacuation tests do to the real local Nova besides run hostctl.

Boot servers of their own on a chosen host, and put everything back as the
test found it: each compute service up and enabled again (restarting a
compute that was evacuated, as Nova requires before it clears
forced_down), each server on its host in its state, and the test's own
servers deleted; so the tests that come after find the seed servers where
cloud.json says they are. Through Nova's API (base.compute_api); nothing
here stands in for Nova.
"""

from __future__ import annotations

import time

import fixtures

from tests.functional import base

IMAGE = '155d900f-4e14-4e4c-a73d-069cbf4541e6'  # the fake image service's


class Nova:
    def __init__(self) -> None:
        self.api = base.compute_api()

    def call(self, method, path, body=None, ok=(200, 202, 204), **kwargs):
        response = self.api.request(path, method, json=body, **kwargs)
        if response.status_code not in ok:
            raise AssertionError(
                f'{method} {path}: HTTP {response.status_code}: '
                f'{response.text[:300]}'
            )
        return response.json() if response.content else None

    def boot(self, name, host, *, stopped=False) -> str:
        body = {
            'server': {
                'name': name,
                'imageRef': IMAGE,
                'flavorRef': '1',
                'networks': 'none',
                'host': host,
            }
        }
        server_id = self.call('POST', '/servers', body)['server']['id']
        self.wait(server_id, 'ACTIVE', host)
        if stopped:
            self.action(server_id, {'os-stop': None})
            self.wait(server_id, 'SHUTOFF')
        return server_id

    def show(self, server_id) -> dict:
        return self.call('GET', f'/servers/{server_id}')['server']

    def servers(self) -> list[dict]:
        return self.call('GET', '/servers/detail?all_tenants=1')['servers']

    def wait(self, server_id, status, host=None, seconds=90) -> dict:
        deadline = time.monotonic() + seconds
        while True:
            server = self.show(server_id)
            settled = server['status'] == status and not server.get(
                'OS-EXT-STS:task_state'
            )
            if settled and host in (None, server['OS-EXT-SRV-ATTR:host']):
                return server
            if time.monotonic() > deadline:
                raise AssertionError(
                    f'{server["name"]} is {server["status"]} on '
                    f'{server["OS-EXT-SRV-ATTR:host"]}, not {status}'
                    + (f' on {host}' if host else '')
                    + f' after {seconds}s'
                )
            time.sleep(0.3)

    def action(self, server_id, body):
        return self.call('POST', f'/servers/{server_id}/action', body)

    def delete(self, server_id) -> None:
        self.call('DELETE', f'/servers/{server_id}', ok=(204, 404))

    def computes(self) -> dict[str, dict]:
        listed = self.call('GET', '/os-services?binary=nova-compute')
        return {s['host']: s for s in listed['services']}

    def migrations(self, **filters) -> list[dict]:
        query = '&'.join(f'{k}={v}' for k, v in filters.items())
        return self.call('GET', f'/os-migrations?{query}')['migrations']


class Restored(fixtures.Fixture):
    """On cleanup, every compute and every server back as it was found."""

    def _setUp(self) -> None:
        self.nova = Nova()
        self.computes = self.nova.computes()
        self.placed = {
            s['id']: (s['OS-EXT-SRV-ATTR:host'], s['status'])
            for s in self.nova.servers()
        }
        self.made: list[str] = []
        self.addCleanup(self._restore)

    def on(self, host) -> list[str]:
        """The names of the servers on `host` now, sorted."""
        return sorted(
            s['name']
            for s in self.nova.servers()
            if s['OS-EXT-SRV-ATTR:host'] == host
        )

    def boot(self, name, host, **kwargs) -> str:
        server_id = self.nova.boot(name, host, **kwargs)
        self.made.append(server_id)
        return server_id

    def _restore(self) -> None:
        for server_id in self.made:
            self.nova.delete(server_id)
        for host, before in self.computes.items():
            self._restore_compute(host, before)
        for server_id, (host, status) in self.placed.items():
            if host is not None and status in ('ACTIVE', 'SHUTOFF'):
                self._put_back(server_id, host, status)

    def _restore_compute(self, host, before) -> None:
        now = self.nova.computes()[host]
        if now['forced_down'] and not before['forced_down']:
            # Nova keeps forced_down while evacuations from the host are
            # 'done' and not cleaned up: a restarted compute cleans up.
            if self.nova.migrations(
                source_compute=host, migration_type='evacuation', status='done'
            ):
                restarted = base.devcloud('compute', 'restart', host)
                assert restarted.rc == 0, restarted.err
            self.nova.call(
                'PUT', f'/os-services/{now["id"]}', {'forced_down': False}
            )
        if now['status'] != before['status']:
            self.nova.call(
                'PUT',
                f'/os-services/{now["id"]}',
                {'status': before['status']},
            )

    def _put_back(self, server_id, host, status) -> None:
        server = self.nova.show(server_id)
        if server['OS-EXT-SRV-ATTR:host'] != host:
            # A cold migration, confirmed: Nova's fake driver forgets a
            # server on the host it leaves only when a resize is confirmed
            # (after a live migration it keeps a copy there, and a later
            # evacuation to that host fails with "already exists").
            now = server['status']
            self.nova.action(server_id, {'migrate': {'host': host}})
            self.nova.wait(server_id, 'VERIFY_RESIZE', host)
            self.nova.action(server_id, {'confirmResize': None})
            server = self.nova.wait(server_id, now, host)
        if server['status'] != status:
            action = 'os-start' if status == 'ACTIVE' else 'os-stop'
            self.nova.action(server_id, {action: None})
            self.nova.wait(server_id, status)
