"""What each command shows: one table of fields per model.

A field names the model attribute, the column header, and whether it only
appears with ``--long``. Columns never come and go with the data: a value
the API did not give is shown empty (``null`` in JSON), so scripts can
rely on the set of columns a command prints.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from typing import Any


@dataclasses.dataclass(frozen=True)
class Field:
    attr: str
    header: str
    long: bool = False
    # Turns the attribute's value into what is shown (a cliff column class
    # for structured values, so that -f json keeps their structure).
    formatter: Callable[[Any], Any] | None = None

    def value(self, item: Any) -> Any:
        value = getattr(item, self.attr, None)
        if self.formatter is not None and value is not None:
            return self.formatter(value)
        return value


SERVICE = (
    Field('id', 'ID'),
    Field('binary', 'Binary'),
    Field('host', 'Host'),
    Field('zone', 'Zone'),
    Field('status', 'Status'),
    Field('state', 'State'),
    Field('forced_down', 'Forced Down'),
    Field('disabled_reason', 'Disabled Reason'),
    Field('updated_at', 'Updated At'),
)


def _chosen(table: Iterable[Field], long: bool) -> tuple[Field, ...]:
    return tuple(f for f in table if long or not f.long)


def rows(items: Iterable[Any], table: Iterable[Field], long: bool = False):
    """(headers, rows) for a cliff Lister."""
    chosen = _chosen(table, long)
    headers = tuple(f.header for f in chosen)
    return headers, [tuple(f.value(item) for f in chosen) for item in items]


def show(item: Any, table: Iterable[Field]):
    """(headers, values) for a cliff ShowOne."""
    chosen = _chosen(table, long=True)
    return (
        tuple(f.header for f in chosen),
        tuple(f.value(item) for f in chosen),
    )
