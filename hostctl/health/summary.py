"""What a check found: the figures, and the names of what is broken.

`Facts` holds what each part of the check read from the cloud (None for a
part not run) and the error of each part that could not be run; `figures`
counts, `problems` names. Both are plain functions of the facts, so the
formats and the thresholds never look at the cloud's models themselves.
"""

from __future__ import annotations

import collections
import dataclasses

from hostctl import exceptions

COMPUTE = 'nova-compute'

# Nova's host_status values, and the figure each one is counted in.
HOST_STATUSES = {
    'UP': 'servers_host_up',
    'UNKNOWN': 'servers_host_unknown',
    'DOWN': 'servers_host_down',
    'MAINTENANCE': 'servers_host_maintenance',
    '': 'servers_no_host',
}

#: Every figure, by the part of the check that counts it, in output order.
FIGURES = {
    'services': (
        'services_up',
        'services_down',
        'services_forced_down',
        'services_disabled',
    ),
    'hypervisors': (
        'hypervisors_up',
        'hypervisors_down',
        'hypervisors_disabled',
    ),
    'servers': (*HOST_STATUSES.values(), 'servers_total'),
    'fping': ('servers_alive', 'servers_not_alive'),
    'rpc-ping': ('guests_alive', 'guests_not_alive', 'guests_unchecked'),
}

PARTS = tuple(FIGURES)


@dataclasses.dataclass
class Facts:
    """What each part read; None where the part was not run or failed."""

    services: list | None = None
    hypervisors: list | None = None
    servers: list | None = None
    fping: list | None = None
    pings: list | None = None
    # The parts asked for, and the error of each that could not be run.
    parts: tuple[str, ...] = ()
    errors: dict[str, exceptions.HostctlError] = dataclasses.field(
        default_factory=dict
    )
    host: str | None = None
    duration: float = 0.0

    def checked(self, part: str) -> bool:
        return part in self.parts and part not in self.errors


@dataclasses.dataclass(frozen=True)
class Problem:
    """One broken thing, as the status line names it.

    `subject` is a host (kind 'host'), a server or a guest; `what` says
    what is wrong with it; `metrics` are the figures it is counted in,
    whose thresholds decide whether it is worth a word.
    """

    kind: str
    subject: str
    what: str
    metrics: tuple[str, ...]


def figures(facts: Facts) -> dict[str, int]:
    """Each figure of the parts that were checked, in FIGURES order."""
    found: dict[str, int] = {}
    if facts.checked('services'):
        found.update(_service_figures(facts.services))
    if facts.checked('hypervisors'):
        hypervisors = facts.hypervisors
        found['hypervisors_up'] = sum(h.state == 'up' for h in hypervisors)
        found['hypervisors_down'] = sum(h.state != 'up' for h in hypervisors)
        found['hypervisors_disabled'] = sum(
            h.status == 'disabled' for h in hypervisors
        )
    if facts.checked('servers'):
        counts = collections.Counter(
            s.host_status or '' for s in facts.servers
        )
        for status, name in HOST_STATUSES.items():
            found[name] = counts.get(status, 0)
        found['servers_total'] = len(facts.servers)
    if facts.checked('fping'):
        found['servers_alive'] = sum(c.alive for c in facts.fping)
        found['servers_not_alive'] = sum(not c.alive for c in facts.fping)
    if facts.checked('rpc-ping'):
        found['guests_alive'] = sum(p.alive is True for p in facts.pings)
        found['guests_not_alive'] = sum(p.alive is False for p in facts.pings)
        found['guests_unchecked'] = sum(p.alive is None for p in facts.pings)
    return found


def _service_figures(services) -> dict[str, int]:
    up = down = forced = disabled = 0
    for s in services:
        # Nova reports a forced-down service as down; counted once, as
        # forced down, so that "down" means "stopped reporting".
        if s.forced_down:
            forced += 1
        elif s.state == 'up':
            up += 1
        else:
            down += 1
        disabled += s.status == 'disabled'
    return {
        'services_up': up,
        'services_down': down,
        'services_forced_down': forced,
        'services_disabled': disabled,
    }


def problems(facts: Facts, now=None) -> list[Problem]:
    """Everything broken, named, in the order the cloud listed it."""
    found: list[Problem] = []
    if facts.checked('services'):
        found += _service_problems(facts.services, now)
    if facts.checked('hypervisors'):
        for h in facts.hypervisors:
            if h.state != 'up':
                host = h.service_host or h.hypervisor_hostname
                found.append(
                    _problem(
                        'host', host, 'hypervisor down', 'hypervisors_down'
                    )
                )
    if facts.checked('servers'):
        counts = collections.Counter(
            (s.host, s.host_status)
            for s in facts.servers
            if s.host and s.host_status not in (None, '', 'UP')
        )
        for (host, status), count in counts.items():
            noun = 'server' if count == 1 else 'servers'
            found.append(
                _problem(
                    'host',
                    host,
                    f'{count} {noun} {status}',
                    HOST_STATUSES.get(status, 'servers_host_unknown'),
                )
            )
    if facts.checked('fping'):
        found += [
            _problem(
                'server', c.name or c.id, 'not alive', 'servers_not_alive'
            )
            for c in facts.fping
            if not c.alive
        ]
    if facts.checked('rpc-ping'):
        for p in facts.pings:
            if p.alive is False:
                what, metric = 'not answering RPC', 'guests_not_alive'
            elif p.alive is None:
                what, metric = 'could not be checked', 'guests_unchecked'
            else:
                continue
            found.append(_problem('guest', p.name or p.id, what, metric))
    return found


def _problem(kind, subject, what, *metrics) -> Problem:
    return Problem(kind, subject, what, metrics)


def _service_problems(services, now) -> list[Problem]:
    """A compute host in the words of its verdict (host-show's: down,
    fenced, maintenance, unknown, and why); any other service by itself."""
    from hostctl.v2_1 import hosts

    found = []
    computes: dict[str, list] = {}
    for s in services:
        if s.binary == COMPUTE:
            computes.setdefault(s.host, []).append(s)
    for s in services:
        if s.binary == COMPUTE:
            group = computes.pop(s.host, None)
            if group is None:
                continue  # said with the host's first service
            metrics = _metrics(group)
            if metrics:
                verdict = hosts.verdict(group, now)
                # "; " separates the hosts in the status line.
                reason = verdict.reason.replace('; ', ', ')
                found.append(
                    Problem(
                        'host', s.host, f'{verdict.state}: {reason}', metrics
                    )
                )
            continue
        metrics = _metrics([s])
        if metrics:
            found.append(
                Problem(
                    'host', f'{s.host} {s.binary}', _service_words(s), metrics
                )
            )
    return found


def _metrics(services) -> tuple[str, ...]:
    """The figures these services are counted in, other than up."""
    found = []
    if any(s.forced_down for s in services):
        found.append('services_forced_down')
    elif any(s.state != 'up' for s in services):
        found.append('services_down')
    if any(s.status == 'disabled' for s in services):
        found.append('services_disabled')
    return tuple(found)


def _service_words(s) -> str:
    words = []
    if s.forced_down:
        words.append('forced down')
    elif s.state != 'up':
        since = f' since {s.updated_at}' if s.updated_at else ''
        words.append(f'not reporting{since}')
    if s.status == 'disabled':
        reason = f': {s.disabled_reason}' if s.disabled_reason else ''
        words.append(f'disabled{reason}')
    return ', '.join(words)


def servers_per_host(servers) -> dict[tuple[str, str], int]:
    """{(host, Host Status): count}; a server with no host under ''."""
    return dict(
        collections.Counter(
            (s.host or '', s.host_status or '') for s in servers
        )
    )
