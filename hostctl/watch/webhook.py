"""POST each event, as JSON, to a consumer (OPNFV Doctor's model).

A thread of its own takes events from a queue, in order, so a slow or
failing consumer never delays polling. A delivery that fails (no
connection, a time-out, a 5xx, 408 or 429) is tried again with a backoff
capped at a few seconds, and the events after it wait their turn: none is
skipped, none reordered. A consumer that refuses one event (any other 4xx)
would refuse it forever: that event is reported and dropped. Failures are
reported on stderr once per outage of the consumer, never fatal.
"""

from __future__ import annotations

import queue
import threading
import time

FIRST_RETRY = 0.5
CAP = 5.0
# How long the end of a watch waits for queued events to be delivered.
GRACE = 3.0
# Worth trying again: the consumer was busy or failing, not refusing.
RETRIABLE = frozenset({408, 429})
_END = object()


class Webhook:
    def __init__(self, url: str, *, warn=print, timeout: float = 5.0):
        import requests

        self.url = url
        self._warn = warn
        self._timeout = timeout
        self._session = requests.Session()
        self._queue: queue.Queue = queue.Queue()
        self._thread = threading.Thread(
            target=self._run, name='hostctl-webhook', daemon=True
        )
        self.delivered = 0
        self._abandoned = threading.Event()

    def start(self) -> Webhook:
        self._thread.start()
        return self

    def send(self, event: dict) -> None:
        """Queue `event`; never blocks."""
        self._queue.put(event)

    def close(self, grace: float | None = None) -> int:
        """Deliver what is queued, for up to `grace` seconds; the number
        of events left undelivered (reported on stderr)."""
        self._queue.put(_END)
        self._thread.join(GRACE if grace is None else grace)
        if not self._thread.is_alive():
            return 0
        self._abandoned.set()
        # The one being tried, and those behind it (less the end mark).
        left = self._queue.qsize()
        self._warn(
            f'webhook {self.url}: {left} event(s) not delivered before '
            'the watch ended'
        )
        return left

    def _run(self) -> None:
        while not self._abandoned.is_set():
            event = self._queue.get()
            if event is _END:
                return
            self._deliver(event)

    def _deliver(self, event: dict) -> None:
        import requests

        delay = FIRST_RETRY
        failing = False
        while True:
            try:
                answer = self._session.post(
                    self.url, json=event, timeout=self._timeout
                )
                status = answer.status_code
                problem = None if status < 300 else f'HTTP {status}'
            except requests.RequestException as exc:
                status = None
                problem = type(exc).__name__
            if problem is None:
                self.delivered += 1
                if failing:
                    self._warn(f'webhook {self.url} takes events again')
                return
            if status is not None and status < 500:
                if status not in RETRIABLE:
                    self._warn(
                        f'webhook {self.url} refused an event ({problem}); '
                        'it is dropped, the next ones follow'
                    )
                    return
            if not failing:
                self._warn(
                    f'webhook {self.url} failed ({problem}); trying again, '
                    'events wait in order'
                )
                failing = True
            time.sleep(delay)
            if self._abandoned.is_set():
                return
            delay = min(delay * 2, CAP)
