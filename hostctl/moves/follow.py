"""Follow moves until each server lands, fails, or the deadline passes.

Each round lists the servers that changed since the oldest last change
(``updated``) of the servers still moving: one listing, however many
servers, never a GET per server. The time is Nova's own, so a clock that
differs from Nova's cannot hide a change; the first round may list many
servers (a server untouched for months makes an old bound), the later
ones only what changed since the moves began. A server counts as
arrived when it runs on another host, in a settled state, *and* its
migration record (evacuation, live-migration or migration) says the move
succeeded; the host's migrations are listed, once, only in a round where
some server has stopped moving. A cold migration that reaches
VERIFY_RESIZE is confirmed (one POST per server, a bounded number at once).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from hostctl import exceptions
from hostctl.moves import act
from hostctl.moves.plan import COLD, EVACUATE, LIVE, Move

POLL_INTERVAL = 2.0

MIGRATION_TYPE = {
    EVACUATE: 'evacuation',
    LIVE: 'live-migration',
    COLD: 'migration',
}
# Migration statuses that mean the move is over and went well: an
# evacuation is 'done' on arrival and 'completed' once the failed host has
# cleaned up after it.
SUCCEEDED = {
    EVACUATE: ('done', 'completed'),
    LIVE: ('completed',),
    COLD: ('confirmed',),
}
FAILED = ('error', 'failed', 'cancelled', 'reverted')
SETTLED = ('ACTIVE', 'SHUTOFF', 'PAUSED')
GONE = ('DELETED', 'SOFT_DELETED')
ARRIVED = {EVACUATE: 'evacuated', LIVE: 'migrated', COLD: 'migrated'}
STOPPED_ON_ARRIVAL = (
    'stopped on arrival, as evacuation is from compute API 2.95: start it '
    '(or pin --os-compute-api-version 2.94)'
)


def follow(
    client,
    moves: Sequence[Move],
    *,
    deadline: float,
    concurrency: int,
    chosen: Callable[[Move], bool] = lambda m: m.result == 'accepted',
) -> tuple[list[Move], bool]:
    """(the moves as they ended, whether Ctrl-C interrupted).

    `deadline` is a time.monotonic() value, one for the whole command.
    Moves still under way at the deadline stay 'accepted' and say where
    they are.
    """
    done = list(moves)
    pending = {i for i, m in enumerate(moves) if chosen(m)}
    poller = _Poller(client, done, [moves[i].server for i in pending])
    interrupted, why = False, 'deadline passed'
    try:
        while pending:
            poller.run(pending, concurrency)
            remaining = deadline - time.monotonic()
            if not pending or remaining <= 0:
                break
            time.sleep(min(POLL_INTERVAL, remaining))
    except KeyboardInterrupt:
        interrupted, why = True, 'command was interrupted (Ctrl-C)'
    except exceptions.HostctlError as exc:
        # The moves were sent: their rows matter more than this error.
        why = f'cloud could not be asked ({exc})'
    if pending:
        poller.explain(pending, why)
    return done, interrupted


class _Poller:
    """What the rounds of polling learn, kept across rounds."""

    def __init__(self, client, moves: list[Move], servers) -> None:
        self.client = client
        self.moves = moves
        self.since = _oldest_update(servers)
        self.seen: dict[int, object] = {}
        self.confirmed: set[int] = set()
        self.source = moves[0].source if moves else None

    def run(self, pending: set[int], concurrency: int) -> None:
        listed = self.client.servers.list(
            all_projects=True, changes_since=self.since
        )
        by_id = {s.id: s for s in listed}
        stopped, to_confirm = [], []
        for i in sorted(pending):
            server = by_id.get(self.moves[i].id)
            if server is None:
                continue
            self.seen[i] = server
            state = _state(self.moves[i], server)
            if state == 'verify' and i not in self.confirmed:
                to_confirm.append(i)
            elif state in ('stopped', 'gone'):
                stopped.append(i)
        if stopped:
            records = self.records(pending)
            for i in stopped:
                after = _judge(self.moves[i], self.seen[i], records.get(i))
                if after is not None:
                    self.moves[i] = after
                    pending.discard(i)
        if to_confirm:
            self.confirm(to_confirm, pending, concurrency)
        # Each pending server's next change comes at or after its last:
        # the oldest of those bounds the next listing (from the second
        # round on, about when the moves began, by Nova's clock).
        self.since = (
            _oldest_update(
                [self.seen.get(i, self.moves[i].server) for i in pending]
            )
            or self.since
        )

    def confirm(self, chosen: list[int], pending: set[int], concurrency):
        def send(move: Move) -> Move:
            self.client.server_actions.confirm_resize(move.id)
            return move.but(message='resize confirmed')

        picked = [self.moves[i] for i in chosen]
        after, interrupted = act.send_all(
            picked, send, concurrency, todo=lambda m: True
        )
        for i, move in zip(chosen, after, strict=True):
            if move.message == act.NOT_SENT:
                continue  # Ctrl-C came first: still to be confirmed
            self.confirmed.add(i)
            sent_at = self.moves[i].sent_at
            if move.result == 'failed':
                pending.discard(i)
                self.moves[i] = move.but(
                    message=f'confirming the resize failed: {move.message}',
                    seconds=_elapsed(sent_at),
                    sent_at=sent_at,
                )
            else:
                self.moves[i] = move.but(seconds=None, sent_at=sent_at)
        if interrupted:
            raise KeyboardInterrupt

    def records(self, pending: set[int]) -> dict:
        """Each pending move's newest migration record from the host."""
        kinds = {self.moves[i].kind for i in pending}
        only = MIGRATION_TYPE[kinds.pop()] if len(kinds) == 1 else None
        listed = self.client.migrations.list(
            host=self.source, migration_type=only
        )
        found = {}
        for i in pending:
            move = self.moves[i]
            wanted = MIGRATION_TYPE[move.kind]
            mine = [
                r
                for r in listed
                if r.instance_uuid == move.id
                and r.source_compute == move.source
                and r.migration_type in (None, wanted)
            ]
            if mine:
                found[i] = max(mine, key=lambda r: r.id or 0)
        return found

    def explain(self, pending: set[int], why: str) -> None:
        try:
            records = {} if 'Ctrl-C' in why else self.records(pending)
        except exceptions.HostctlError:
            records = {}
        for i in pending:
            move, server = self.moves[i], self.seen.get(i)
            where = (
                f'{server.status}, task {server.task_state or "none"}, on '
                f'{server.host}'
                if server is not None
                else 'no change seen yet'
            )
            record = records.get(i)
            if record is not None:
                where += f'; migration {record.status}'
            self.moves[i] = move.but(
                message=f'still moving when the {why}: {where}'
            )


def _state(move: Move, server) -> str:
    """moving, verify (a cold move awaiting its confirmation), stopped (no
    longer moving: to judge by the migration record), or gone."""
    if server.status in GONE:
        return 'gone'
    if server.task_state is not None:
        return 'moving'
    if server.status == 'VERIFY_RESIZE':
        return 'verify' if move.kind == COLD else 'moving'
    return 'stopped'


def _judge(move: Move, server, record) -> Move | None:
    """The move's final row, or None while it has not finished."""
    seconds = _elapsed(move.sent_at)
    status = record.status if record is not None else None
    moved = server.host not in (None, move.source)
    to = server.host if moved else move.target
    if server.status in GONE:
        return move.but(
            result='failed',
            message='the server was deleted while it was being moved',
            seconds=seconds,
        )
    if server.status == 'ERROR':
        fault = (server.fault or {}).get('message') or 'no fault recorded'
        return move.but(
            result='failed',
            target=to,
            message=f'ERROR: {fault}'
            + (f' (migration {status})' if status else ''),
            seconds=seconds,
        )
    if status in FAILED:
        return move.but(
            result='failed',
            target=to,
            message=f"the move failed: Nova's migration record says {status}"
            f'; the server is {server.status} on {server.host}',
            seconds=seconds,
        )
    if not moved:
        # Not failed, not gone: still to land. Nova marks an evacuation
        # done only after the server's new host is saved, but the two
        # listings are read one after the other, so a record newer than
        # the server's row says nothing yet.
        return None
    if server.status not in SETTLED or status not in SUCCEEDED[move.kind]:
        return None
    message = f'{server.status} on {server.host}; migration {status}'
    if move.arrives_as == 'SHUTOFF' and server.status == 'SHUTOFF':
        message += f'; {STOPPED_ON_ARRIVAL}'
    return move.but(
        result=ARRIVED[move.kind],
        target=server.host,
        message=message,
        seconds=seconds,
    )


def _elapsed(sent_at: float | None) -> float | None:
    return act.since(sent_at) if sent_at is not None else None


def _oldest_update(servers) -> str | None:
    """The oldest ``updated`` of `servers`: every later change of any of
    them is at or after it. None (list them all) if one has none."""
    stamps = [s.updated for s in servers]
    if not stamps or any(not s for s in stamps):
        return None
    return min(stamps)
