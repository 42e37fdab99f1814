"""Records of what a poll saw, and the events that their differences make.

A record is one service, hypervisor or server as its field table shows it
(the values of ``-f json``, keyed by column header), so that an event says
``"Host Status": {"old": "UP", "new": "DOWN"}`` in the words the other
commands use. Pure functions: no requests, no clock.
"""

from __future__ import annotations

import dataclasses
from typing import Any

SERVICE = 'service'
HYPERVISOR = 'hypervisor'
SERVER = 'server'
KINDS = (SERVICE, HYPERVISOR, SERVER)

# What an event names the resource by, rather than reports.
IDENTITY = frozenset({'ID'})


@dataclasses.dataclass(frozen=True)
class Record:
    kind: str
    id: str
    name: str | None
    host: str | None
    # Header -> value, as -f json shows it; what a change is made of.
    values: dict

    @property
    def key(self) -> tuple[str, str]:
        return self.kind, self.id


def _plain(value: Any) -> Any:
    # cliff columns (the formatted and the empty ones) say what -f json
    # prints through machine_readable().
    if hasattr(value, 'machine_readable'):
        return value.machine_readable()
    return value


def record(kind: str, item: Any, table) -> Record:
    """The record of one model, read through its field table."""
    values = {
        f.header: _plain(f.value(item))
        for f in table
        if not f.volatile and f.header not in IDENTITY
    }
    if kind == SERVICE:
        name, host = item.binary, item.host
    elif kind == HYPERVISOR:
        name = item.hypervisor_hostname
        host = item.service_host or item.hypervisor_hostname
    else:
        name, host = item.name, item.host
    return Record(kind, str(item.id), name, host, values)


def event(old: Record | None, new: Record | None, what: str) -> dict:
    """One event: `what` is initial, added, changed or removed."""
    now = new or old
    changes = {}
    for header in dict.fromkeys([*(old.values if old else ()), *now.values]):
        before = old.values.get(header) if old else None
        after = new.values.get(header) if new else None
        if old is None or new is None or before != after:
            changes[header] = {'old': before, 'new': after}
    found = {
        'kind': now.kind,
        'event': what,
        'id': now.id,
        'name': now.name,
        'host': now.host,
        'changes': changes,
    }
    if now.kind == SERVER:
        # A consumer acting on servers reads their host's state here,
        # whatever else changed.
        found['host_status'] = now.values.get('Host Status')
    return found


def diff(old: dict, new: dict, initial: bool = False) -> list[dict]:
    """The events that turn picture `old` into `new` (dicts of records by
    key), in a stable order: by kind, then host, name and ID."""
    # Only what differs is sorted: a quiet poll of a big cloud is cheap.
    differ = [
        key
        for key in old.keys() | new.keys()
        if key not in old
        or key not in new
        or old[key].values != new[key].values
    ]
    events = []
    for key in sorted(differ, key=_order(old, new)):
        before, after = old.get(key), new.get(key)
        if before is None:
            events.append(
                event(None, after, 'initial' if initial else 'added')
            )
        elif after is None:
            events.append(event(before, None, 'removed'))
        else:
            events.append(event(before, after, 'changed'))
    return events


def _order(old: dict, new: dict):
    def order(key):
        found = new.get(key) or old[key]
        return (
            KINDS.index(found.kind),
            found.host or '',
            found.name or '',
            found.id,
        )

    return order
