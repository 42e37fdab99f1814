"""The preflight: decide what moving a host's servers would do, change nothing.

Each refusal says what to do instead. The server states follow Nova's own
rules (``check_instance_state`` in nova/compute/api.py), so that a server
Nova would refuse is a row that says why, not a request that fails.
"""

from __future__ import annotations

import dataclasses

from hostctl import exceptions
from hostctl.moves import DEFAULT_MAX_DOWN
from hostctl.v2_1.servers import Server

EVACUATE, LIVE, COLD = 'evacuate', 'live', 'cold'

# Nova's rules, by the status the API shows.
EVACUABLE = ('ACTIVE', 'SHUTOFF', 'ERROR')
LIVE_MIGRATABLE = ('ACTIVE', 'PAUSED')
COLD_MIGRATABLE = ('ACTIVE', 'SHUTOFF')


class Refused(exceptions.Conflict):
    """The preflight said no; nothing was changed."""


@dataclasses.dataclass(frozen=True)
class Move:
    """One server's row: what is to be done with it, and how it went."""

    server: Server
    source: str
    target: str | None = None
    # EVACUATE, LIVE or COLD; None for a server that is skipped.
    kind: str | None = None
    # None until decided: accepted, evacuated, migrated, skipped, failed
    # (or 'would evacuate', 'would migrate' for a dry run).
    result: str | None = None
    message: str | None = None
    # What the plan says of how the server is moved, kept with any result.
    note: str | None = None
    seconds: float | None = None
    failure: exceptions.HostctlError | None = None
    # 'SHUTOFF' when Nova stops the server on arrival (evacuate, 2.95+).
    arrives_as: str | None = None
    # When the request went out (time.monotonic()), for Seconds on arrival.
    sent_at: float | None = None

    @property
    def id(self):
        return self.server.id

    @property
    def name(self):
        return self.server.name

    @property
    def project(self):
        return self.server.tenant_id

    @property
    def said(self) -> str | None:
        """The Message column: the plan's note, then the outcome."""
        return '; '.join(t for t in (self.note, self.message) if t) or None

    def but(self, **changes) -> Move:
        return dataclasses.replace(self, **changes)


@dataclasses.dataclass(frozen=True)
class Plan:
    host: str
    target: str | None
    moves: tuple[Move, ...]
    # One line: why it is safe to go ahead.
    verdict: str
    # Said on stderr before acting (an override, a host already disabled).
    notes: tuple[str, ...] = ()
    # host-drain: whether the host's nova-compute is to be disabled first.
    disable: bool = False


def evacuation(
    host: str,
    computes,
    servers,
    *,
    target: str | None = None,
    max_down: int = DEFAULT_MAX_DOWN,
    override: bool = False,
) -> Plan:
    """The plan to evacuate `host`, or Refused.

    `computes` are every nova-compute service of the cloud; `servers`
    every server on the host (all projects, exact host match).
    """
    source = _source(host, computes, 'evacuate')
    if not _is_down(source):
        raise Refused(
            f'nova-compute on {host} is still up: evacuating a host that '
            'still runs its servers risks two copies of each. Make sure the '
            f'host is fenced or off, then run host-down {host} first'
        )
    others = _receivers(host, computes, target)
    down = [c for c in computes if _is_down(c)]
    share = 100 * len(down) / len(computes)
    notes = []
    guard = (
        f'{len(down)} of {len(computes)} compute services are down '
        f'({share:.0f}%'
    )
    if share > max_down:
        if not override:
            raise Refused(
                f'{guard}, more than --max-down {max_down}%): that looks more '
                'like a network partition or a control-plane fault than '
                'failed hosts. Check the network and the services; to '
                'evacuate anyway, rerun with --ignore-max-down'
            )
        notes.append(
            f'{guard}, more than --max-down {max_down}%); going ahead '
            'because --ignore-max-down was given'
        )
    how = 'forced down' if source.forced_down else 'not reporting'
    verdict = (
        f'preflight passed: nova-compute on {host} is down ({how}); '
        f'{_receiving(others, target)}; {guard}, '
        f'--max-down {max_down}%)'
    )
    moves = tuple(
        _decide(Move(s, host, target), EVACUABLE, EVACUATE, 'evacuates')
        for s in servers
    )
    return Plan(host, target, moves, verdict, tuple(notes))


def drain(
    host: str,
    computes,
    servers,
    *,
    target: str | None = None,
    cold: bool = False,
) -> Plan:
    """The plan to empty a working `host` before maintenance, or Refused."""
    source = _source(host, computes, 'drain')
    if _is_down(source):
        raise Refused(
            f'nova-compute on {host} is down: migrating needs the host '
            f'running. For a failed host, run host-evacuate {host}'
        )
    others = _receivers(host, computes, target)
    notes = []
    disable = source.status != 'disabled'
    if not disable:
        notes.append(
            f'nova-compute on {host} is already disabled '
            f'({source.disabled_reason or "no reason given"}); left as it is'
        )
    verdict = (
        f'preflight passed: nova-compute on {host} is up; '
        f'{_receiving(others, target)}'
    )
    moves = tuple(_drain_move(Move(s, host, target), cold) for s in servers)
    return Plan(host, target, moves, verdict, tuple(notes), disable)


def _drain_move(move: Move, cold: bool) -> Move:
    if cold:
        return _decide(move, COLD_MIGRATABLE, COLD, 'migrates')
    if move.server.status == 'SHUTOFF' and move.server.task_state is None:
        return move.but(
            kind=COLD,
            note='stopped (SHUTOFF): cold-migrated, as a stopped server '
            'cannot be live-migrated',
        )
    return _decide(move, LIVE_MIGRATABLE + ('SHUTOFF',), LIVE, 'migrates')


def _decide(move: Move, allowed, kind: str, verb: str) -> Move:
    server = move.server
    if server.status not in allowed:
        return move.but(
            result='skipped',
            message=f'Nova {verb} only {_either(allowed)} servers; this one '
            f'is {server.status}',
        )
    if server.task_state is not None:
        return move.but(
            result='skipped',
            message=f'busy: task state {server.task_state}; Nova accepts '
            'a move only when the server has no task under way',
        )
    return move.but(kind=kind)


def _either(states) -> str:
    return ', '.join(states[:-1]) + ' or ' + states[-1]


def _source(host: str, computes, verb: str):
    found = [c for c in computes if c.host == host]
    if not found:
        raise Refused(
            f'{host} has no nova-compute service: there is no server to {verb}'
        )
    return found[0]


def _is_down(service) -> bool:
    return bool(service.forced_down) or service.state == 'down'


def _usable(service) -> bool:
    return service.status == 'enabled' and not _is_down(service)


def _receivers(host: str, computes, target: str | None) -> list:
    if target is not None:
        if target == host:
            raise exceptions.UsageError(
                f'--target-host is {host}, the host being emptied; name '
                'another host, or leave it out to let the scheduler choose'
            )
        found = [c for c in computes if c.host == target]
        if not found:
            raise Refused(
                f'--target-host {target} has no nova-compute service to '
                'take the servers'
            )
        if not _usable(found[0]):
            raise Refused(
                f'--target-host {target} cannot take the servers: its '
                f'nova-compute is {_condition(found[0])}. Name an enabled, '
                'up compute, or leave --target-host out'
            )
        return found
    others = [c for c in computes if c.host != host and _usable(c)]
    if not others:
        raise Refused(
            f'no compute other than {host} is enabled and up to take the '
            'servers: bring one up (host-up, service-enable) first'
        )
    return others


def _condition(service) -> str:
    words = []
    if service.status != 'enabled':
        reason = service.disabled_reason
        words.append('disabled' + (f' ({reason})' if reason else ''))
    if _is_down(service):
        words.append('forced down' if service.forced_down else 'down')
    return ' and '.join(words)


def _receiving(others, target: str | None) -> str:
    if target is not None:
        return f'target {target} is enabled and up'
    names = sorted(c.host for c in others)
    shown = ', '.join(names[:5])
    if len(names) > 5:
        shown += f', and {len(names) - 5} more'
    return f'{len(others)} other compute(s) enabled and up ({shown})'
