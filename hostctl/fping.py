"""server-fping: is each server alive? Through os-fping, or by probing.

Nova's os-fping API (2.1 to 2.35) pinged servers from the cloud's side;
Nova has since removed it and answers 410 Gone, and 500 to
``all_tenants=1``. So `check` asks the API where the cloud may still serve
it and otherwise, or when the API is gone or fails, probes the servers'
own addresses from here (hostctl.probe), with the same selection:

- the servers named, or every server of the project (of every project
  with all_projects);
- ``include``: only these server IDs; ``exclude``: all but these, and
  ignored when ``include`` is given, as os-fping does;
- ``monitored``: only servers tagged ``monitored`` (a Nova server tag,
  2.26+), the "monitored" flag the os-fping blueprint planned.
"""

from __future__ import annotations

import dataclasses
import logging

from hostctl import exceptions
from hostctl import models
from hostctl import probe

LOG = logging.getLogger('hostctl')

MONITORED_TAG = 'monitored'
API = 'os-fping API'
# os-fping left the API after 2.35.
API_LAST = (2, 35)
# Answers that mean the cloud does not have os-fping (any more), or that
# it is broken there: probing is the way on.
_GONE = (404, 410)

ADDRESS_TYPES = ('any', 'fixed', 'floating')


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


@dataclasses.dataclass(frozen=True)
class Selection:
    servers: tuple[str, ...] = ()
    all_projects: bool = False
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    monitored: bool = False


@dataclasses.dataclass(frozen=True)
class Probing:
    """How to probe: a transport from hostctl.probe and its settings."""

    make_transport: object
    count: int = 1
    timeout: float = 1.0
    concurrency: int = 1000
    address_type: str = 'any'
    networks: tuple[str, ...] = ()


def check(compute, selection: Selection, via: str, probing: Probing):
    """The checks of the selected servers; `via` is auto, api or probe."""
    if selection.include and selection.exclude:
        LOG.warning('--exclude is ignored with --include, as os-fping does')
    if via == 'probe' or (via == 'auto' and not _api_possible(compute)):
        return by_probing(compute, selection, probing)
    try:
        return by_api(compute, selection)
    except exceptions.HostctlError as exc:
        status = exc.http_status or 0
        if via == 'api':
            if status in _GONE:
                raise exceptions.UnsupportedVersion(
                    f'this cloud does not serve os-fping (HTTP {status}: '
                    f'{exc.detail}); use --via probe, or the default --via '
                    'auto'
                ) from exc
            raise
        if status not in _GONE and status < 500:
            raise
        LOG.warning(
            'the os-fping API answered HTTP %d (%s); probing the servers '
            'from here instead',
            status,
            exc.detail,
        )
    return by_probing(compute, selection, probing)


def _api_possible(compute) -> bool:
    pinned = compute.requested
    if pinned is not None:
        return pinned <= API_LAST
    low, _ = compute.server_versions
    return low <= API_LAST


def by_api(compute, selection: Selection) -> list[Check]:
    """Checks made by Nova through os-fping, named from one listing."""
    if selection.servers:
        servers = _resolve(compute, selection)
        pings = [compute.fping.get(s.id) for s in servers]
    else:
        include = list(selection.include)
        if selection.monitored:
            servers = _tagged(compute, selection)
            tagged = [s.id for s in servers]
            include = (
                [i for i in include if i in tagged] if include else tagged
            )
            if not include:
                return []
        else:
            servers = compute.servers.list(all_projects=selection.all_projects)
        pings = compute.fping.list(
            all_projects=selection.all_projects,
            include=include,
            exclude=selection.exclude,
        )
    names = {s.id: s.name for s in servers}
    return [
        Check(p.id, names.get(p.id), p.project_id, bool(p.alive), API)
        for p in pings
    ]


def by_probing(compute, selection: Selection, probing: Probing) -> list:
    """Checks made here, by probing each selected server's addresses."""
    transport = probing.make_transport()
    servers = select(compute, selection)
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


def select(compute, selection: Selection) -> list:
    """The servers to check, filtered as os-fping filters them."""
    if selection.servers:
        return _resolve(compute, selection)
    if selection.monitored:
        servers = _tagged(compute, selection)
    else:
        servers = compute.servers.list(all_projects=selection.all_projects)
    if selection.include:
        wanted = set(selection.include)
        _note_unmatched('--include', wanted, servers)
        return [s for s in servers if s.id in wanted]
    if selection.exclude:
        unwanted = set(selection.exclude)
        _note_unmatched('--exclude', unwanted, servers)
        return [s for s in servers if s.id not in unwanted]
    return servers


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


def server_ids(option: str, values) -> tuple[str, ...]:
    """Server IDs from --include/--exclude values ("id,id", repeatable)."""
    ids = []
    for value in values or ():
        for item in value.split(','):
            item = item.strip()
            if not item:
                raise exceptions.UsageError(
                    f'{option} {value!r}: an empty server ID; give IDs '
                    'separated by commas'
                )
            if not models.looks_like_uuid(item):
                raise exceptions.UsageError(
                    f'{option} takes server IDs, and {item!r} is not one; '
                    'name servers as arguments instead'
                )
            ids.append(item)
    return tuple(dict.fromkeys(ids))


def _resolve(compute, selection: Selection) -> list:
    servers = [
        compute.servers.get(name, all_projects=selection.all_projects)
        for name in dict.fromkeys(selection.servers)
    ]
    return list({s.id: s for s in servers}.values())


def _tagged(compute, selection: Selection) -> list:
    servers = compute.servers.list_tagged(
        MONITORED_TAG, all_projects=selection.all_projects
    )
    if not servers:
        LOG.warning(
            'no server is tagged %r%s; mark one with server-monitor',
            MONITORED_TAG,
            ' in any project' if selection.all_projects else '',
        )
    return servers


def _note_unmatched(option, ids, servers) -> None:
    missing = sorted(ids - {s.id for s in servers})
    if missing:
        LOG.warning(
            '%s: no server with ID %s among the servers looked at',
            option,
            ', '.join(missing),
        )
