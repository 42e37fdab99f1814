"""The watch loop: poll, hand the events on, wait; through outages.

When the cloud cannot be reached or answers 5xx, one 'unreachable' event
(and one line on stderr) says so, and polling goes on with a backoff
capped at a few seconds; the first poll that succeeds again says
'reachable', then reports what changed meanwhile (the poller measures it
from its last good poll). Any other error (authentication, policy, a
version the cloud lacks) ends the watch with its own exit code.
"""

from __future__ import annotations

import contextlib
import datetime
import signal
import threading
import time

from hostctl import exceptions

# Polls during an outage: 0.5 s, 1 s, 2 s, then every CAP seconds (never
# more often than --interval asks).
FIRST_RETRY = 0.5
CAP = 4.0


class Stopped(BaseException):
    """SIGINT or SIGTERM: end now. A BaseException, so that no library's
    `except Exception` swallows it mid-request."""


def utc_now() -> str:
    now = datetime.datetime.now(datetime.timezone.utc)
    return now.isoformat(timespec='milliseconds').replace('+00:00', 'Z')


class Engine:
    """Runs `poller` and gives every event to `emit(event)`.

    :param count: stop after this many polls (None: no limit).
    :param timeout: stop after this many seconds; 0 polls once.
    :param initial: report the first poll's picture (else only changes).
    :param warn: one line for stderr.
    """

    def __init__(
        self,
        poller,
        emit,
        *,
        interval: float,
        count: int | None = None,
        timeout: float | None = None,
        initial: bool = True,
        warn=print,
        clock=time.monotonic,
        now=utc_now,
    ) -> None:
        self._poller = poller
        self._emit = emit
        self._interval = interval
        self._count = count
        self._timeout = timeout
        self._initial = initial
        self._warn = warn
        self._clock = clock
        self._now = now
        self._stop = threading.Event()
        self._emitting = False

    def stop(self) -> None:
        self._stop.set()

    def run(self) -> None:
        start = self._clock()
        deadline = None if self._timeout is None else start + self._timeout
        polls = failures = 0
        down_since = None
        try:
            while not self._stop.is_set():
                first = self._poller.picture is None
                try:
                    events = self._poller.poll()
                except exceptions.ServerError as exc:
                    failures += 1
                    if down_since is None:
                        down_since = self._clock()
                        self._cloud('unreachable', error=str(exc))
                        self._warn(
                            f'{exc} (watching on; reported when it is back)'
                        )
                else:
                    if down_since is not None:
                        seconds = round(self._clock() - down_since, 1)
                        self._cloud('reachable', down_for=seconds)
                        self._warn(
                            f'the cloud answers again after {seconds} s'
                        )
                        down_since, failures = None, 0
                    if self._initial or not first:
                        self._send(events)
                polls += 1
                if self._count is not None and polls >= self._count:
                    return
                delay = self._interval
                if failures:
                    backoff = min(FIRST_RETRY * 2 ** (failures - 1), CAP)
                    delay = max(self._interval, backoff)
                if deadline is not None:
                    left = deadline - self._clock()
                    if left <= 0:
                        return
                    delay = min(delay, left)
                self._stop.wait(delay)
        except Stopped:
            return

    @contextlib.contextmanager
    def stopped_by_signals(self):
        """SIGINT and SIGTERM end the watch cleanly: at once, unless an
        event is being written, which is finished first."""

        def handler(signum, frame):
            self._stop.set()
            if not self._emitting:
                raise Stopped()

        previous = {
            sig: signal.signal(sig, handler)
            for sig in (signal.SIGINT, signal.SIGTERM)
        }
        try:
            yield self
        finally:
            for sig, old in previous.items():
                signal.signal(sig, old)

    def _cloud(self, what: str, **extra) -> None:
        self._send(
            [
                {
                    'kind': 'cloud',
                    'event': what,
                    'id': None,
                    'name': 'compute API',
                    'host': None,
                    'changes': {},
                    **extra,
                }
            ]
        )

    def _send(self, events) -> None:
        for found in events:
            self._emitting = True
            try:
                self._emit({'time': self._now(), **found})
            finally:
                self._emitting = False
            if self._stop.is_set():
                raise Stopped()
