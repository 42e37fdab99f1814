"""Probing servers' addresses from where hostctl runs, as fping does.

A target (a server) is alive when any of its addresses answers. Each
address gets up to `count` probes, one after another, each waiting at
most `timeout` seconds; the first answer ends its turn. Addresses are
probed concurrently, up to `concurrency` at once, so a thousand servers
take about one timeout, not a thousand.

What counts as an answer depends on the transport: an ICMP echo reply,
or for TCP a connection either accepted or refused. A refusal is an
answer: the guest's network stack sent it, so the guest is up even if
nothing listens on the port.
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
import resource
import time
from collections.abc import Mapping, Sequence

from hostctl import exceptions

NO_ADDRESS = 'no address to probe'
NO_ANSWER = 'no answer'


@dataclasses.dataclass(frozen=True)
class Answer:
    """How one target answered: the address that did, if any, and how."""

    alive: bool
    answer: str
    address: str | None = None
    rtt_ms: float | None = None


class TcpTransport:
    """Connect probes: an accepted or a refused connection is an answer."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.name = f'TCP port {port}'

    async def probe(self, address: str, timeout: float) -> Answer:
        started = time.monotonic()
        try:
            _, writer = await asyncio.wait_for(
                asyncio.open_connection(address, self.port), timeout
            )
        except ConnectionRefusedError:
            return Answer(True, 'connection refused', address, _ms(started))
        except (asyncio.TimeoutError, TimeoutError):
            return Answer(False, NO_ANSWER, address)
        except OSError as exc:
            # No route, or the network says the host is unreachable.
            # asyncio words the error "Connect call failed (...)": the
            # errno's own text says more.
            reason = os.strerror(exc.errno) if exc.errno else str(exc)
            return Answer(False, f'unreachable: {reason}', address)
        rtt = _ms(started)
        writer.close()
        try:
            await writer.wait_closed()
        except OSError:
            pass  # A reset on close changes nothing: it answered.
        return Answer(True, 'connection accepted', address, rtt)


class IcmpTransport:
    """ICMP echo through icmplib, which builds and parses the packets.

    Unprivileged ICMP sockets are used where the system allows them
    (net.ipv4.ping_group_range), raw sockets otherwise, which need root.
    """

    name = 'ICMP echo'

    def __init__(self) -> None:
        self.privileged = _icmp_privileged()

    async def probe(self, address: str, timeout: float) -> Answer:
        import icmplib

        try:
            host = await icmplib.async_ping(
                address, count=1, timeout=timeout, privileged=self.privileged
            )
        except icmplib.ICMPLibError as exc:
            return Answer(False, f'cannot probe: {exc}', address)
        if host.is_alive:
            return Answer(True, 'echo reply', address, host.min_rtt)
        return Answer(False, NO_ANSWER, address)


def _icmp_privileged() -> bool:
    import icmplib

    for privileged in (False, True):
        try:
            icmplib.ICMPv4Socket(privileged=privileged).close()
            return privileged
        except icmplib.SocketPermissionError:
            continue
    raise exceptions.UsageError(
        'ICMP echo is not allowed for this user (see the sysctl '
        'net.ipv4.ping_group_range); probe a TCP port with --tcp PORT, or '
        'run as root'
    )


class Prober:
    """Probes many targets' addresses concurrently."""

    def __init__(
        self,
        transport,
        *,
        count: int = 1,
        timeout: float = 1.0,
        concurrency: int = 1000,
    ) -> None:
        self.transport = transport
        self.count = count
        self.timeout = timeout
        self.concurrency = concurrency

    def run(self, targets: Mapping[str, Sequence[str]]) -> dict[str, Answer]:
        """An Answer per target key; `targets` maps keys to addresses."""
        concurrency = _allow_open_files(self.concurrency)
        return asyncio.run(self._run(targets, concurrency))

    async def _run(self, targets, concurrency):
        slots = asyncio.Semaphore(concurrency)

        async def address(addr):
            async with slots:
                for _ in range(self.count):
                    answer = await self.transport.probe(addr, self.timeout)
                    if answer.alive:
                        break
                return answer

        async def target(key, addresses):
            if not addresses:
                return key, Answer(False, NO_ADDRESS)
            answers = await asyncio.gather(*(address(a) for a in addresses))
            alive = [a for a in answers if a.alive]
            if alive:
                return key, min(alive, key=lambda a: a.rtt_ms or 0.0)
            return key, answers[0]

        done = await asyncio.gather(
            *(target(k, list(a)) for k, a in targets.items())
        )
        return dict(done)


def _ms(started: float) -> float:
    return round((time.monotonic() - started) * 1000, 3)


# Files hostctl itself may hold open besides its probes' sockets.
_SPARE_FILES = 64


def _allow_open_files(concurrency: int) -> int:
    """The concurrency the open-files limit allows, raised if it can be.

    Every probe under way holds a socket, and the usual soft limit of
    1,024 open files would cap a large --concurrency; it is raised, within
    the hard limit, for this process only.
    """
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = concurrency + _SPARE_FILES
    if soft == resource.RLIM_INFINITY or soft >= wanted:
        return concurrency
    if hard != resource.RLIM_INFINITY:
        wanted = min(wanted, hard)
    resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
    return max(1, min(concurrency, wanted - _SPARE_FILES))
