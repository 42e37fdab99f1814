"""Hosts: exact names, one host's document, and the verdict."""

import datetime

import testtools

from hostctl import exceptions
from hostctl.v2_1 import hosts
from hostctl.v2_1.services import Service
from tests.unit import fakes
from tests.unit.v2_1.test_client import make_client

NOW = datetime.datetime(2026, 11, 23, 10, 0, 10, tzinfo=datetime.UTC)


def compute(number, host, **extra):
    service = {
        'id': number,
        'uuid': f'a1b2c3d4-0000-4000-8000-{number:012d}',
        'binary': 'nova-compute',
        'host': host,
        'zone': 'nova',
        'status': 'enabled',
        'state': 'up',
        'forced_down': False,
        'disabled_reason': None,
        'updated_at': '2026-11-23T10:00:01.000000',
    }
    service.update(extra)
    return service


SCHEDULER = fakes.SERVICES[0]


def hypervisor_json(version, number, hostname, host):
    return {
        'id': (
            f'1bb62a04-c576-402c-8147-{number:012d}'
            if version >= (2, 53)
            else number
        ),
        'hypervisor_hostname': hostname,
        'state': 'up',
        'status': 'enabled',
        'hypervisor_type': 'fake',
        'service': {'host': host, 'id': number, 'disabled_reason': None},
    }


def server_json(number, host, hypervisor=None):
    return {
        'id': f'9f3a6a2e-5b1c-4d6e-8f70-{number:012d}',
        'name': f'vm-{number}',
        'status': 'ACTIVE',
        'OS-EXT-SRV-ATTR:host': host,
        'OS-EXT-SRV-ATTR:hypervisor_hostname': hypervisor or host,
        'tenant_id': 'p1',
        'host_status': 'UP',
    }


class Cloud(fakes.ComputeFixture):
    """A compute API with these hosts: (service host, hypervisor
    hostname) pairs, a scheduler on 'controller', and servers per host."""

    def __init__(self, hosts, servers=None, high='2.104'):
        services = [SCHEDULER] + [
            compute(10 + i, host) for i, (host, _) in enumerate(hosts)
        ]
        super().__init__('2.1', high, services=services)
        self.hosts = hosts
        self.servers = servers or {}

    def _setUp(self):
        super()._setUp()
        base = fakes.COMPUTE_URL
        self.mock.get(base + '/os-hypervisors/detail', json=self._hypervisors)
        self.mock.get(base + '/servers/detail', json=self._servers)

    def _hypervisors(self, request, context):
        version = self.version_of(request)
        return {
            'hypervisors': [
                hypervisor_json(version, 20 + i, hostname, host)
                for i, (host, hostname) in enumerate(self.hosts)
            ]
        }

    def _servers(self, request, context):
        host = request.qs.get('host', [None])[0]
        return {
            'servers': [
                s
                for s in self.servers.get(host, [])
                # Nova matches exactly; the fake does too.
            ]
        }

    def paths(self):
        return [
            r.path + ('?' + r.query if r.query else '')
            for r in self.api_requests()
        ]


class ResolveTest(testtools.TestCase):
    def hosts(self, pairs, pinned=None, **kwargs):
        self.cloud = self.useFixture(Cloud(pairs, **kwargs))
        return make_client(pinned).hosts

    def test_exact_service_host_costs_one_request(self):
        manager = self.hosts(
            [('compute1', 'compute1'), ('compute10', 'compute10')]
        )
        self.assertEqual('compute1', manager.resolve('compute1'))
        self.assertEqual(['/v2.1/os-services'], self.cloud.paths())

    def test_a_prefix_never_matches(self):
        manager = self.hosts([('compute10', 'compute10.example.org')])
        error = self.assertRaises(
            exceptions.NotFound, manager.resolve, 'compute1'
        )
        self.assertEqual(
            "no host 'compute1'; hosts: compute10, controller", str(error)
        )
        self.assertEqual(exceptions.ExitCode.NOT_FOUND, error.exit_code)
        for substring in ('ompute10', 'compute', 'compute10.example'):
            self.assertRaises(exceptions.NotFound, manager.resolve, substring)

    def test_hypervisor_hostname_names_its_service_host(self):
        for pinned in ('2.52', '2.53'):
            manager = self.hosts(
                [
                    ('compute1', 'compute1.example.org'),
                    ('compute10', 'compute10.example.org'),
                ],
                pinned=pinned,
            )
            self.assertEqual(
                'compute10', manager.resolve('compute10.example.org')
            )
            self.assertEqual(
                ['/v2.1/os-services', '/v2.1/os-hypervisors/detail'],
                self.cloud.paths(),
            )

    def test_short_name_matches_its_fqdn_when_only_one_fits(self):
        manager = self.hosts(
            [
                ('compute1.example.org', 'compute1.example.org'),
                ('compute10.example.org', 'compute10.example.org'),
            ]
        )
        self.assertEqual('compute1.example.org', manager.resolve('compute1'))

    def test_short_name_of_two_fqdns_is_ambiguous(self):
        manager = self.hosts(
            [
                ('compute1.east.example.org', 'compute1.east.example.org'),
                ('compute1.west.example.org', 'compute1.west.example.org'),
            ]
        )
        error = self.assertRaises(
            exceptions.UsageError, manager.resolve, 'compute1'
        )
        self.assertEqual(
            "'compute1' names 2 hosts: compute1.east.example.org, "
            'compute1.west.example.org; give the full name',
            str(error),
        )

    def test_fqdn_does_not_match_a_short_host_of_another_domain(self):
        manager = self.hosts([('compute1', 'compute1.example.org')])
        self.assertEqual('compute1', manager.resolve('compute1.example.org'))
        self.assertRaises(
            exceptions.NotFound, manager.resolve, 'compute1.other.org'
        )

    def test_blank_name_is_a_usage_error_before_any_request(self):
        manager = self.hosts([('compute1', 'compute1')])
        for blank in ('', '   ', '\t'):
            error = self.assertRaises(
                exceptions.UsageError, manager.resolve, blank
            )
            self.assertIn('empty name would match every host', str(error))
        self.assertEqual([], self.cloud.paths())

    def test_a_non_compute_service_host_resolves(self):
        manager = self.hosts([('compute1', 'compute1')])
        self.assertEqual('controller', manager.resolve('controller'))


class ShowTest(testtools.TestCase):
    def test_one_host_in_three_requests_whatever_its_servers(self):
        for pinned in ('2.52', '2.53', None):
            pairs = [
                ('compute1', 'compute1.example.org'),
                ('compute10', 'compute10.example.org'),
            ]
            servers = {
                'compute1': [
                    server_json(i, 'compute1', 'compute1.example.org')
                    for i in range(50)
                ],
                'compute10': [server_json(99, 'compute10')],
            }
            cloud = self.useFixture(Cloud(pairs, servers=servers))
            host = make_client(pinned).hosts.show('compute1')
            self.assertEqual('compute1', host.name)
            self.assertEqual(['compute1'], [s.host for s in host.services])
            self.assertEqual(
                ['compute1.example.org'],
                [h.hypervisor_hostname for h in host.hypervisors],
            )
            self.assertEqual(50, len(host.servers))
            self.assertEqual({'compute1'}, {s.host for s in host.servers})
            self.assertEqual('up', host.verdict.state)
            self.assertEqual(
                [
                    '/v2.1/os-services',
                    '/v2.1/os-hypervisors/detail',
                    '/v2.1/servers/detail?all_tenants=1&host=compute1',
                ],
                cloud.paths(),
            )

    def test_a_host_with_no_compute_is_not_found(self):
        # 'controller' runs only the scheduler: showing it as a host with
        # no servers (and check --host as OK) hid a wrong name.
        cloud = self.useFixture(Cloud([('compute1', 'compute1')]))
        error = self.assertRaises(
            exceptions.NotFound, make_client(None).hosts.show, 'controller'
        )
        self.assertEqual(
            'controller is not a compute host: it has no nova-compute '
            'service or hypervisor (it runs nova-scheduler); compute hosts: '
            'compute1',
            str(error),
        )
        self.assertEqual(
            ['/v2.1/os-services', '/v2.1/os-hypervisors/detail'],
            cloud.paths(),
        )

    def test_servers_of_another_host_are_never_shown(self):
        # Whatever the API's filter did, only exact matches are the host's.
        cloud = self.useFixture(
            Cloud([('compute1', 'compute1'), ('compute10', 'compute10')])
        )
        cloud.mock.get(
            fakes.COMPUTE_URL + '/servers/detail',
            json={
                'servers': [
                    server_json(1, 'compute1'),
                    server_json(2, 'compute10'),
                ]
            },
        )
        host = make_client().hosts.show('compute1')
        self.assertEqual(['vm-1'], [s.name for s in host.servers])

    def test_hidden_server_hosts_are_refused(self):
        cloud = self.useFixture(Cloud([('compute1', 'compute1')]))
        hidden = server_json(1, 'compute1')
        del hidden['OS-EXT-SRV-ATTR:host']
        cloud.mock.get(
            fakes.COMPUTE_URL + '/servers/detail', json={'servers': [hidden]}
        )
        error = self.assertRaises(
            exceptions.AuthError, make_client().hosts.show, 'compute1'
        )
        self.assertIn("hides servers' hosts", str(error))


def service(**fields):
    data = dict(
        binary='nova-compute',
        host='compute1',
        status='enabled',
        state='up',
        forced_down=False,
        updated_at='2026-11-23T10:00:00.000000',
    )
    data.update(fields)
    return Service(**data)


class VerdictTest(testtools.TestCase):
    def check(self, state, reason, *services, down_time=None):
        found = hosts.verdict(services, now=NOW, down_time=down_time)
        self.assertEqual(hosts.Verdict(state, reason), found)

    def test_up(self):
        self.check('up', 'nova-compute reported 10 s ago', service())

    def test_unknown_when_not_reporting(self):
        self.check(
            'unknown',
            'nova-compute has not reported for 94 s',
            service(state='down', updated_at='2026-11-23T09:58:36Z'),
        )

    def test_a_recent_change_is_not_taken_for_a_report(self):
        # host-down's PUTs move updated_at too: a compute silent for
        # minutes, disabled 3 s ago, "has not reported for 3 s" was false.
        self.check(
            'maintenance',
            'disabled (maint); nova-compute is not reporting (Nova says '
            'down; its record last changed 3 s ago)',
            service(
                state='down',
                status='disabled',
                disabled_reason='maint',
                updated_at='2026-11-23T10:00:07Z',
            ),
        )

    def test_down_when_forced_down(self):
        self.check(
            'down', 'forced down', service(forced_down=True, state='down')
        )

    def test_maintenance_when_disabled(self):
        self.check(
            'maintenance',
            'disabled (kernel upgrade)',
            service(status='disabled', disabled_reason='kernel upgrade'),
        )
        self.check(
            'maintenance',
            'disabled (no reason given); nova-compute has not reported '
            'for 70 s',
            service(
                status='disabled',
                state='down',
                updated_at='2026-11-23T09:59:00Z',
            ),
        )

    def test_fenced_when_forced_down_and_disabled(self):
        self.check(
            'fenced',
            'forced down and disabled (power failure); servers show DOWN',
            service(
                forced_down=True,
                state='down',
                status='disabled',
                disabled_reason='power failure',
            ),
        )

    def test_up_with_a_stale_report_is_marked(self):
        stale = service(updated_at='2026-11-23T09:58:00')
        self.check(
            'up',
            'nova-compute reports up, but its last report was 2 min ago '
            '(stale)',
            stale,
        )
        # Within the cloud's own service_down_time, when it is known.
        self.check(
            'up', 'nova-compute reported 2 min ago', stale, down_time=300
        )

    def test_no_compute_service(self):
        self.check(
            'unknown',
            'no nova-compute service on this host',
            service(binary='nova-scheduler'),
        )

    def test_the_worst_of_several_compute_services(self):
        self.check(
            'down',
            'forced down',
            service(),
            service(forced_down=True, state='down'),
        )

    def test_before_2_11_there_is_no_forced_down(self):
        self.check(
            'up', 'nova-compute reported 10 s ago', service(forced_down=None)
        )
