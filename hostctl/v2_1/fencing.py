"""host-down and host-up: a failed host's nova-compute, in the safe order.

Down: force down first, then disable. Since Nova's Train release disabling
a nova-compute asks its host, so on a dead host disabling first hangs or
fails; forcing down does not, and it is what lets evacuation start.

Up: clear forced_down, wait (one deadline) until nova-compute reports up,
then enable, and only a service that host-down disabled (its marker in the
disabled reason) unless told to. Enabling a host that is not reporting
sends new servers to a host that cannot run them.

Nothing here undoes a step when a later one fails: the error says what
state the host was left in, and the operator decides.
"""

from __future__ import annotations

import dataclasses
import time

from hostctl import exceptions
from hostctl.v2_1 import services as services_

# The start of the disabled reason host-down writes; host-up enables only a
# service whose reason starts with it, or with host-drain's.
MARKER = 'hostctl host-down'
DRAIN_MARKER = 'hostctl host-drain'
# Nova keeps at most 255 characters of a disabled reason.
REASON_MAX = 255
POLL_SECONDS = 2.0


@dataclasses.dataclass(frozen=True)
class Step:
    """One step of host-down or host-up, and how it went."""

    #: 'force down', 'disable', 'clear forced down', 'wait for up',
    #: 'enable'.
    action: str
    #: 'done', 'unchanged' (already so) or 'skipped'.
    result: str
    detail: str = ''


def marker(
    reason: str | None, now: float | None = None, by: str = MARKER
) -> str:
    """The disabled reason host-down (or, `by` DRAIN_MARKER, host-drain)
    writes: marker, time, and reason."""
    stamp = time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime(now))
    text = f'{by} {stamp}'
    if reason is not None and reason.strip():
        text += f': {reason.strip()}'
    if len(text) > REASON_MAX:
        raise exceptions.UsageError(
            f'--reason is too long: Nova keeps {REASON_MAX} characters of a '
            f'disabled reason, and with the marker this is {len(text)}'
        )
    return text


def is_marked(service: services_.Service) -> bool:
    reason = service.disabled_reason or ''
    return reason.startswith((MARKER + ' ', DRAIN_MARKER + ' '))


def down(manager, version, compute, reason, disable) -> list[Step]:
    """Force `compute` (a nova-compute Service) down, then disable it."""
    services = manager._client.services
    text = marker(reason) if disable else None
    steps = []
    change = services._force_down(version, compute, True)
    steps.append(Step('force down', _result(change)))
    if not disable:
        steps.append(Step('disable', 'skipped', '--no-disable'))
        return steps
    current = change.service
    if current.status == 'disabled':
        steps.append(
            Step(
                'disable',
                'unchanged',
                f'already disabled: {current.disabled_reason or "no reason"}',
            )
        )
        return steps
    try:
        services._disable(version, current, text)
    except exceptions.HostctlError as error:
        forced = (
            'was already forced down'
            if not change.changed
            else ('is now forced down')
        )
        raise exceptions.Partial(
            f'{compute.host}: nova-compute {forced} but disabling it '
            f'failed ({error}); it is forced down and still enabled, and '
            'nothing was undone: run host-down again, or service-disable'
        ) from error
    steps.append(Step('disable', 'done', text))
    return steps


def up(manager, version, compute, timeout, enable) -> list[Step]:
    """Clear forced_down, wait until nova-compute reports, then enable."""
    services = manager._client.services
    host = compute.host
    wanted = compute.status == 'disabled' and (enable or is_marked(compute))
    if not compute.forced_down and compute.state == 'up' and not wanted:
        return [
            Step('clear forced down', 'unchanged', 'not forced down'),
            Step('wait for up', 'unchanged', 'nova-compute is up'),
            _enable_skipped(compute),
        ]
    deadline = time.monotonic() + timeout
    try:
        change = services._force_down(version, compute, False)
    except exceptions.HostctlError as error:
        if error.http_status == 400:
            evacuated = _done_evacuations(manager, host)
            if evacuated:
                raise _evacuations_remain(host, evacuated) from error
        raise
    steps = [
        Step(
            'clear forced down',
            _result(change),
            '' if change.changed else 'not forced down',
        )
    ]
    did = (
        'forced_down was cleared'
        if change.changed
        else 'it was not forced down'
    )
    try:
        current = _wait_for_report(
            services, version, change.service, deadline, timeout
        )
    except exceptions.HostctlError as error:
        if not change.changed:
            raise
        raise exceptions.Partial(
            f'{host}: {did}, but reading it again failed ({error}); it was '
            'not enabled: run host-up again'
        ) from error
    if current is None:
        what = (
            'hostctl did not wait (--timeout 0)'
            if timeout <= 0
            else f'nova-compute did not report up within {timeout:g} s'
        )
        still = (
            'it stays disabled (not enabled)'
            if compute.status == 'disabled'
            else 'it was not disabled'
        )
        raise exceptions.Partial(
            f'{host}: {did}, but {what}; {still}. Start or repair '
            'nova-compute there, then run host-up again'
        )
    steps.append(Step('wait for up', 'done', 'nova-compute reported up'))
    if not wanted:
        steps.append(_enable_skipped(current))
        return steps
    try:
        services._enable(version, current)
    except exceptions.HostctlError as error:
        raise exceptions.Partial(
            f'{host}: {did} and nova-compute reports up, but enabling it '
            f'failed ({error}); it is still disabled: run host-up again, or '
            'service-enable'
        ) from error
    steps.append(
        Step('enable', 'done', 'was: ' + (compute.disabled_reason or ''))
    )
    return steps


def _wait_for_report(services, version, after, deadline, timeout):
    """The service once it is up with a report newer than `after`'s (so
    that a dead host whose last report has not aged out yet is not taken
    for up), or None when the deadline passes first."""
    since = after.reported_at
    current = after
    while True:
        now = current.reported_at
        if current.state == 'up' and now and (since is None or now > since):
            return current
        left = deadline - time.monotonic()
        if timeout <= 0 or left <= 0:
            return None
        time.sleep(min(POLL_SECONDS, left))
        current = services._reread(version, current)


def _enable_skipped(service) -> Step:
    if service.status != 'disabled':
        return Step('enable', 'unchanged', 'already enabled')
    return Step(
        'enable',
        'skipped',
        'disabled for another reason than host-down: '
        f'{service.disabled_reason or "none given"}; --enable enables it',
    )


def _result(change) -> str:
    return 'done' if change.changed else 'unchanged'


def _done_evacuations(manager, host) -> list[str]:
    """Servers evacuated from `host` whose migration records are `done`:
    Nova refuses to clear forced_down while any remain."""
    try:
        found = manager._client.migrations.list(
            source_host=host, migration_type='evacuation', status='done'
        )
    except exceptions.HostctlError:
        return []
    return sorted({m.instance_uuid or '?' for m in found})


def _evacuations_remain(host, servers) -> exceptions.Conflict:
    shown = ', '.join(servers[:10])
    if len(servers) > 10:
        shown += f' and {len(servers) - 10} more'
    return exceptions.Conflict(
        f'{host}: Nova will not clear forced_down while the evacuations from '
        f'this host are not cleaned up ({_servers(len(servers))} evacuated '
        f'from it: {shown}). Restart nova-compute on {host} first (it cleans '
        'them up as it starts), then run host-up again'
    )


def _servers(count: int) -> str:
    return '1 server was' if count == 1 else f'{count} servers were'
