"""host-evacuate and host-drain, from a host's name to one row per server."""

from __future__ import annotations

import dataclasses
import time

from hostctl import exceptions
from hostctl.moves import DEFAULT_WAIT
from hostctl.moves import act
from hostctl.moves import follow
from hostctl.moves import plan as planning
from hostctl.moves.plan import COLD, EVACUATE, LIVE, Move, Plan
from hostctl.v2_1 import fencing

#: Why host-drain disabled the host, after its marker and the time (see
#: hostctl.v2_1.fencing: host-up enables a host so marked).
DRAIN_REASON = 'emptied for maintenance'

ARRIVED = ('evacuated', 'migrated')


@dataclasses.dataclass(frozen=True)
class Outcome:
    plan: Plan
    moves: tuple[Move, ...]
    waited: bool
    interrupted: bool = False
    dry_run: bool = False


def plan_evacuation(client, host, *, target=None, **guard) -> Plan:
    """The preflight of host-evacuate: a Plan, or planning.Refused."""
    found, target, computes = _look(client, host, target)
    return planning.evacuation(
        found.name, computes, found.servers, target=target, **guard
    )


def plan_drain(client, host, *, target=None, cold=False) -> Plan:
    """The preflight of host-drain: a Plan, or planning.Refused."""
    found, target, computes = _look(client, host, target)
    plan = planning.drain(
        found.name, computes, found.servers, target=target, cold=cold
    )
    if target and any(m.kind == COLD for m in plan.moves):
        # Refused now, not after the host has been disabled.
        client.server_actions.check_migrate_to_host()
    return plan


def dry_run(plan: Plan) -> Outcome:
    words = {EVACUATE: 'would evacuate', LIVE: 'would migrate'}
    moves = tuple(
        m.but(result=words.get(m.kind, 'would migrate'))
        if m.result is None
        else m
        for m in plan.moves
    )
    return Outcome(plan, moves, waited=False, dry_run=True)


def evacuate(
    client,
    plan: Plan,
    *,
    wait: float | None,
    concurrency: int,
    on_shared_storage: bool = False,
) -> Outcome:
    """Evacuate the plan's servers; with `wait` (seconds, one deadline
    for the whole command), follow them until they land."""
    deadline = time.monotonic() + (wait or 0)

    def send(move: Move) -> Move:
        accepted = client.server_actions.evacuate(
            move.id, move.target, on_shared_storage=on_shared_storage
        )
        note = None
        if accepted.arrives_as == 'SHUTOFF':
            note = 'will arrive stopped (SHUTOFF), as Nova evacuates from 2.95'
        return move.but(
            result='accepted', arrives_as=accepted.arrives_as, message=note
        )

    moves, interrupted = act.send_all(plan.moves, send, concurrency)
    if wait and not interrupted:
        moves, interrupted = follow.follow(
            client, moves, deadline=deadline, concurrency=concurrency
        )
    return Outcome(plan, tuple(moves), bool(wait), interrupted)


def drain(client, plan: Plan, *, wait: float | None, concurrency) -> Outcome:
    """Disable the host (so nothing new lands), then move its servers.

    A cold migration is followed to its VERIFY_RESIZE and confirmed even
    without --wait (within DEFAULT_WAIT): until then the server is not
    really off the host.
    """
    deadline = time.monotonic() + (wait or DEFAULT_WAIT)
    if plan.disable:
        reason = fencing.marker(DRAIN_REASON, by=fencing.DRAIN_MARKER)
        client.services.disable(plan.host, 'nova-compute', reason=reason)

    def send(move: Move) -> Move:
        if move.kind == LIVE:
            client.server_actions.live_migrate(move.id, move.target)
        else:
            client.server_actions.migrate(move.id, move.target)
        return move.but(result='accepted')

    moves, interrupted = act.send_all(plan.moves, send, concurrency)
    if not interrupted:
        chosen = (
            (lambda m: m.result == 'accepted')
            if wait
            else (lambda m: m.result == 'accepted' and m.kind == COLD)
        )
        moves, interrupted = follow.follow(
            client,
            moves,
            deadline=deadline,
            concurrency=concurrency,
            chosen=chosen,
        )
    return Outcome(plan, tuple(moves), bool(wait), interrupted)


def done_well(move: Move, waited: bool) -> bool:
    if move.result in ARRIVED or move.result.startswith('would '):
        return True
    return move.result == 'accepted' and not waited and move.kind != COLD


def exit_code(outcome: Outcome) -> exceptions.ExitCode:
    """0 when every server was moved (or accepted, without --wait); the
    failures' own code when every server failed alike; else partial."""
    moves = outcome.moves
    if outcome.interrupted:
        return exceptions.ExitCode.PARTIAL
    bad = [m for m in moves if not done_well(m, outcome.waited)]
    if not bad:
        return exceptions.ExitCode.OK
    codes = {m.failure.exit_code for m in bad if m.failure is not None}
    if (
        len(bad) == len(moves)
        and len(codes) == 1
        and all(m.failure for m in bad)
    ):
        return codes.pop()
    return exceptions.ExitCode.PARTIAL


def summary(outcome: Outcome) -> str:
    """One line for stderr: how many of how many, and what became of the
    rest."""
    counts: dict[str, int] = {}
    for move in outcome.moves:
        counts[move.result] = counts.get(move.result, 0) + 1
    parts = ', '.join(f'{n} {result}' for result, n in counts.items())
    total = len(outcome.moves)
    line = f'{outcome.plan.host}: {total} server(s): {parts or "none"}'
    if outcome.dry_run and outcome.plan.disable:
        line += f'; would disable nova-compute on {outcome.plan.host} first'
    if outcome.interrupted:
        sent = sum(1 for m in outcome.moves if m.sent_at is not None)
        line += f'; interrupted (Ctrl-C) after {sent} request(s) were sent'
    return line


def _look(client, host: str, target: str | None):
    """The host (exact name, its servers of every project), the target's
    exact name, and every nova-compute service."""
    found = client.hosts.show(host)
    if target is not None:
        target = client.hosts.resolve(target)
    computes = client.services.list(binary='nova-compute')
    return found, target, computes
