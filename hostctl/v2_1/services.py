"""Compute services (os-services): list, force down, disable, enable.

Two eras of the API live here. Up to microversion 2.52 a service is named
by host and binary in the body of ``PUT /os-services/<action>``; from 2.53
it is named by its UUID in ``PUT /os-services/<uuid>``, which hostctl finds
with one filtered list. The branch is inside each method, so callers never
know which era the cloud is in.
"""

from __future__ import annotations

import dataclasses
import datetime
from typing import NamedTuple

from hostctl import exceptions
from hostctl import models
from hostctl.v2_1 import UUID_IDS
from hostctl.v2_1.base import Manager, requires


# The forced_down flag (and its PUT) arrived in 2.11.
FORCE_DOWN = '2.11'


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

    @property
    def reported_at(self) -> datetime.datetime | None:
        """updated_at as a time (UTC), or None if absent or unreadable.

        Nova sets it on every heartbeat, and on every change made through
        the API.
        """
        if not self.updated_at:
            return None
        try:
            when = datetime.datetime.fromisoformat(self.updated_at)
        except ValueError:
            return None
        if when.tzinfo is None:
            # Nova writes UTC without saying so.
            when = when.replace(tzinfo=datetime.UTC)
        return when


# Nova's default service_down_time: a service whose last report is older
# is not alive. The API does not say the cloud's own value.
DOWN_TIME = 60.0


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc)


def report_age(
    service: Service, now: datetime.datetime | None = None
) -> float | None:
    """Seconds since the service last reported (its updated_at), or None."""
    when = service.reported_at
    if when is None:
        return None
    return ((now or _now()) - when).total_seconds()


def age_text(seconds: float | None) -> str:
    """'12 s ago', '5 min ago', '3 h ago', '2 d ago'; '' when unknown."""
    if seconds is None:
        return ''
    seconds = max(0, int(seconds))
    if seconds < 120:
        return f'{seconds} s ago'
    if seconds < 7200:
        return f'{seconds // 60} min ago'
    if seconds < 172800:
        return f'{seconds // 3600} h ago'
    return f'{seconds // 86400} d ago'


def is_stale(
    service: Service,
    now: datetime.datetime | None = None,
    down_time: float | None = None,
) -> bool:
    """Whether Nova calls the service up although its last report is older
    than service_down_time allows (clock skew, or a service group driver
    that has lost track): its `up` is not to be trusted."""
    age = report_age(service, now)
    limit = DOWN_TIME if down_time is None else down_time
    return service.state == 'up' and age is not None and age > limit


class Change(NamedTuple):
    """A service after a change, and whether anything changed at all."""

    service: Service
    changed: bool


class ServiceManager(Manager):
    @requires('2.1', what='listing services')
    def list(self, version, host=None, binary=None) -> list[Service]:
        """Services; `host` names one host exactly (see hosts.resolve),
        and a host that does not exist is NotFound, not an empty list."""
        if host is None:
            found = self._list(version, binary=binary)
            if binary and not found:
                # A binary that does not exist is not "no services": the
                # miss costs one more request, to name what exists.
                known = sorted({s.binary for s in self._list(version)})
                raise exceptions.NotFound(
                    f'no {binary!r} service on any host; binaries: '
                    + (', '.join(known) or 'none')
                )
            return found
        # One listing answers both the name and the question.
        host, services, _ = self._client.hosts._resolve(version, host)
        found = [
            s
            for s in services
            if s.host == host and (binary is None or s.binary == binary)
        ]
        if binary and not found:
            raise _no_such_binary(host, binary, services)
        return found

    @requires('2.1', what='showing a service')
    def get(self, version, host, binary) -> Service:
        """The one `binary` service on `host` (exact names, one request)."""
        return self._find(version, host, binary)

    @requires(FORCE_DOWN, what='forcing a service down')
    def force_down(self, version, host, binary, forced_down=True) -> Change:
        before = self._find(version, host, binary)
        return self._force_down(version, before, forced_down)

    @requires('2.1', what='disabling a service')
    def disable(self, version, host, binary, reason=None) -> Change:
        return self._disable(
            version, self._find(version, host, binary), reason
        )

    @requires('2.1', what='enabling a service')
    def enable(self, version, host, binary) -> Change:
        return self._enable(version, self._find(version, host, binary))

    # The changes, on a service already read: host-down and host-up read
    # the host once and act on what they read.

    def _force_down(self, version, before: Service, forced_down) -> Change:
        if before.forced_down is forced_down:
            return Change(before, changed=False)
        if version >= UUID_IDS:
            return self._update(version, before, {'forced_down': forced_down})
        self._client.put(
            '/os-services/force-down',
            version,
            json={
                'host': before.host,
                'binary': before.binary,
                'forced_down': forced_down,
            },
        )
        # The old API answers with host, binary and the flag only; the
        # service as it now stands (its state above all) needs a fresh read.
        return Change(self._reread(version, before), changed=True)

    def _disable(self, version, before: Service, reason=None) -> Change:
        if before.status == 'disabled' and (
            reason is None or reason == before.disabled_reason
        ):
            return Change(before, changed=False)
        if version >= UUID_IDS:
            body = {'status': 'disabled'}
            if reason is not None:
                body['disabled_reason'] = reason
            return self._update(version, before, body)
        body = {'host': before.host, 'binary': before.binary}
        action = 'disable'
        if reason is not None:
            action = 'disable-log-reason'
            body['disabled_reason'] = reason
        self._client.put(f'/os-services/{action}', version, json=body)
        return Change(self._reread(version, before), changed=True)

    def _enable(self, version, before: Service) -> Change:
        if before.status == 'enabled':
            return Change(before, changed=False)
        if version >= UUID_IDS:
            return self._update(version, before, {'status': 'enabled'})
        self._client.put(
            '/os-services/enable',
            version,
            json={'host': before.host, 'binary': before.binary},
        )
        return Change(self._reread(version, before), changed=True)

    def _reread(self, version, service: Service) -> Service:
        # The host is exact by now; Nova's host filter is an exact match.
        found = self._list(version, service.host, service.binary)
        return _one(found, service.host, service.binary)

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
        """The one `binary` service on the host `host` names exactly."""
        if binary is None or not binary.strip():
            raise exceptions.UsageError(
                'a service binary is needed, for example nova-compute'
            )
        host, services, _ = self._client.hosts._resolve(version, host)
        found = [s for s in services if s.host == host]
        matches = [s for s in found if s.binary == binary]
        if not matches:
            raise _no_such_binary(host, binary, services)
        return _one(matches, host, binary)


def _no_such_binary(host, binary, services) -> exceptions.NotFound:
    found = [s for s in services if s.host == host]
    return exceptions.NotFound(
        f'host {host!r} has no {binary!r} service; it has: '
        + ', '.join(sorted({s.binary or '?' for s in found}))
    )


def _one(found: list[Service], host, binary) -> Service:
    if len(found) == 1:
        return found[0]
    if not found:
        raise exceptions.NotFound(f'host {host!r} has no {binary!r} service')
    ids = ', '.join(str(s.id) for s in found)
    raise exceptions.Conflict(
        f'{len(found)} {binary} services on host {host} ({ids}); '
        'the cloud has duplicate service records'
    )
