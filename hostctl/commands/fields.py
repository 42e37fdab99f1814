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

from cliff import columns


class Addresses(columns.FormattableColumn):
    """A server's addresses: "net=a, b; net2=c", a mapping in JSON."""

    def human_readable(self):
        return '; '.join(
            f'{net}={", ".join(a.get("addr", "") for a in addrs)}'
            for net, addrs in sorted(self._value.items())
        )

    def machine_readable(self):
        return {
            net: [a.get('addr') for a in addrs]
            for net, addrs in self._value.items()
        }


class _Empty(columns.FormattableColumn):
    """A value the API did not give: blank in a table, null in JSON."""

    def human_readable(self):
        return ''

    def machine_readable(self):
        return None


EMPTY = _Empty(None)


# Nova's power_state numbers, as nova and openstack print them.
POWER_STATES = {
    0: 'NOSTATE',
    1: 'Running',
    3: 'Paused',
    4: 'Shutdown',
    6: 'Crashed',
    7: 'Suspended',
}


def power_state(value):
    return POWER_STATES.get(value, value)


@dataclasses.dataclass(frozen=True)
class Field:
    attr: str
    header: str
    long: bool = False
    # Turns the attribute's value into what is shown (a cliff column class
    # for structured values, so that -f json keeps their structure).
    formatter: Callable[[Any], Any] | None = None
    # The values it can take, for fields that have a fixed set (checked by
    # `hostctl wait --for`); empty: any text.
    values: tuple[str, ...] = ()
    # Changes all the time without meaning anything (a heartbeat's
    # timestamp): `hostctl watch` does not report it.
    volatile: bool = False

    def value(self, item: Any) -> Any:
        value = getattr(item, self.attr, None)
        if value is None:
            return EMPTY
        if self.formatter is not None:
            return self.formatter(value)
        return value


BOOLEAN = ('true', 'false')
UP_DOWN = ('up', 'down')
ENABLED = ('enabled', 'disabled')
# What Nova says of a server's host (empty: the server has no host).
HOST_STATUSES = ('UP', 'UNKNOWN', 'DOWN', 'MAINTENANCE', '')
# Nova's server statuses (nova/api/openstack/common.py).
SERVER_STATUSES = (
    'ACTIVE',
    'BUILD',
    'DELETED',
    'ERROR',
    'HARD_REBOOT',
    'MIGRATING',
    'PASSWORD',
    'PAUSED',
    'REBOOT',
    'REBUILD',
    'RESCUE',
    'RESIZE',
    'REVERT_RESIZE',
    'SHELVED',
    'SHELVED_OFFLOADED',
    'SHUTOFF',
    'SOFT_DELETED',
    'SUSPENDED',
    'UNKNOWN',
    'VERIFY_RESIZE',
)

SERVICE = (
    Field('id', 'ID'),
    Field('binary', 'Binary'),
    Field('host', 'Host'),
    Field('zone', 'Zone'),
    Field('status', 'Status', values=ENABLED),
    Field('state', 'State', values=UP_DOWN),
    Field('forced_down', 'Forced Down', values=BOOLEAN),
    Field('disabled_reason', 'Disabled Reason'),
    Field('updated_at', 'Updated At', volatile=True),
)


HYPERVISOR = (
    Field('id', 'ID'),
    Field('hypervisor_hostname', 'Hypervisor Hostname'),
    Field('state', 'State', values=UP_DOWN),
    Field('status', 'Status', values=ENABLED),
    Field('hypervisor_type', 'Hypervisor Type', long=True),
    Field('host_ip', 'Host IP', long=True),
    # Empty from microversion 2.88, which removed them from the API.
    Field('vcpus_used', 'vCPUs Used', long=True),
    Field('vcpus', 'vCPUs', long=True),
    Field('memory_mb_used', 'Memory MB Used', long=True),
    Field('memory_mb', 'Memory MB', long=True),
    Field('running_vms', 'Running VMs', long=True),
)

# hypervisor-show adds the service it runs under.
HYPERVISOR_SERVICE = (
    Field('service_host', 'Service Host'),
    Field('service_id', 'Service ID'),
    Field('disabled_reason', 'Service Disabled Reason'),
)

SERVER = (
    Field('id', 'ID'),
    Field('name', 'Name'),
    Field('status', 'Status', values=SERVER_STATUSES),
    Field('task_state', 'Task State'),
    Field(
        'power_state',
        'Power State',
        formatter=power_state,
        values=tuple(POWER_STATES.values()),
    ),
    Field('addresses', 'Networks', formatter=Addresses),
    Field('host_status', 'Host Status', values=HOST_STATUSES),
    Field('host', 'Host', long=True),
    Field('tenant_id', 'Project', long=True),
    Field('created', 'Created', long=True),
)


# One rpc_ping: the instance and how its guest answered.
RPC_PING = (
    Field('id', 'ID'),
    Field('name', 'Name'),
    Field('alive', 'Alive', values=BOOLEAN),
    Field('elapsed_ms', 'Time (ms)', volatile=True),
    Field('error', 'Error'),
)


# One server-fping check; --long says where the answer came from.
FPING = (
    Field('id', 'ID'),
    Field('name', 'Name'),
    Field('project_id', 'Project'),
    Field('alive', 'Alive'),
    Field('address', 'Address', long=True),
    Field('rtt_ms', 'RTT (ms)', long=True),
    Field('checked', 'Checked', long=True),
    Field('answer', 'Answer', long=True),
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


def show_all(item: Any, table: Iterable[Field], covered: Iterable[str] = ()):
    """(headers, values): the table's fields, then every other key of the
    response as the API names it, so that nothing the cloud said is lost.

    `covered` names response keys shown through derived fields (such as
    the hypervisor's nested service).
    """
    table = tuple(table)
    headers, values = show(item, table)
    json_keys = {
        f.name: f.metadata.get('key', f.name) for f in dataclasses.fields(item)
    }
    shown = {json_keys.get(f.attr, f.attr) for f in table}
    shown |= set(covered) | {'links'}
    extra = sorted(k for k in item.raw if k not in shown)
    return (
        headers + tuple(extra),
        values + tuple(_plain(item.raw[k]) for k in extra),
    )


class Structured(columns.FormattableColumn):
    """A nested value: compact JSON in a table, the structure in -f json."""

    def human_readable(self):
        import json

        return json.dumps(self._value, sort_keys=True)

    def machine_readable(self):
        return self._value


def _plain(value):
    return Structured(value) if isinstance(value, dict | list) else value
