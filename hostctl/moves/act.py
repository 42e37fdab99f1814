"""Send one request per move, a bounded number at once; stop on Ctrl-C.

A failure is that move's row (the cloud's words and the error), never the
end of the others. Ctrl-C stops the sending of new requests; those already
on the wire are waited for (their outcome is the cloud's, not ours to
drop), and the moves not sent say so.
"""

from __future__ import annotations

import concurrent.futures
import threading
import time
from collections.abc import Callable, Sequence

from hostctl import exceptions
from hostctl.moves.plan import Move

NOT_SENT = 'not sent: interrupted (Ctrl-C) before its turn'


def send_all(
    moves: Sequence[Move],
    send: Callable[[Move], Move],
    concurrency: int,
    todo: Callable[[Move], bool] = lambda m: m.result is None,
) -> tuple[list[Move], bool]:
    """(the moves after sending, whether Ctrl-C interrupted).

    `send(move)` makes one request and returns the move as it now stands;
    an error it raises becomes the move's failure. Only moves for which
    `todo` holds are sent; the rest are returned as they are, in order.
    """
    done = list(moves)
    chosen = [i for i, m in enumerate(moves) if todo(m)]
    if not chosen:
        return done, False
    stop = threading.Event()

    def one(i: int) -> None:
        if stop.is_set():
            return
        done[i] = attempt(send, moves[i])

    pool = concurrent.futures.ThreadPoolExecutor(
        max(1, min(concurrency, len(chosen)))
    )
    futures = [pool.submit(one, i) for i in chosen]
    interrupted = False
    try:
        _wait_for(futures)
    except KeyboardInterrupt:
        interrupted = True
        stop.set()
    finally:
        # The requests under way finish; those not started never will.
        pool.shutdown(wait=True, cancel_futures=True)
    for future in futures:
        if not future.cancelled():
            future.result()  # a bug in `send` is raised, not hidden
    for i in chosen:
        if done[i] is moves[i]:
            done[i] = moves[i].but(result='skipped', message=NOT_SENT)
    return done, interrupted


def attempt(send: Callable[[Move], Move], move: Move) -> Move:
    """send(move), timed; an error is the move's failure."""
    start = time.monotonic()
    try:
        after = send(move)
    except exceptions.HostctlError as exc:
        return move.but(
            result='failed',
            message=exc.detail,
            failure=exc,
            seconds=since(start),
            sent_at=start,
        )
    return after.but(seconds=since(start), sent_at=start)


def since(start: float) -> float:
    return round(time.monotonic() - start, 1)


def _wait_for(futures) -> None:
    # A short wait at a time, so that Ctrl-C reaches this thread promptly.
    pending = set(futures)
    while pending:
        _, pending = concurrent.futures.wait(
            pending,
            timeout=0.2,
            return_when=concurrent.futures.FIRST_COMPLETED,
        )
