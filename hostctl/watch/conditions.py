"""``hostctl wait --for FIELD=VALUE``: conditions, and the wait for them.

FIELD is a column of the kind's field table, named as its header (any
case; ``host_status`` and ``host-status`` for ``Host Status``); VALUE is
compared with what ``-f value`` would print (true/false for flags, empty
for nothing). A field with a fixed set of values accepts only those (in
any case), so a typo is a usage error rather than a wait that can never
end.

One deadline for the whole wait, as ``kubectl wait``: ``timeout`` 0 checks
once. A server error or an unreachable cloud is waited through (said once
on stderr); every other error ends the wait at once.
"""

from __future__ import annotations

import dataclasses
import re
import time
from typing import Any

from hostctl import exceptions


def _key(name: str) -> str:
    return re.sub(r'[\s_-]+', ' ', name.strip().lower())


def shown(value: Any) -> str:
    """A value as -f value prints it."""
    if hasattr(value, 'machine_readable'):
        value = value.machine_readable()
    if value is None:
        return ''
    if isinstance(value, bool):
        return 'true' if value else 'false'
    return str(value)


@dataclasses.dataclass(frozen=True)
class Condition:
    field: Any  # a fields.Field
    want: str

    def value(self, item) -> str:
        return shown(self.field.value(item))

    def holds(self, item) -> bool:
        return self.value(item) == self.want

    def __str__(self) -> str:
        return f'{self.field.header}={self.want}'


def parse(specs, table, kind: str) -> list[Condition]:
    """Conditions from --for texts; a usage error names what is valid."""
    # Attribute names too (host_status), but a header always wins: two
    # derived columns may read the same attribute.
    by_key = {_key(f.attr): f for f in table if f.derive is None}
    by_key.update((_key(f.header), f) for f in table)
    found = []
    for spec in specs:
        name, equals, want = spec.partition('=')
        if not equals or not name.strip():
            raise exceptions.UsageError(
                f'--for {spec!r}: give FIELD=VALUE, for example '
                f'"{table[-1].header}={_example(table[-1])}"'
            )
        field = by_key.get(_key(name))
        if field is None:
            headers = ', '.join(f.header for f in table)
            raise exceptions.UsageError(
                f'--for: a {kind} has no field {name.strip()!r}; its fields: '
                f'{headers}'
            )
        want = want.strip()
        values = field.values() if callable(field.values) else field.values
        if values:
            matches = [v for v in values if v.lower() == want.lower()]
            if not matches:
                valid = ', '.join(repr(v) for v in values)
                raise exceptions.UsageError(
                    f'--for: {field.header} cannot be {want!r}; it is one '
                    f'of {valid}'
                )
            want = matches[0]
        found.append(Condition(field, want))
    return found


def _example(field) -> str:
    values = field.values() if callable(field.values) else field.values
    return values[0] if values else '...'


def wait(
    fetch,
    conditions,
    *,
    what: str,
    timeout: float,
    interval: float,
    warn=print,
    bound=None,
    clock=None,
    sleep=None,
):
    """Fetch until every condition holds; the item that met them.

    Raises DeadlinePassed (naming the last values seen) when the deadline
    passes first, or the error of the last fetch if it failed. `bound`,
    if given, is told the seconds left before each fetch, to bound its
    requests by them.
    """
    clock = clock or time.monotonic
    sleep = sleep or time.sleep
    deadline = clock() + timeout
    failing = None
    while True:
        if bound is not None:
            bound(deadline - clock())
        try:
            item = fetch()
        except exceptions.ServerError as exc:
            if failing is None:
                warn(f'{exc} (waiting on until the deadline)')
            failing = exc
        else:
            failing = None
            unmet = [c for c in conditions if not c.holds(item)]
            if not unmet:
                return item
        left = deadline - clock()
        if left <= 0:
            if failing is not None:
                raise failing
            seen = '; '.join(
                f'{c.field.header} is {c.value(item)!r}, not {c.want!r}'
                for c in unmet
            )
            raise exceptions.DeadlinePassed(
                f'{what}: {seen} after {timeout:g} s (--timeout)'
            )
        sleep(min(interval, left))
