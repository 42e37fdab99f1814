"""host-evacuate, host-drain and migration-list against the real local cloud.

Each test puts the cloud back as it found it (nova.Restored): computes up
and enabled, seed servers on their hosts in their states, its own servers
deleted. compute1 is a prefix of compute10, whose seed server batch-1
must never move when compute1 is emptied.
"""

from tests.functional import base
from tests.functional import faultproxy as fp
from tests.functional import nova

hostctl = base.hostctl


def rows(result):
    return {row['Name']: row for row in result.json()}


class MovesTestCase(base.TestCase):
    """Servers moved for real; the cloud is put back after each test."""

    def setUp(self):
        super().setUp()
        self.cloud = self.useFixture(nova.Restored())
        self.nova = self.cloud.nova

    def on(self, host):
        return self.cloud.on(host)


class EvacuateTest(MovesTestCase):
    def test_evacuate_a_failed_host(self):
        stopped = self.cloud.boot('evac-stopped', 'compute1', stopped=True)
        names = self.on('compute1')
        self.assertIn('web-1', names)
        self.assertIn('evac-stopped', names)
        batch = self.on('compute10')
        self.assertIn('batch-1', batch)

        # Refused while compute1's nova-compute is up: nothing changes.
        result = hostctl('host-evacuate', 'compute1')
        self.assertFails(result, 9, 'run host-down compute1 first')

        self.assertOk(hostctl('host-down', 'compute1'))

        # The guard against mass evacuation: 1 of 4 computes down is more
        # than 20%.
        result = hostctl('host-evacuate', 'compute1', '--max-down', '20')
        self.assertFails(result, 9, '1 of 4 compute services are down (25%')

        # A dry run shows the plan and changes nothing.
        result = hostctl(
            'host-evacuate', 'compute1', '--dry-run', '-f', 'json'
        )
        self.assertOk(result)
        self.assertEqual(
            {n: 'would evacuate' for n in names},
            {n: r['Result'] for n, r in rows(result).items()},
        )
        self.assertIn(
            'preflight passed: nova-compute on compute1 is down', result.err
        )
        self.assertEqual(names, self.on('compute1'))
        self.assertEqual(
            [],
            self.nova.migrations(host='compute1', migration_type='evacuation'),
        )

        result = hostctl(
            'host-evacuate',
            'compute1',
            '--target-host',
            'compute2',
            '--wait',
            '-f',
            'json',
            timeout=300,
        )
        self.assertOk(result)
        moved = rows(result)
        self.assertEqual(set(names), set(moved))
        for row in moved.values():
            self.assertEqual(
                ('compute1', 'compute2', 'evacuated'),
                (row['From'], row['To'], row['Result']),
                row,
            )
            # From compute API 2.95 an evacuated server arrives stopped.
            self.assertIn(
                'SHUTOFF on compute2; migration done', row['Message']
            )
        self.assertEqual([], self.on('compute1'))
        # compute10 starts with compute1: its servers stay where they are.
        self.assertEqual(batch, self.on('compute10'))
        self.assertEqual('SHUTOFF', self.nova.show(stopped)['status'])

        # migration-list shows the evacuations, done.
        result = hostctl(
            'migration-list',
            '--host',
            'compute1',
            '--type',
            'evacuation',
            '-f',
            'json',
        )
        self.assertOk(result)
        listed = {}
        for row in result.json():  # newest first: each server's latest
            listed.setdefault(row['Server ID'], row)
        ours = {moved[n]['ID'] for n in names}
        self.assertLessEqual(ours, set(listed))
        self.assertEqual(
            {('evacuation', 'done', 'compute1', 'compute2')},
            {
                (r['Type'], r['Status'], r['Source Host'], r['Dest Host'])
                for i, r in listed.items()
                if i in ours
            },
        )

        # --since: Nova's changes-since, by each migration's last update.
        result = hostctl(
            'migration-list',
            '--server',
            'web-1',
            '--since',
            '1h',
            '-f',
            'json',
        )
        self.assertOk(result)
        self.assertIn(
            (moved['web-1']['ID'], 'evacuation'),
            {(r['Server ID'], r['Type']) for r in result.json()},
        )
        result = hostctl(
            'migration-list',
            '--host',
            'compute1',
            '--since',
            '2099-01-01T00:00:00Z',
            '-f',
            'json',
        )
        self.assertOk(result)
        self.assertEqual([], result.json())

        # Nova keeps compute1 forced down until its compute restarts.
        self.assertEqual(9, hostctl('host-up', 'compute1').rc)
        restarted = base.devcloud('compute', 'restart', 'compute1')
        self.assertEqual(0, restarted.rc, restarted.err)
        result = hostctl('host-up', 'compute1', timeout=300)
        self.assertOk(result)
        service = self.nova.computes()['compute1']
        self.assertEqual(
            (False, 'up', 'enabled'),
            (service['forced_down'], service['state'], service['status']),
        )

    def test_evacuate_without_a_target(self):
        mine = self.cloud.boot('evac-free', 'compute10')
        names = self.on('compute10')
        self.assertIn('evac-free', names)
        self.assertOk(hostctl('host-down', 'compute10'))
        result = hostctl(
            'host-evacuate', 'compute10', '--wait', '-f', 'json', timeout=300
        )
        self.assertOk(result)
        landed = rows(result)
        self.assertEqual(set(names), set(landed))
        for row in landed.values():
            self.assertEqual('evacuated', row['Result'], row)
            self.assertIn(row['To'], {'compute1', 'compute2', 'compute3'})
        self.assertEqual(
            landed['evac-free']['To'],
            self.nova.show(mine)['OS-EXT-SRV-ATTR:host'],
        )
        # compute10's hypervisor hostname names the host too.
        result = hostctl(
            'migration-list',
            '--host',
            'compute10.example.org',
            '--type',
            'evacuation',
            '-f',
            'json',
        )
        self.assertOk(result)
        self.assertIn(
            (landed['evac-free']['ID'], 'compute10', 'done'),
            {
                (r['Server ID'], r['Source Host'], r['Status'])
                for r in result.json()
            },
        )

    def test_too_many_down_and_the_override(self):
        self.cloud.boot('evac-guard', 'compute3')
        for host in ('compute3', 'compute10', 'compute2'):
            self.assertOk(hostctl('host-down', host))
        result = hostctl('host-evacuate', 'compute3')
        self.assertFails(
            result,
            9,
            '3 of 4 compute services are down (75%, more than --max-down 50%)',
        )
        # The override says so; compute1 is the only one left to take them.
        result = hostctl(
            'host-evacuate',
            'compute3',
            '--ignore-max-down',
            '--wait',
            '-f',
            'json',
            timeout=300,
        )
        self.assertOk(result)
        self.assertIn(
            'going ahead because --ignore-max-down was given', result.err
        )
        self.assertEqual({'compute1'}, {r['To'] for r in result.json()})

    def test_no_other_compute_is_refused(self):
        before = self.on('compute1')
        for host in ('compute2', 'compute3', 'compute10'):
            self.assertOk(hostctl('service-disable', host, 'nova-compute'))
        self.assertOk(hostctl('host-down', 'compute1'))
        result = hostctl('host-evacuate', 'compute1', '--ignore-max-down')
        self.assertFails(
            result, 9, 'no compute other than compute1 is enabled and up'
        )
        result = hostctl(
            'host-evacuate', 'compute1', '--target-host', 'compute2'
        )
        self.assertFails(
            result, 9, '--target-host compute2 cannot take the servers'
        )
        self.assertEqual(before, self.on('compute1'))


class DrainTest(MovesTestCase):
    def test_drain_live_with_a_stopped_server_cold(self):
        self.cloud.boot('drain-stopped', 'compute2', stopped=True)
        names = self.on('compute2')
        result = hostctl(
            'host-drain', 'compute2', '--wait', '-f', 'json', timeout=300
        )
        self.assertOk(result)
        drained = rows(result)
        self.assertEqual(set(names), set(drained))
        for row in drained.values():
            self.assertEqual('migrated', row['Result'], row)
            self.assertNotEqual('compute2', row['To'])
        self.assertIn('cold-migrated', drained['drain-stopped']['Message'])
        self.assertIn(
            'migration confirmed', drained['drain-stopped']['Message']
        )
        self.assertIn('migration completed', drained['web-2']['Message'])
        self.assertEqual([], self.on('compute2'))
        service = self.nova.computes()['compute2']
        self.assertEqual('disabled', service['status'])
        self.assertTrue(
            service['disabled_reason'].startswith('hostctl host-drain')
        )
        types = {
            m['migration_type']
            for m in self.nova.migrations(source_compute='compute2')
        }
        self.assertEqual({'live-migration', 'migration'}, types)

    def test_drain_cold_to_a_named_host(self):
        names = self.on('compute3')
        result = hostctl(
            'host-drain',
            'compute3',
            '--cold',
            '--target-host',
            'compute10',
            '--wait',
            '-f',
            'json',
            timeout=300,
        )
        self.assertOk(result)
        self.assertEqual(
            {n: ('migrated', 'compute10') for n in names},
            {n: (r['Result'], r['To']) for n, r in rows(result).items()},
        )
        self.assertEqual([], self.on('compute3'))

    def test_drain_of_a_down_host_is_refused(self):
        before = self.on('compute3')
        self.assertOk(hostctl('host-down', 'compute3'))
        result = hostctl('host-drain', 'compute3')
        self.assertFails(result, 9, 'run host-evacuate compute3')
        self.assertEqual(before, self.on('compute3'))


class MoveFaultTest(base.TestCase):
    """Faults on the way to Nova and back, through the tests' proxy."""

    def setUp(self):
        super().setUp()
        self.cloud = self.useFixture(nova.Restored())
        self.proxied = self.useFixture(base.ProxiedCloud())
        self.proxy = self.proxied.proxy
        self.mine = self.cloud.boot('evac-fault', 'compute1')
        self.assertOk(hostctl('host-down', 'compute1'))

    def evacuate(self):
        result = self.proxied.hostctl(
            'host-evacuate', 'compute1', '--wait', '-f', 'json', timeout=300
        )
        self.assertEqual(8, result.rc, result.err)
        return {r['ID']: r for r in result.json()}

    def test_a_lost_answer_is_not_retried_and_says_so(self):
        self.proxy.add(
            'compute',
            fp.Fault(lose=True),
            method='POST',
            path=f'/servers/{self.mine}/action',
        )
        found = self.evacuate()
        lost = found[self.mine]
        self.assertEqual('failed', lost['Result'])
        self.assertIn(
            'the change may or may not have been made', lost['Message']
        )
        others = [r for i, r in found.items() if i != self.mine]
        self.assertTrue(others)
        self.assertEqual({'evacuated'}, {r['Result'] for r in others})
        # One request for it, never repeated; and Nova did act on it.
        self.assertEqual(
            1,
            self.proxy.count(
                'compute', 'POST', f'/servers/{self.mine}/action'
            ),
        )
        self.assertEqual(
            ['evacuation'],
            [m['migration_type'] for m in self.nova_migrations(self.mine)],
        )

    def test_one_refusal_is_that_servers_row(self):
        words = (
            "Cannot 'evacuate' instance evac-fault while it is in "
            'task_state rebuilding'
        )
        self.proxy.add(
            'compute',
            fp.status(409, words, 'conflictingRequest'),
            method='POST',
            path=f'/servers/{self.mine}/action',
        )
        found = self.evacuate()
        self.assertEqual(
            ('failed', words),
            (found[self.mine]['Result'], found[self.mine]['Message']),
        )
        others = [r for i, r in found.items() if i != self.mine]
        self.assertEqual({'evacuated'}, {r['Result'] for r in others}, found)
        self.assertEqual('compute1', self.nova_host(self.mine))

    def nova_migrations(self, server_id):
        return self.cloud.nova.migrations(instance_uuid=server_id)

    def nova_host(self, server_id):
        return self.cloud.nova.show(server_id)['OS-EXT-SRV-ATTR:host']


class MigrationListTest(base.TestCase):
    def test_a_member_is_refused_not_shown_nothing(self):
        result = hostctl('migration-list', cloud_name='member')
        self.assertFails(result, 5, 'policy refused the request')

    def test_a_host_that_does_not_exist(self):
        result = hostctl('migration-list', '--host', 'compute9')
        self.assertFails(result, 4, 'compute9')
        # compute1 is a prefix of compute10: not a match.
        result = hostctl(
            'migration-list', '--host', 'compute', '--type', 'evacuation'
        )
        self.assertFails(result, 4, "'compute'")

    def test_a_server_that_does_not_exist(self):
        result = hostctl('migration-list', '--server', 'no-such-server')
        self.assertFails(result, 4, 'no-such-server')
