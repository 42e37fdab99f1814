"""Ask the cloud for each part of a check, the independent ones at once.

Each part is one call of an existing client: services, hypervisors and
servers one listing each (one request per kind while a list fits in a
page), fping server-fping's check, rpc-ping the database client's pings.
They run side by side in threads, so a check takes about as long as its
slowest part. A part that fails is recorded with its error and the others
go on: a monitoring check says what it could not see.
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import time

from hostctl import exceptions
from hostctl.health import summary

# Parts that need the compute client.
_COMPUTE_PARTS = ('services', 'hypervisors', 'servers', 'fping')


@dataclasses.dataclass(frozen=True)
class Plan:
    parts: tuple[str, ...] = ('services', 'hypervisors', 'servers')
    # The exact service host name (hostctl.v2_1.hosts resolves it), or
    # None for the whole cloud.
    host: str | None = None
    # server-fping's probing settings (hostctl.fping.Probing).
    probing: object = None
    rpc_timeout: float = 60.0
    rpc_concurrency: int = 50


def gather(compute, database, plan: Plan) -> summary.Facts:
    """The facts of each part of `plan`.

    `database` is a callable that returns the database client, so that a
    check without --rpc-ping never builds it.
    """
    start = time.monotonic()
    facts = summary.Facts(parts=plan.parts, host=plan.host)
    compute_parts = [p for p in plan.parts if p in _COMPUTE_PARTS]
    if compute_parts:
        try:
            # In this thread, before the others start: the token and the
            # version range are fetched once, not once per thread.
            compute.server_versions  # noqa: B018
        except exceptions.HostctlError as exc:
            for part in compute_parts:
                facts.errors[part] = exc
    jobs = {
        'services': lambda: _services(compute, plan.host),
        'hypervisors': lambda: _hypervisors(compute, plan.host),
        'servers': lambda: _servers(compute, plan.host),
        'fping': lambda: _fping(compute, plan),
        'rpc-ping': lambda: _pings(database(), plan),
    }
    wanted = [p for p in plan.parts if p not in facts.errors]
    if wanted:
        with concurrent.futures.ThreadPoolExecutor(len(wanted)) as pool:
            futures = {part: pool.submit(jobs[part]) for part in wanted}
        for part, future in futures.items():
            try:
                found = future.result()
            except exceptions.HostctlError as exc:
                facts.errors[part] = exc
                continue
            setattr(facts, _ATTRIBUTES[part], found)
    facts.duration = time.monotonic() - start
    return facts


_ATTRIBUTES = {
    'services': 'services',
    'hypervisors': 'hypervisors',
    'servers': 'servers',
    'fping': 'fping',
    'rpc-ping': 'pings',
}


def _services(compute, host):
    return compute.services.list(host=host)


def _hypervisors(compute, host):
    # The detailed list names each hypervisor's service host.
    hypervisors = compute.hypervisors.list(detailed=True)
    if host is None:
        return hypervisors
    # Nova matches hostnames by substring; the host's own, exactly.
    return [h for h in hypervisors if h.service_host == host]


def _servers(compute, host):
    servers = compute.servers.list(all_projects=True, host=host)
    note = compute.servers.host_status_note(servers)
    if note is not None:
        # Counting servers per Host Status without it would call every
        # host well.
        raise exceptions.AuthError(note)
    return servers


def _fping(compute, plan: Plan):
    from hostctl import fping

    selection = fping.Selection(all_projects=True)
    if plan.host is not None:
        on_host = [
            s.id
            for s in compute.servers.list(all_projects=True, host=plan.host)
        ]
        if not on_host:
            # An empty --include would mean every server.
            return []
        selection = fping.Selection(all_projects=True, include=tuple(on_host))
    return fping.check(compute, selection, 'auto', plan.probing)


def _pings(database, plan: Plan):
    instances = database.instances
    return instances.rpc_ping_all(
        instances.list_all(),
        timeout=plan.rpc_timeout,
        concurrency=plan.rpc_concurrency,
    )
