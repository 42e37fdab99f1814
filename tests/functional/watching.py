"""A `hostctl watch` running beside a test: its events as they come."""

from __future__ import annotations

import json
import signal
import subprocess
import threading
import time

from tests.functional import base


class Watcher:
    """hostctl watch in the background; stdout parsed line by line."""

    def __init__(self, *options, env=None, cloud_name='admin') -> None:
        command = [
            base.HOSTCTL,
            '--os-cloud',
            base.cloud()['clouds'][cloud_name],
            'watch',
            *options,
        ]
        self.process = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            text=True,
            env=env or base.clean_env(),
        )
        self.lines: list[str] = []
        # When each line of stdout was read (time.perf_counter()).
        self.arrived: list[float] = []
        self.err: list[str] = []
        self._changed = threading.Condition()
        self._readers = [
            threading.Thread(target=self._read, args=pair, daemon=True)
            for pair in (
                (self.process.stdout, self.lines),
                (self.process.stderr, self.err),
            )
        ]
        for reader in self._readers:
            reader.start()

    def _read(self, stream, into) -> None:
        for line in stream:
            now = time.perf_counter()
            with self._changed:
                into.append(line)
                if into is self.lines:
                    self.arrived.append(now)
                self._changed.notify_all()

    @property
    def events(self) -> list[dict]:
        with self._changed:
            return [json.loads(line) for line in self.lines]

    def wait_for(self, check, timeout=30.0, what='events') -> list[dict]:
        """Wait until check(events) is true; the events."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                events = [json.loads(line) for line in self.lines]
                if check(events):
                    return events
                left = deadline - time.monotonic()
                if left <= 0 or self.process.poll() is not None:
                    raise AssertionError(
                        f'no {what} within {timeout} s; events: '
                        f'{json.dumps(events, indent=1)}\nstderr: '
                        f'{"".join(self.err)}'
                    )
                self._changed.wait(min(left, 0.2))

    def settle(self, seconds=1.5) -> list[dict]:
        """The events once none has come for `seconds`."""
        count = -1
        while count != len(self.lines):
            count = len(self.lines)
            time.sleep(seconds)
        return self.events

    def stop(self, sig=signal.SIGINT) -> int:
        if self.process.poll() is None:
            self.process.send_signal(sig)
        rc = self.process.wait(30)
        for reader in self._readers:
            reader.join(10)
        return rc


def changes(events) -> list[tuple]:
    """(kind, name, host, field, old, new) for each change reported."""
    return [
        (e['kind'], e['name'], e['host'], field, c['old'], c['new'])
        for e in events
        if e['kind'] != 'cloud'
        for field, c in e['changes'].items()
    ]


def host_changes(host, service_changes, host_status) -> list[tuple]:
    """What a watch of services and servers should report when `host`'s
    nova-compute changes so: the service's fields, then each server's
    Host Status (old, new), servers by name."""
    found = [
        ('service', 'nova-compute', host, field, old, new)
        for field, old, new in service_changes
    ]
    servers = sorted(
        s['name'] for s in base.cloud()['servers'] if s['host'] == host
    )
    found += [
        ('server', name, host, 'Host Status', *host_status) for name in servers
    ]
    return found
