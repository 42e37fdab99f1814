"""Host Status and hypervisor State/Status against the real Nova.

Each test puts one host in a state through hostctl (or stops its
heartbeat through the cloud's launcher), reads what the servers on it say,
and puts the host back.
"""

import subprocess

from tests.functional import base
from tests.functional.base import hostctl

DEVCLOUD = base.TOP + '/tests/functional/cloud/devcloud.py'


def heartbeat(action, host):
    subprocess.run(
        ['python3', DEVCLOUD, 'heartbeat', action, host],
        check=True,
        capture_output=True,
    )


def servers_on(host):
    return [s for s in base.cloud()['servers'] if s.get('host') == host]


class HostStatusTest(base.TestCase):
    def host_statuses(self, host, *options, cloud_name='admin'):
        result = hostctl(
            *options,
            'server-list',
            '--all-projects',
            '--host',
            host,
            '-f',
            'json',
            cloud_name=cloud_name,
        )
        self.assertOk(result)
        return {row['ID']: row['Host Status'] for row in result.json()}

    def expect(self, host, status):
        expected = {s['id']: status for s in servers_on(host)}
        self.assertTrue(expected, f'the cloud seeds no server on {host}')
        self.assertEqual(expected, self.host_statuses(host))

    def test_up(self):
        for host in base.cloud()['hosts']:
            self.expect(host, 'UP')

    def test_down_after_force_down_and_up_after_unset(self):
        self.addCleanup(
            hostctl,
            'service-force-down',
            '--unset',
            'compute2',
            'nova-compute',
        )
        self.assertOk(
            hostctl('service-force-down', 'compute2', 'nova-compute')
        )
        self.expect('compute2', 'DOWN')
        # Servers elsewhere are untouched.
        self.expect('compute1', 'UP')
        self.assertOk(
            hostctl(
                'service-force-down', '--unset', 'compute2', 'nova-compute'
            )
        )
        self.expect('compute2', 'UP')

    def test_maintenance_after_disable(self):
        self.addCleanup(hostctl, 'service-enable', 'compute3', 'nova-compute')
        self.assertOk(
            hostctl(
                'service-disable',
                '--reason',
                'maintenance',
                'compute3',
                'nova-compute',
            )
        )
        self.expect('compute3', 'MAINTENANCE')
        shown = hostctl('hypervisor-show', 'compute3', '-f', 'json')
        self.assertOk(shown)
        self.assertEqual(
            ('disabled', 'maintenance'),
            (shown.json()['Status'], shown.json()['Service Disabled Reason']),
        )

    def test_unknown_when_the_heartbeat_stops(self):
        self.addCleanup(base.wait_until_up, 'compute1', 30)
        self.addCleanup(heartbeat, 'start', 'compute1')
        heartbeat('stop', 'compute1')
        self.expect('compute1', 'UNKNOWN')
        listed = hostctl('hypervisor-list', '-f', 'json').json()
        states = {h['Hypervisor Hostname']: h['State'] for h in listed}
        self.assertEqual('down', states['compute1'])

    def test_below_2_16_host_status_is_empty_and_explained(self):
        result = hostctl(
            '--os-compute-api-version',
            '2.15',
            'server-list',
            '--all-projects',
            '-f',
            'json',
        )
        self.assertOk(result)
        self.assertEqual({None}, {r['Host Status'] for r in result.json()})
        self.assertEqual(
            'hostctl: Host Status is empty: it needs compute API version '
            '2.16 or later, and 2.15 is in use\n',
            result.err,
        )

    def test_member_sees_no_host_status(self):
        result = hostctl('server-list', '-f', 'json', cloud_name='member')
        self.assertOk(result)
        rows = result.json()
        self.assertTrue(rows, 'the cloud seeds no server for the member')
        self.assertEqual({None}, {r['Host Status'] for r in rows})
        self.assertIn('policy does not show it', result.err)
        self.assertEqual(1, len(result.err.splitlines()))

    def test_server_show_by_name_and_id(self):
        seeded = servers_on('compute2')[0]
        by_id = hostctl('server-show', seeded['id'], '-f', 'json')
        self.assertOk(by_id)
        self.assertEqual(
            ('UP', seeded['name']),
            (by_id.json()['Host Status'], by_id.json()['Name']),
        )
        by_name = hostctl(
            'server-show', '--all-projects', seeded['name'], '-f', 'json'
        )
        self.assertOk(by_name)
        self.assertEqual(seeded['id'], by_name.json()['ID'])
        missing = hostctl('server-show', 'no-such-server')
        self.assertFails(missing, 4, 'no server named or with ID')


class HypervisorTest(base.TestCase):
    def test_list_has_state_and_status_for_every_host(self):
        result = hostctl('hypervisor-list', '-f', 'json')
        self.assertOk(result)
        rows = {r['Hypervisor Hostname']: r for r in result.json()}
        # compute10's hypervisor is compute10.example.org.
        expected = base.cloud()['hypervisor_hostnames'].values()
        self.assertEqual(sorted(expected), sorted(rows))
        for row in rows.values():
            self.assertEqual(('up', 'enabled'), (row['State'], row['Status']))

    def test_at_the_version_boundaries(self):
        for version, id_type in (
            ('2.32', int),
            ('2.33', int),
            ('2.52', int),
            ('2.53', str),
            ('2.87', str),
            ('2.88', str),
        ):
            pin = ('--os-compute-api-version', version)
            listed = hostctl(*pin, 'hypervisor-list', '--long', '-f', 'json')
            self.assertOk(listed)
            rows = listed.json()
            self.assertEqual(len(base.cloud()['hosts']), len(rows), version)
            self.assertIsInstance(rows[0]['ID'], id_type, version)
            usage = rows[0]['vCPUs']
            if version < '2.88':
                self.assertIsInstance(usage, int, version)
            else:
                self.assertIsNone(usage, version)
            shown = hostctl(
                *pin, 'hypervisor-show', str(rows[0]['ID']), '-f', 'json'
            )
            self.assertOk(shown)
            self.assertEqual(
                rows[0]['Hypervisor Hostname'],
                shown.json()['Hypervisor Hostname'],
            )

    def test_matching_and_bad_names(self):
        result = hostctl(
            'hypervisor-list', '--matching', 'compute2', '-f', 'json'
        )
        self.assertOk(result)
        self.assertEqual(
            ['compute2'], [r['Hypervisor Hostname'] for r in result.json()]
        )
        self.assertFails(
            hostctl('hypervisor-list', '--matching', 'nope'),
            4,
            "no hypervisor hostname matches 'nope'",
        )
        self.assertFails(
            hostctl('hypervisor-show', 'nope'), 4, "no hypervisor named 'nope'"
        )
        # Nova's search is by substring; a name is matched exactly.
        self.assertFails(
            hostctl('hypervisor-show', 'compute'),
            4,
            "no hypervisor named 'compute'; hostnames that contain it: "
            'compute1',
        )
