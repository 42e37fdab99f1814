"""Nagios plugin threshold ranges: ``10``, ``10:``, ``~:10``, ``@10:20``.

As the Monitoring Plugins development guidelines define them: a range is
``[@]start:end``; ``start`` may be left out when it is 0 (``10`` is
``0:10``), an empty ``end`` is infinity (``10:``) and ``~`` as start is
minus infinity. A value *outside* the range alerts, or, with a leading
``@``, a value *inside* it (both ends included).
"""

from __future__ import annotations

import dataclasses
import math

from hostctl import exceptions


@dataclasses.dataclass(frozen=True)
class Range:
    start: float = 0.0
    end: float = math.inf
    inside: bool = False
    # As the user wrote it, for performance data and messages.
    text: str = ''

    def alerts(self, value: float) -> bool:
        within = self.start <= value <= self.end
        return within if self.inside else not within

    def __str__(self) -> str:
        return self.text


def parse(text: str) -> Range:
    """A Range from its Nagios form; a malformed one is a UsageError."""
    given = text.strip()
    body = given.removeprefix('@')
    inside = body != given
    if not body:
        raise _bad(text, 'it is empty')
    if ':' in body:
        low, _, high = body.partition(':')
        start = -math.inf if low == '~' else _number(text, low or '0')
        end = math.inf if high == '' else _number(text, high)
    else:
        start, end = 0.0, _number(text, body)
    if start > end:
        raise _bad(text, 'its start is above its end')
    return Range(start, end, inside, given)


def _number(text: str, part: str) -> float:
    try:
        value = float(part)
    except ValueError:
        raise _bad(text, f'{part!r} is not a number') from None
    if math.isnan(value) or math.isinf(value):
        raise _bad(text, f'{part!r} is not a number')
    return value


def _bad(text: str, why: str) -> exceptions.UsageError:
    return exceptions.UsageError(
        f'invalid range {text!r}: {why}; give a Nagios range such as 10, '
        '10:, ~:10, 10:20 or @10:20'
    )
