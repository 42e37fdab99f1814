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
    # One compute host, as the user named it (hosts.show resolves it
    # exactly), or None for the whole cloud.
    host: str | None = None
    # server-fping's probing settings (hostctl.ping.check.Probing).
    probing: object = None
    rpc_timeout: float = 60.0
    rpc_concurrency: int = 50


def gather(compute, database, plan: Plan) -> summary.Facts:
    """The facts of each part of `plan`.

    `database` is a callable that returns the database client, so that a
    check without --rpc-ping never builds it. A host that does not exist
    (or a name that fits several) is an error, not a part that failed.
    """
    start = time.monotonic()
    facts = summary.Facts(parts=plan.parts)
    # facts.host is read when the jobs run: by then, the resolved name.
    jobs = {
        'fping': lambda: _fping(compute, plan.probing, facts.host),
        'rpc-ping': lambda: _pings(database(), plan, facts.host),
    }
    if plan.host is None:
        _warm_up(compute, plan.parts, facts)
        jobs.update(
            services=lambda: compute.services.list(),
            # The detailed list names each hypervisor's service host.
            hypervisors=lambda: compute.hypervisors.list(detailed=True),
            servers=lambda: _servers(compute),
        )
    else:
        # One host: its name resolved exactly, its services, hypervisors
        # and servers, one request each (hosts.show).
        host = compute.hosts.show(plan.host)
        facts.host = host.name
        # Only the parts asked for: a part not asked for (Host Status
        # hidden, say) must not make the check UNKNOWN.
        if 'services' in plan.parts:
            facts.services = list(host.services)
        if 'hypervisors' in plan.parts:
            facts.hypervisors = list(host.hypervisors)
        if 'servers' in plan.parts:
            try:
                facts.servers = _with_host_status(compute, list(host.servers))
            except exceptions.HostctlError as exc:
                facts.errors['servers'] = exc
    wanted = [p for p in plan.parts if p in jobs and p not in facts.errors]
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


def _warm_up(compute, parts, facts) -> None:
    """The token and the version range, fetched in this thread before the
    others start: once, not once per thread."""
    compute_parts = [p for p in parts if p in _COMPUTE_PARTS]
    if not compute_parts:
        return
    try:
        compute.server_versions  # noqa: B018
    except exceptions.HostctlError as exc:
        for part in compute_parts:
            facts.errors[part] = exc


_ATTRIBUTES = {
    'services': 'services',
    'hypervisors': 'hypervisors',
    'servers': 'servers',
    'fping': 'fping',
    'rpc-ping': 'pings',
}


def _servers(compute):
    return _with_host_status(compute, compute.servers.list(all_projects=True))


def _with_host_status(compute, servers):
    missing = compute.servers.host_status_missing(servers)
    if missing is None:
        return servers
    # Counting servers per Host Status without it would call every host
    # well: this part could not be checked.
    raise missing


def _fping(compute, probing, host):
    from hostctl.ping import check
    from hostctl.ping import selection

    return check.check(
        compute,
        selection.Selection(all_projects=True, host=host),
        'auto',
        probing,
    )


def _pings(database, plan: Plan, host):
    instances = database.instances
    return instances.rpc_ping_all(
        instances.list_all() if host is None else instances.list_on_host(host),
        timeout=plan.rpc_timeout,
        concurrency=plan.rpc_concurrency,
    )
