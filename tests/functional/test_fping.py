"""server-fping and server-monitor against the real Nova of the local cloud.

Nova 34 answers 410 Gone to os-fping (500 with all_tenants), so these
runs go through hostctl's own probes of the servers' loopback addresses.
The "dead" range 127.0.66.0/24 answers nothing only inside the network
namespace that ./run makes (tests/functional/netns.sh); without it, the
tests that need a silent server say they are skipped.
"""

import os
import time

import fixtures

from tests.functional import base
from tests.functional.base import hostctl


def servers(role=None):
    return [
        s for s in base.cloud()['servers'] if role is None or s['role'] == role
    ]


def server(name):
    (found,) = [s for s in servers() if s['name'] == name]
    return found


def admin_project():
    return base.cloud()['projects']['admin']


class FpingTest(base.TestCase):
    def needs_dead_network(self):
        if not os.environ.get('HOSTCTL_DEAD_NET'):
            self.skipTest(
                'no silent addresses here: run through ./run, which makes '
                'a network namespace where 127.0.66.0/24 answers nothing'
            )

    def fping(self, *argv, **kwargs):
        return hostctl('server-fping', '-f', 'json', *argv, **kwargs)

    def test_all_projects_reports_each_server_as_it_is(self):
        self.needs_dead_network()
        # --no-cache: an earlier run may have found os-fping gone.
        result = self.fping('--all-projects', '--long', '--no-cache')
        self.assertEqual(3, result.rc, result.err)
        rows = {r['ID']: r for r in result.json()}
        self.assertEqual({s['id'] for s in servers()}, set(rows))
        for s in servers():
            row = rows[s['id']]
            self.assertEqual(s['name'], row['Name'])
            self.assertEqual(s['project_id'], row['Project'])
            self.assertEqual('ICMP echo', row['Checked'])
            if s['role'] == 'live':
                self.assertIs(True, row['Alive'], row)
                self.assertEqual('echo reply', row['Answer'])
                self.assertIn(row['Address'], s['addresses'])
                self.assertIsInstance(row['RTT (ms)'], float)
            elif s['role'] == 'dead':
                self.assertIs(False, row['Alive'], row)
                self.assertEqual('no answer', row['Answer'])
            else:
                self.assertIs(False, row['Alive'], row)
                self.assertEqual('no address to probe', row['Answer'])
        # Nova 34 fails os-fping?all_tenants=1 with a 500: one line says so.
        self.assertIn(
            'hostctl: the os-fping API answered HTTP 500', result.err
        )
        not_alive = [s for s in servers() if s['role'] != 'live']
        self.assertIn(
            f'{len(not_alive)} of {len(servers())} servers not alive',
            result.err,
        )
        self.assertNotIn('Traceback', result.err)

    def test_named_servers_that_answer_exit_0(self):
        # (--no-cache: an earlier run may have found os-fping gone.)
        result = hostctl(
            '--no-cache',
            'server-fping',
            '-f',
            'json',
            'web-1',
            server('web-2')['id'],
        )
        self.assertOk(result)
        self.assertEqual(
            [('web-1', True), ('web-2', True)],
            [(r['Name'], r['Alive']) for r in result.json()],
        )
        self.assertEqual(
            'hostctl: the os-fping API answered HTTP 410 (This resource is '
            'no longer available. No forwarding address is given.); probing '
            'the servers from here instead\n',
            result.err,
        )

    def test_a_gone_api_is_remembered(self):
        env = base.clean_env(
            XDG_CACHE_HOME=self.useFixture(fixtures.TempDir()).path
        )
        first = self.fping('web-1', env=env)
        second = self.fping('web-1', env=env)
        self.assertOk(first)
        self.assertOk(second)
        self.assertIn('os-fping API answered HTTP 410', first.err)
        self.assertEqual('', second.err)
        self.assertEqual(first.json()[0]['ID'], second.json()[0]['ID'])

    def test_include_keeps_only_those_servers(self):
        self.needs_dead_network()
        ids = [server('web-1')['id'], server('cache-1')['id']]
        result = self.fping('--include', ','.join(ids))
        self.assertEqual(3, result.rc, result.err)
        self.assertEqual(
            {('web-1', True), ('cache-1', False)},
            {(r['Name'], r['Alive']) for r in result.json()},
        )

    def test_exclude_drops_those_servers(self):
        unwanted = [
            s['id']
            for s in servers()
            if s['project_id'] == admin_project() and s['role'] != 'live'
        ]
        result = self.fping('--exclude', ','.join(unwanted))
        self.assertOk(result)
        expected = {
            s['name']
            for s in servers('live')
            if s['project_id'] == admin_project()
        }
        self.assertEqual(expected, {r['Name'] for r in result.json()})
        self.assertTrue(all(r['Alive'] for r in result.json()))

    def test_exclude_is_ignored_with_include(self):
        web1 = server('web-1')['id']
        result = self.fping('--include', web1, '--exclude', web1)
        self.assertOk(result)
        self.assertEqual([web1], [r['ID'] for r in result.json()])
        self.assertIn(
            'hostctl: --exclude is ignored with --include, as os-fping does',
            result.err,
        )

    def test_tcp_probe_counts_a_refusal_as_an_answer(self):
        self.needs_dead_network()
        result = hostctl(
            'server-fping',
            '--probe-timeout',
            '0.5',
            '--tcp',
            '9',
            '--long',
            '-f',
            'json',
            'web-1',
            'cache-1',
        )
        self.assertEqual(3, result.rc, result.err)
        rows = {r['Name']: r for r in result.json()}
        self.assertEqual(
            (True, 'connection refused', 'TCP port 9'),
            (
                rows['web-1']['Alive'],
                rows['web-1']['Answer'],
                rows['web-1']['Checked'],
            ),
        )
        self.assertEqual(
            (False, 'no answer', '127.0.66.11'),
            (
                rows['cache-1']['Alive'],
                rows['cache-1']['Answer'],
                rows['cache-1']['Address'],
            ),
        )

    def test_monitored_checks_only_marked_servers(self):
        self.needs_dead_network()
        for name in ('web-1', 'cache-1'):
            marked = hostctl('server-monitor', name, '-f', 'json')
            self.addCleanup(hostctl, 'server-monitor', '--unset', name)
            self.assertOk(marked)
            self.assertIs(True, marked.json()['Monitored'])
        result = self.fping('--all-projects', '--monitored')
        self.assertEqual(3, result.rc, result.err)
        self.assertEqual(
            {('web-1', True), ('cache-1', False)},
            {(r['Name'], r['Alive']) for r in result.json()},
        )
        # --exclude applies within the monitored servers.
        result = self.fping(
            '--monitored', '--exclude', server('cache-1')['id']
        )
        self.assertOk(result)
        self.assertEqual(['web-1'], [r['Name'] for r in result.json()])

    def test_monitor_twice_and_unset_twice_say_so(self):
        self.addCleanup(hostctl, 'server-monitor', '--unset', 'db-1')
        self.assertOk(hostctl('server-monitor', 'db-1'))
        again = hostctl('server-monitor', 'db-1', '-f', 'json')
        self.assertOk(again)
        self.assertIs(True, again.json()['Monitored'])
        self.assertEqual(
            'hostctl: db-1 is already monitored; nothing changed\n', again.err
        )
        self.assertOk(hostctl('server-monitor', '--unset', 'db-1'))
        unset = hostctl('server-monitor', '--unset', 'db-1', '-f', 'json')
        self.assertOk(unset)
        self.assertIs(False, unset.json()['Monitored'])
        self.assertEqual(
            'hostctl: db-1 was not monitored; nothing changed\n', unset.err
        )
        nothing = self.fping('--monitored')
        self.assertFails(
            nothing, 4, "no server is tagged 'monitored' in this project"
        )
        self.assertEqual('', nothing.out)

    def test_api_only_says_the_cloud_has_no_fping(self):
        result = self.fping('--no-cache', '--via', 'api', 'web-1')
        self.assertFails(
            result, 6, 'this cloud does not serve os-fping (HTTP 410'
        )
        # Once known (remembered with the version range), it is not asked.
        self.fping('web-1')
        remembered = self.fping('--via', 'api', 'web-1')
        self.assertFails(remembered, 6, 'this cloud does not serve os-fping')

    def test_member_checks_own_project(self):
        result = self.fping(cloud_name='member')
        self.assertOk(result)
        self.assertEqual(
            [s['name'] for s in servers() if s['name'] == 'app-1'],
            [r['Name'] for r in result.json()],
        )

    def test_monitored_needs_2_26(self):
        result = hostctl(
            '--os-compute-api-version', '2.25', 'server-fping', '--monitored'
        )
        self.assertFails(
            result, 6, 'listing servers by tag needs compute API version 2.26'
        )

    def test_os_fping_failing_across_projects_is_asked_once(self):
        # Nova 34 answers os-fping?all_tenants=1 with a 500 (and logs a
        # traceback): asked once per cache lifetime, not on every run.
        env = base.clean_env(
            XDG_CACHE_HOME=self.useFixture(fixtures.TempDir()).path
        )
        first = self.fping('--all-projects', env=env)
        self.assertIn('the os-fping API answered HTTP 500', first.err)
        second = self.fping('--all-projects', env=env)
        self.assertNotIn('os-fping', second.err)
        self.assertEqual(
            {r['ID'] for r in first.json()}, {r['ID'] for r in second.json()}
        )
        api = self.fping('--all-projects', '--via', 'api', env=env)
        self.assertFails(
            api, 6, 'this cloud does not serve os-fping across projects'
        )
        self.assertNotIn('try again later', api.err)

    def test_what_cannot_be_found_is_not_a_false_alarm(self):
        unknown = server('web-1')['id'][:-4] + 'ffff'
        # --via probe: what the selection finds is the point, not whether
        # os-fping's absence is cached yet (it prints a line when it is not).
        include = self.fping(
            '--via',
            'probe',
            '--all-projects',
            '--include',
            f'{server("web-1")["id"]},{unknown}',
        )
        self.assertFails(include, 4, f'--include: no server with ID {unknown}')
        # It names the servers that do exist: a few, and how many more.
        listed = include.err.split('there are: ', 1)[1].strip()
        names, _, more = listed.partition(' and ')
        shown = [n.split(' (')[0] for n in names.split(', ')]
        seeded = {s['name'] for s in base.cloud()['servers']}
        self.assertLessEqual(set(shown), seeded, listed)
        extra = int(more.split()[0]) if more else 0
        self.assertEqual(len(seeded), len(shown) + extra, listed)
        network = self.fping(
            '--via', 'probe', '--all-projects', '--network', 'nosuch'
        )
        self.assertFails(
            network, 4, "no server checked has an address on network 'nosuch'"
        )
        self.assertIn('live', network.err)
        self.assertEqual('', include.out + network.out)

    def test_a_probe_timeout_of_its_own(self):
        self.needs_dead_network()
        # A long --timeout for the API leaves the probes at one second:
        # the silent server costs about that, not 30 s.
        started = time.monotonic()
        result = hostctl('--timeout', '30', 'server-fping', 'cache-1')
        self.assertEqual(3, result.rc, result.err)
        self.assertLess(time.monotonic() - started, 15)
        bad = self.fping('--probe-timeout', 'nan')
        self.assertFails(bad, 2, 'invalid duration')

    def test_bad_input(self):
        self.assertFails(self.fping('--include', 'web-1'), 2, 'server IDs')
        self.assertFails(self.fping('--exclude', ','), 2, 'empty server ID')
        self.assertFails(self.fping('web-1', '--monitored'), 2, 'not both')
        self.assertFails(self.fping('no-such-server'), 4, 'no server named')
        bad_port = self.fping('--tcp', '70000')
        self.assertEqual(2, bad_port.rc)
        self.assertIn('invalid port', bad_port.err)
        self.assertNotIn('Traceback', bad_port.err)
