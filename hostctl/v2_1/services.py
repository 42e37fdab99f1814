"""Compute services (os-services): list, force down, disable, enable.

Two eras of the API live here. Up to microversion 2.52 a service is named
by host and binary in the body of ``PUT /os-services/<action>``; from 2.53
it is named by its UUID in ``PUT /os-services/<uuid>``, which hostctl finds
with one filtered list. The branch is inside each method, so callers never
know which era the cloud is in.
"""

from __future__ import annotations

import dataclasses

from hostctl import exceptions
from hostctl import models
from hostctl.v2_1.base import Manager, requires

UUID_IDS = (2, 53)


@dataclasses.dataclass(frozen=True)
class Service(models.Model):
    # An integer before 2.53, a UUID string from 2.53 on.
    id: int | str | None = None
    binary: str | None = None
    host: str | None = None
    zone: str | None = None
    status: str | None = None
    state: str | None = None
    # Present from 2.11; None on older clouds.
    forced_down: bool | None = None
    disabled_reason: str | None = None
    updated_at: str | None = None


@dataclasses.dataclass(frozen=True)
class Change:
    """A service after a change, and whether anything changed at all."""

    service: Service
    changed: bool


class ServiceManager(Manager):
    @requires('2.1', what='listing services')
    def list(self, version, host=None, binary=None) -> list[Service]:
        return self._list(version, host, binary)

    @requires('2.1', what='showing a service')
    def get(self, version, host, binary) -> Service:
        """The one `binary` service on `host` (exact names, one request)."""
        return self._find(version, host, binary)

    @requires('2.11', what='forcing a service down')
    def force_down(self, version, host, binary, forced_down=True) -> Change:
        before = self._find(version, host, binary)
        if before.forced_down is forced_down:
            return Change(before, changed=False)
        if version >= UUID_IDS:
            return self._update(version, before, {'forced_down': forced_down})
        self._client.put(
            '/os-services/force-down',
            version,
            json={'host': host, 'binary': binary, 'forced_down': forced_down},
        )
        # The old API answers with host, binary and the flag only; the
        # service as it now stands (its state above all) needs a fresh read.
        return Change(self._find(version, host, binary), changed=True)

    @requires('2.1', what='disabling a service')
    def disable(self, version, host, binary, reason=None) -> Change:
        before = self._find(version, host, binary)
        if before.status == 'disabled' and (
            reason is None or reason == before.disabled_reason
        ):
            return Change(before, changed=False)
        if version >= UUID_IDS:
            body = {'status': 'disabled'}
            if reason is not None:
                body['disabled_reason'] = reason
            return self._update(version, before, body)
        if reason is None:
            action, body = 'disable', {'host': host, 'binary': binary}
        else:
            action = 'disable-log-reason'
            body = {'host': host, 'binary': binary, 'disabled_reason': reason}
        self._client.put(f'/os-services/{action}', version, json=body)
        return Change(self._find(version, host, binary), changed=True)

    @requires('2.1', what='enabling a service')
    def enable(self, version, host, binary) -> Change:
        before = self._find(version, host, binary)
        if before.status == 'enabled':
            return Change(before, changed=False)
        if version >= UUID_IDS:
            return self._update(version, before, {'status': 'enabled'})
        self._client.put(
            '/os-services/enable',
            version,
            json={'host': host, 'binary': binary},
        )
        return Change(self._find(version, host, binary), changed=True)

    def _list(self, version, host=None, binary=None) -> list[Service]:
        params = {}
        if host:
            params['host'] = host
        if binary:
            params['binary'] = binary
        body = self._client.get('/os-services', version, params=params)
        return [Service.from_json(s) for s in body.get('services', [])]

    def _update(self, version, service: Service, body: dict) -> Change:
        answer = self._client.put(
            f'/os-services/{service.id}', version, json=body
        )
        return Change(Service.from_json(answer['service']), changed=True)

    def _find(self, version, host, binary) -> Service:
        found = self._list(version, host, binary)
        if len(found) == 1:
            return found[0]
        if found:
            ids = ', '.join(str(s.id) for s in found)
            raise exceptions.Conflict(
                f'{len(found)} {binary} services on host {host} ({ids}); '
                'the cloud has duplicate service records'
            )
        # The miss costs one more request, so that the error can name what
        # does exist instead of leaving the user to guess.
        raise exceptions.NotFound(
            _missing_message(host, binary, self._list(version))
        )


def _missing_message(host, binary, services: list[Service]) -> str:
    hosts = sorted({s.host for s in services if s.host})
    if host not in hosts:
        known = ', '.join(hosts) or 'none'
        return f'no compute service on host {host!r}; hosts: {known}'
    binaries = sorted({s.binary for s in services if s.host == host})
    return f'host {host!r} has no {binary!r} service; it has: ' + ', '.join(
        binaries
    )
