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
import functools
import logging

from hostctl import exceptions
from hostctl import models

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
    # Server listings are shared, so a fallback does not ask twice.
    lookup = Lookup(compute, selection)
    if via == 'probe' or (
        via == 'auto'
        and (not _api_possible(compute) or compute.is_gone('os-fping'))
    ):
        return by_probing(lookup, probing)
    try:
        return by_api(lookup)
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
        if status in _GONE:
            # Not asked again while the version range is cached: on a
            # current cloud that is one request saved on every run.
            compute.mark_gone('os-fping')
        LOG.warning(
            'the os-fping API answered HTTP %d (%s); probing the servers '
            'from here instead',
            status,
            exc.detail,
        )
    return by_probing(lookup, probing)


def _api_possible(compute) -> bool:
    pinned = compute.requested
    if pinned is not None:
        return pinned <= API_LAST
    low, _ = compute.server_versions
    return low <= API_LAST


class Lookup:
    """The servers a selection names, each listing asked for at most once."""

    def __init__(self, compute, selection: Selection) -> None:
        self.compute = compute
        self.selection = selection

    @functools.cached_property
    def named(self) -> list:
        servers = [
            self.compute.servers.get(
                name, all_projects=self.selection.all_projects
            )
            for name in dict.fromkeys(self.selection.servers)
        ]
        return list({s.id: s for s in servers}.values())

    @functools.cached_property
    def tagged(self) -> list:
        servers = self.compute.servers.list_tagged(
            MONITORED_TAG, all_projects=self.selection.all_projects
        )
        if not servers:
            LOG.warning(
                'no server is tagged %r%s; mark one with server-monitor',
                MONITORED_TAG,
                ' in any project' if self.selection.all_projects else '',
            )
        return servers

    @functools.cached_property
    def listed(self) -> list:
        return self.compute.servers.list(
            all_projects=self.selection.all_projects
        )

    def selected(self) -> list:
        """The servers to check, filtered as os-fping filters them."""
        selection = self.selection
        if selection.servers:
            return self.named
        servers = self.tagged if selection.monitored else self.listed
        if selection.include:
            wanted = set(selection.include)
            _note_unmatched('--include', wanted, servers)
            return [s for s in servers if s.id in wanted]
        if selection.exclude:
            unwanted = set(selection.exclude)
            _note_unmatched('--exclude', unwanted, servers)
            return [s for s in servers if s.id not in unwanted]
        return servers


def by_api(lookup: Lookup) -> list[Check]:
    """Checks made by Nova through os-fping, named from one listing."""
    selection, fping = lookup.selection, lookup.compute.fping
    if selection.servers:
        pings = [fping.get(s.id) for s in lookup.named]
        servers = lookup.named
    elif selection.monitored:
        tagged = [s.id for s in lookup.tagged]
        include = (
            [i for i in selection.include if i in tagged]
            if selection.include
            else tagged
        )
        if not include:
            return []
        pings = fping.list(
            all_projects=selection.all_projects,
            include=include,
            exclude=selection.exclude,
        )
        servers = lookup.tagged
    else:
        # The API first: where it is gone, no listing is wasted on it.
        pings = fping.list(
            all_projects=selection.all_projects,
            include=selection.include,
            exclude=selection.exclude,
        )
        servers = lookup.listed if pings else []
    names = {s.id: s.name for s in servers}
    return [
        Check(p.id, names.get(p.id), p.project_id, bool(p.alive), API)
        for p in pings
    ]


def by_probing(lookup: Lookup, probing: Probing) -> list[Check]:
    """Checks made here, by probing each selected server's addresses."""
    from hostctl import probe  # asyncio: only when probing

    transport = probing.make_transport()
    servers = lookup.selected()
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


def _note_unmatched(option, ids, servers) -> None:
    missing = sorted(ids - {s.id for s in servers})
    if missing:
        LOG.warning(
            '%s: no server with ID %s among the servers looked at',
            option,
            ', '.join(missing),
        )
