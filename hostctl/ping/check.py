"""server-fping's checks: through os-fping, or by probing from here.

`check` asks Nova's os-fping API where the cloud may still serve it (see
hostctl.v2_1.fping) and otherwise, or when the API is gone or fails,
probes the servers' own addresses from here (hostctl.ping.probe). Only a
failure of an os-fping request falls back to probing: a failing server
lookup is that lookup's error, said once.
"""

from __future__ import annotations

import dataclasses
import logging

from hostctl import exceptions
from hostctl.ping.selection import Lookup, Selection
from hostctl.v2_1 import fping as fping_api

LOG = logging.getLogger('hostctl')

API = 'os-fping API'


@dataclasses.dataclass(frozen=True)
class Check:
    """One server's check, as server-fping shows it."""

    id: str | None
    name: str | None
    project_id: str | None
    alive: bool
    checked: str
    address: str | None = None
    rtt_ms: float | None = None
    answer: str | None = None
    # The identity service's name for project_id (see base.with_projects).
    project_name: str | None = None


@dataclasses.dataclass(frozen=True)
class Probing:
    """How to probe: a transport from hostctl.ping.probe and its settings."""

    make_transport: object
    count: int = 1
    timeout: float = 1.0
    concurrency: int = 1000
    address_type: str = 'any'
    networks: tuple[str, ...] = ()


class _ApiFailed(Exception):
    """An os-fping request failed; `error` is why."""

    def __init__(self, error: exceptions.HostctlError) -> None:
        super().__init__(str(error))
        self.error = error


def check(compute, selection: Selection, via: str, probing: Probing):
    """The checks of the selected servers; `via` is auto, api or probe."""
    # Server listings are shared, so a fallback does not ask twice.
    lookup = Lookup(compute, selection)
    if via == 'probe' or (
        via == 'auto'
        and not compute.fping.available(selection.across_projects)
    ):
        return by_probing(lookup, probing)
    try:
        return by_api(lookup)
    except _ApiFailed as failed:
        error = failed.error
    if via == 'api':
        if isinstance(error, fping_api.Gone):
            raise exceptions.UnsupportedVersion(
                f'{error}; use --via probe, or the default --via auto'
            ) from error
        raise error
    status = error.http_status or 0
    if not isinstance(error, fping_api.Gone) and status < 500:
        raise error
    LOG.warning(
        'the os-fping API answered HTTP %d (%s); probing the servers from '
        'here instead',
        status,
        error.detail,
    )
    return by_probing(lookup, probing)


def _api(call, **kwargs):
    try:
        return call(**kwargs)
    except exceptions.HostctlError as exc:
        raise _ApiFailed(exc) from exc


def by_api(lookup: Lookup) -> list[Check]:
    """Checks made by Nova through os-fping, named from one listing."""
    selection, fping = lookup.selection, lookup.compute.fping
    if selection.servers:
        servers = lookup.named
        pings = [_api(fping.get, server_id=s.id) for s in servers]
    elif selection.monitored or selection.host:
        # os-fping knows neither tags nor hosts: the listing picks the
        # servers, and the API is asked about those alone.
        servers = lookup.selected()
        if not servers:
            return []
        pings = _api(
            fping.list,
            all_projects=selection.across_projects,
            include=[s.id for s in servers],
        )
    else:
        # The API first: where it is gone, no listing is wasted on it.
        pings = _api(
            fping.list,
            all_projects=selection.all_projects,
            include=selection.include,
            exclude=selection.exclude,
        )
        if selection.include:
            lookup.check_included({p.id for p in pings})
        servers = lookup.listed if pings else []
    names = {s.id: s.name for s in servers}
    return [
        Check(p.id, names.get(p.id), p.project_id, bool(p.alive), API)
        for p in pings
    ]


def by_probing(lookup: Lookup, probing: Probing) -> list[Check]:
    """Checks made here, by probing each selected server's addresses."""
    from hostctl.ping import probe  # asyncio: only when probing

    servers = lookup.selected()
    _check_address_filters(servers, probing)
    transport = probing.make_transport()
    targets = {
        s.id: addresses(s, probing.address_type, probing.networks)
        for s in servers
    }
    answers = probe.Prober(
        transport,
        count=probing.count,
        timeout=probing.timeout,
        concurrency=probing.concurrency,
    ).run(targets)
    return [
        Check(
            s.id,
            s.name,
            s.tenant_id,
            answers[s.id].alive,
            transport.name,
            answers[s.id].address,
            answers[s.id].rtt_ms,
            answers[s.id].answer,
        )
        for s in servers
    ]


def _check_address_filters(servers, probing: Probing) -> None:
    """NotFound when --network or --address-type leaves no server an
    address: every server "not alive" would be a false alarm."""
    if not servers:
        return
    seen = sorted({n for s in servers for n in (s.addresses or {})})
    unknown = [n for n in probing.networks if n not in seen]
    if unknown:
        raise exceptions.NotFound(
            f'--network: no server checked has an address on network '
            f'{", ".join(map(repr, unknown))}; their networks: '
            f'{", ".join(seen) or "none"}'
        )
    if probing.address_type != 'any' and not any(
        addresses(s, probing.address_type, probing.networks) for s in servers
    ):
        raise exceptions.NotFound(
            f'--address-type {probing.address_type}: no server checked has '
            f'a {probing.address_type} address'
            + (
                f' on {", ".join(probing.networks)}'
                if probing.networks
                else ''
            )
        )


def addresses(server, address_type='any', networks=()) -> list[str]:
    """The server's addresses to probe, fixed ones first."""
    found = []
    for network, entries in sorted((server.addresses or {}).items()):
        if networks and network not in networks:
            continue
        for entry in entries:
            kind = entry.get('OS-EXT-IPS:type', 'fixed')
            if address_type in ('any', kind) and entry.get('addr'):
                found.append((kind != 'fixed', entry['addr']))
    return [addr for _, addr in sorted(found, key=lambda f: f[0])]
