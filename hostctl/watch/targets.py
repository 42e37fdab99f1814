"""What ``hostctl wait`` fetches each round, per kind.

A name is resolved once, before the first round (an unknown name is an
error at once, not a wait until the deadline); each round is then one
request, by ID where the API has one.
"""

from __future__ import annotations

from hostctl import exceptions

#: kind -> the names it takes on the command line.
ARGUMENTS = {
    'service': ('host', 'binary'),
    'hypervisor': ('hypervisor',),
    'host': ('host',),
    'server': ('server',),
    'instance': ('instance',),
}


# However little time is left, a check gets this long: --timeout 0
# still checks once, and a busy cloud's answer (seen: over a second under
# load) is still an answer. A cloud that hangs costs at most this past the
# deadline.
LEAST = 5.0


def bounded_by_deadline(session):
    """A `bound` for conditions.wait: each request of a round waits no
    longer than the time left (nor than the global --timeout), so that a
    cloud that hangs cannot carry a wait far past its deadline."""
    limit = session.timeout

    def bound(left: float) -> None:
        session.timeout = min(limit or left, max(left, LEAST))

    return bound


def target(kind, names, app, *, all_projects=False, timeout=None):
    """(what: words for messages, fetch: () -> the item)."""
    wanted = ARGUMENTS[kind]
    if len(names) != len(wanted):
        shown = ' '.join(f'<{n}>' for n in wanted)
        raise exceptions.UsageError(
            f'wait {kind} takes {shown}; {len(names)} given'
        )
    if any(not n.strip() for n in names):
        raise exceptions.UsageError(f'wait {kind}: a name cannot be empty')
    what = f'{kind} {" ".join(names)}'
    if kind == 'service':
        services = app.compute.services
        return what, lambda: services.get(*names)
    if kind == 'hypervisor':
        hypervisors = app.compute.hypervisors
        found = hypervisors.get(names[0])
        return what, lambda: hypervisors.get(str(found.id))
    if kind == 'host':
        hosts = app.compute.hosts
        host = hosts.resolve(names[0])
        return f'host {host}', lambda: hosts.show(host)
    if kind == 'server':
        servers = app.compute.servers
        found = servers.get(names[0], all_projects=all_projects)
        return what, lambda: servers.get(found.id)
    instances = app.database.instances
    (instance,) = instances.resolve(names)

    session = app.session

    def ping():
        # Trove's ping has a time-out of its own; the deadline bounds it
        # too (see bounded_by_deadline).
        limit = min(timeout, session.timeout or timeout)
        result = instances.rpc_ping(instance, limit)
        if result.failure is not None:
            raise result.failure
        return result

    return what, ping
