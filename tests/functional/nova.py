"""What the move tests do to the real local Nova besides running hostctl.

Boot servers of their own on a chosen host, wait for states, put a server
back where a test found it, and delete what they made: so that the tests
that come after find the seed servers where devcloud put them. Plain
HTTP with an admin token; nothing here stands in for Nova.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request

from tests.functional import base

IMAGE = '155d900f-4e14-4e4c-a73d-069cbf4541e6'  # the fake image service's
VERSION = '2.74'  # the first that lets an admin name the host to boot on


class Nova:
    def __init__(self, user='admin') -> None:
        self.url = base.cloud()['compute_url'].rstrip('/')
        self.token = base.issue_token(user)

    def call(self, method, path, body=None, version=VERSION):
        request = urllib.request.Request(
            self.url + path,
            data=json.dumps(body).encode() if body is not None else None,
            method=method,
            headers={
                'X-Auth-Token': self.token,
                'Content-Type': 'application/json',
                'OpenStack-API-Version': f'compute {version}',
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                data = response.read()
        except urllib.error.HTTPError as exc:
            raise AssertionError(
                f'{method} {path}: HTTP {exc.code}: {exc.read()[:300]!r}'
            ) from None
        return json.loads(data) if data else None

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
        self.wait(server_id, 'ACTIVE')
        if stopped:
            self.action(server_id, {'os-stop': None})
            self.wait(server_id, 'SHUTOFF')
        return server_id

    def show(self, server_id) -> dict:
        return self.call('GET', f'/servers/{server_id}', version='2.95')[
            'server'
        ]

    def host_of(self, server_id) -> str:
        return self.show(server_id)['OS-EXT-SRV-ATTR:host']

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
            time.sleep(0.5)

    def action(self, server_id, body, version=VERSION):
        return self.call('POST', f'/servers/{server_id}/action', body, version)

    def delete(self, server_id) -> None:
        try:
            self.call('DELETE', f'/servers/{server_id}')
        except AssertionError as exc:
            if 'HTTP 404' not in str(exc):
                raise

    def move_back(self, server_id, host) -> None:
        """Live-migrate (cold if stopped) a server to `host`, if it is not
        there: a test's cleanup, so later tests find it where it was."""
        server = self.show(server_id)
        if server['OS-EXT-SRV-ATTR:host'] == host:
            return
        status = server['status']
        if status == 'SHUTOFF':
            self.action(server_id, {'os-start': None})
            self.wait(server_id, 'ACTIVE')
        self.action(
            server_id,
            {'os-migrateLive': {'host': host, 'block_migration': 'auto'}},
        )
        self.wait(server_id, 'ACTIVE', host)
        if status == 'SHUTOFF':
            self.action(server_id, {'os-stop': None})
            self.wait(server_id, 'SHUTOFF')

    def services(self) -> list[dict]:
        return self.call('GET', '/os-services?binary=nova-compute')['services']
