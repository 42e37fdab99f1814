"""Compute hosts: one name, exactly resolved, and what the APIs know of it.

A host is named by its service host (``compute1``) or its hypervisor
hostname (``compute1.example.org``). `HostManager.resolve` turns either into
the service host, exactly: never a prefix, substring or pattern, so that
``compute1`` never touches ``compute10``. A short name matches the FQDN of
the same host (and only its first label) when exactly one host fits.

`verdict` reads a host's nova-compute services as Nova reads them for
host_status (forced down, then disabled, then the heartbeat), and names the
state that an operator acts on: up, unknown, down, maintenance, fenced.
"""

from __future__ import annotations

import dataclasses
import datetime

from hostctl import exceptions
from hostctl.v2_1 import fencing
from hostctl.v2_1 import hypervisors as hypervisors_
from hostctl.v2_1 import servers as servers_
from hostctl.v2_1 import services as services_
from hostctl.v2_1.base import Manager, requires
from hostctl.v2_1.services import DOWN_TIME, age_text, is_stale, report_age

COMPUTE = 'nova-compute'
STATES = ('up', 'unknown', 'down', 'maintenance', 'fenced')


@dataclasses.dataclass(frozen=True)
class Verdict:
    #: One of STATES.
    state: str
    reason: str


@dataclasses.dataclass(frozen=True)
class Host:
    #: The service host name, exactly as Nova has it.
    name: str
    services: tuple[services_.Service, ...]
    hypervisors: tuple[hypervisors_.Hypervisor, ...]
    servers: tuple[servers_.Server, ...]
    verdict: Verdict


@dataclasses.dataclass(frozen=True)
class HostChange:
    """A host after host-down or host-up, and the steps taken."""

    host: Host
    steps: tuple[fencing.Step, ...]


def verdict(
    services, now: datetime.datetime | None = None, down_time=None
) -> Verdict:
    """What a host's nova-compute services say about the host.

    Nova's order for host_status: forced down wins (DOWN), then disabled
    (MAINTENANCE), then the heartbeat (UP or UNKNOWN). Forced down and
    disabled together, the state host-down leaves, is `fenced`.
    """
    computes = [s for s in services if s.binary in (None, COMPUTE)]
    if not computes:
        return Verdict('unknown', 'no nova-compute service on this host')
    found = [_one(s, now, down_time) for s in computes]
    # Several compute services on one host (rare): the worst one speaks.
    return max(found, key=lambda v: _SEVERITY[v.state])


_SEVERITY = {'up': 0, 'unknown': 1, 'maintenance': 2, 'down': 3, 'fenced': 4}


def _one(service, now, down_time) -> Verdict:
    age = report_age(service, now)
    reason = _disabled_reason(service)
    if service.forced_down and service.status == 'disabled':
        return Verdict(
            'fenced',
            f'forced down and disabled ({reason}); servers show DOWN',
        )
    if service.forced_down:
        return Verdict('down', 'forced down')
    silent = service.state != 'up'
    if service.status == 'disabled':
        text = f'disabled ({reason})'
        if silent:
            text += f'; {_silent(age)}'
        return Verdict('maintenance', text)
    if silent:
        return Verdict('unknown', _silent(age))
    if is_stale(service, now, down_time):
        return Verdict(
            'up',
            f'nova-compute reports up, but its last report was '
            f'{age_text(age)} (stale)',
        )
    if age is None:
        return Verdict('up', 'nova-compute is up')
    return Verdict('up', f'nova-compute reported {age_text(age)}')


def _silent(age: float | None) -> str:
    if age is None:
        return 'nova-compute is not reporting'
    if age < DOWN_TIME:
        # Nova says down, yet updated_at is recent: an API change (a
        # force-down or disable saves the record) moved it, not a report.
        # Its age is not how long the compute has been silent.
        return (
            'nova-compute is not reporting (Nova says down; its record '
            f'last changed {max(0, int(age))} s ago)'
        )
    return f'nova-compute has not reported for {max(0, int(age))} s'


def _disabled_reason(service) -> str:
    return service.disabled_reason or 'no reason given'


class HostManager(Manager):
    @requires('2.1', what='looking up a host')
    def resolve(self, version, name: str) -> str:
        """The exact service host that `name` names (see the module)."""
        return self._resolve(version, name)[0]

    @requires('2.1', what='showing a host')
    def show(self, version, name: str) -> Host:
        """One host: its compute services, hypervisors, servers (all
        projects, all pages) and verdict, in a fixed number of requests."""
        return self._show(version, *self._resolve(version, name))

    @requires(services_.FORCE_DOWN, what='host-down (forcing a service down)')
    def down(self, version, name: str, reason=None, disable=True):
        """Force the host's nova-compute down, then disable it with
        host-down's marker; a `HostChange`. See `fencing`."""
        host, services, _ = self._resolve(version, name)
        compute = _compute_of(host, services)
        steps = fencing.down(self, version, compute, reason, disable)
        return HostChange(self._show(version, host), tuple(steps))

    @requires(services_.FORCE_DOWN, what='host-up (clearing forced down)')
    def up(self, version, name: str, timeout=300.0, enable=False):
        """Clear forced_down, wait until nova-compute reports up, then
        enable if host-down disabled it (or `enable`); a `HostChange`."""
        host, services, _ = self._resolve(version, name)
        compute = _compute_of(host, services)
        steps = fencing.up(self, version, compute, timeout, enable)
        return HostChange(self._show(version, host), tuple(steps))

    def _show(self, version, host, services=None, hypervisors=None) -> Host:
        if services is None:
            services = self._client.services._list(version, host=host)
        if hypervisors is None:
            hypervisors = self._hypervisors(version)
        computes = tuple(
            s for s in services if s.host == host and s.binary == COMPUTE
        )
        its_hypervisors = tuple(
            h for h in hypervisors if h.service_host == host
        )
        if not computes and not its_hypervisors:
            raise _not_a_compute_host(host, services)
        # _list keeps only the servers really on the host.
        servers = self._client.servers._list(
            version, all_projects=True, host=host
        )
        return Host(
            name=host,
            services=computes,
            hypervisors=its_hypervisors,
            servers=tuple(servers),
            verdict=verdict(computes),
        )

    def _resolve(self, version, name):
        """(host, every service, hypervisors or None if not read)."""
        if name is None or not name.strip():
            raise exceptions.UsageError(
                'a host name is needed: an empty name would match every host'
            )
        try:
            services = self._client.services._list(version)
        except exceptions.AuthError as error:
            raise exceptions.AuthError(
                f'{error} (naming a host, {name!r}, needs the list of compute '
                'services, which is for admins by default)',
                error.detail,
            ) from error
        service_hosts = {s.host for s in services if s.host}
        if name in service_hosts:
            return name, services, None
        hypervisors = self._hypervisors(version)
        by_hostname: dict[str, set[str]] = {}
        for h in hypervisors:
            if h.hypervisor_hostname and h.service_host:
                by_hostname.setdefault(h.hypervisor_hostname, set()).add(
                    h.service_host
                )
        exact = by_hostname.get(name, set())
        if not exact and '.' not in name:
            # A short name: the hosts whose first label it is.
            exact = {
                host for host in service_hosts if host.split('.', 1)[0] == name
            } | {
                host
                for hostname, hosts in by_hostname.items()
                if hostname.split('.', 1)[0] == name
                for host in hosts
            }
        if len(exact) == 1:
            return exact.pop(), services, hypervisors
        if exact:
            raise exceptions.UsageError(
                f'{name!r} names {len(exact)} hosts: '
                f'{", ".join(sorted(exact))}; give the full name'
            )
        known = ', '.join(sorted(service_hosts)) or 'none'
        raise exceptions.NotFound(f'no host {name!r}; hosts: {known}')

    def _hypervisors(self, version):
        # The host's servers come from their own listing: not once more
        # inside every hypervisor of the cloud.
        return self._client.hypervisors._list(
            version, detailed=True, servers=False
        )


def _not_a_compute_host(host, services) -> exceptions.NotFound:
    # A controller's name (or a typo that hits one) shown as a host with
    # no servers, or checked as OK, would hide the mistake.
    runs = sorted({s.binary for s in services if s.host == host and s.binary})
    computes = sorted(
        {s.host for s in services if s.binary == COMPUTE and s.host}
    )
    return exceptions.NotFound(
        f'{host} is not a compute host: it has no nova-compute service or '
        f'hypervisor (it runs {", ".join(runs) or "nothing"}); compute '
        f'hosts: {", ".join(computes) or "none"}'
    )


def _compute_of(host, services) -> services_.Service:
    found = [s for s in services if s.host == host and s.binary == COMPUTE]
    if len(found) == 1:
        return found[0]
    if found:
        ids = ', '.join(str(s.id) for s in found)
        raise exceptions.Conflict(
            f'{len(found)} nova-compute services on host {host} ({ids}); '
            'the cloud has duplicate service records'
        )
    raise exceptions.NotFound(
        f'host {host!r} has no nova-compute service; host-down and host-up '
        'act on nova-compute'
    )
