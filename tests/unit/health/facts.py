"""Facts as the clients would return them, for the health tests."""

from __future__ import annotations

from hostctl import exceptions
from hostctl.database import instances
from hostctl.ping.check import Check
from hostctl.health import summary
from hostctl.v2_1 import hypervisors
from hostctl.v2_1 import servers
from hostctl.v2_1 import services


def service(host, binary='nova-compute', **fields):
    data = {
        'host': host,
        'binary': binary,
        'zone': 'nova' if binary == 'nova-compute' else 'internal',
        'state': 'up',
        'status': 'enabled',
        'forced_down': False,
        'disabled_reason': None,
        'updated_at': '2026-12-01T05:00:00.000000',
    }
    data.update(fields)
    return services.Service.from_json(data)


def hypervisor(host, state='up', status='enabled'):
    return hypervisors.Hypervisor.from_json(
        {
            'id': host,
            'hypervisor_hostname': host,
            'state': state,
            'status': status,
            'service': {'host': host, 'id': 1},
        }
    )


def server(name, host, host_status='UP'):
    return servers.Server.from_json(
        {
            'id': f'id-{name}',
            'name': name,
            'OS-EXT-SRV-ATTR:host': host,
            'host_status': host_status,
            'status': 'ACTIVE',
            'tenant_id': 'p1',
        }
    )


def ping(name, alive, error=None):
    failure = exceptions.ServerError(error) if alive is None else None
    return instances.Ping(
        instances.Instance(id=f'id-{name}', name=name),
        alive,
        12.5,
        error,
        failure,
    )


def probe(name, alive):
    return Check(f'id-{name}', name, 'p1', alive, 'ICMP echo')


def healthy(**changes) -> summary.Facts:
    """A cloud of three hosts, all well; `changes` replace parts."""
    facts = summary.Facts(
        services=[
            service('controller', 'nova-scheduler'),
            service('compute1'),
            service('compute2'),
            service('compute3'),
        ],
        hypervisors=[
            hypervisor(h) for h in ('compute1', 'compute2', 'compute3')
        ],
        servers=[
            server('web-1', 'compute1'),
            server('web-2', 'compute2'),
            server('db-1', 'compute2'),
            server('broken-1', None, ''),
        ],
        parts=('services', 'hypervisors', 'servers'),
        duration=0.25,
    )
    for name, value in changes.items():
        setattr(facts, name, value)
    return facts
