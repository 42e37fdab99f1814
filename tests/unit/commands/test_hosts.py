"""host-show, host-down and host-up, run in-process against a fake Nova."""

import datetime
import json

import fixtures

from tests.unit import cli
from tests.unit.v2_1 import test_fencing
from tests.unit.v2_1 import test_hosts

NOW = datetime.datetime(2026, 11, 23, 10, 0, 12, tzinfo=datetime.UTC)
MARKER = 'hostctl host-down 2026-12-01T10:00:00Z'


class HostCommandTest(cli.TestCase):
    def setUp(self):
        super().setUp()
        self.cloud = self.useFixture(
            test_fencing.Cloud(
                [
                    ('compute1', 'compute1.example.org'),
                    ('compute10', 'compute10.example.org'),
                ],
                servers={
                    'compute1': [
                        test_hosts.server_json(
                            1, 'compute1', 'compute1.example.org'
                        )
                    ]
                },
            )
        )
        self.useFixture(
            fixtures.MockPatch('hostctl.v2_1.services._now', return_value=NOW)
        )
        self.clock = self.useFixture(test_fencing.FakeClock())

    def hostctl(self, *argv):
        return cli.run_cli([*cli.TOKEN_ARGS, *argv])

    def test_host_show_json_is_the_whole_document(self):
        rc, out, err = self.hostctl('host-show', 'compute1', '-f', 'json')
        self.assertEqual((0, ''), (rc, err))
        shown = json.loads(out)
        self.assertEqual(
            {
                'Host': 'compute1',
                'Verdict': 'up',
                'Reason': 'nova-compute reported 11 s ago',
                'Services': [
                    {
                        'ID': 'a1b2c3d4-0000-4000-8000-000000000010',
                        'Binary': 'nova-compute',
                        'Status': 'enabled',
                        'State': 'up',
                        'Forced Down': False,
                        'Disabled Reason': None,
                        'Updated At': '2026-11-23T10:00:01',
                        'Last Report': '11 s ago',
                    }
                ],
                'Hypervisors': [
                    {
                        'ID': '1bb62a04-c576-402c-8147-000000000020',
                        'Hypervisor Hostname': 'compute1.example.org',
                        'State': 'up',
                        'Status': 'enabled',
                        'Hypervisor Type': 'fake',
                        'Servers': 1,
                    }
                ],
                'Servers': [
                    {
                        'ID': '9f3a6a2e-5b1c-4d6e-8f70-000000000001',
                        'Name': 'vm-1',
                        'Status': 'ACTIVE',
                        'Host Status': 'UP',
                        'Project': 'p1',
                    }
                ],
            },
            shown,
        )

    def test_host_show_table(self):
        rc, out, err = self.hostctl('host-show', 'compute10')
        self.assertEqual((0, ''), (rc, err))
        lines = out.splitlines()
        self.assertIn('| Host        | compute10 ', lines[3])
        self.assertIn('| Verdict     | up ', lines[4])
        # A host with no servers says so in its nested table.
        self.assertIn('| Servers     | (none) ', out)

    def test_nested_tables_are_json_in_value_and_shell(self):
        rc, out, err = self.hostctl(
            'host-show', 'compute1', '-f', 'value', '-c', 'Servers'
        )
        self.assertEqual((0, ''), (rc, err))
        (server,) = json.loads(out)
        self.assertEqual('vm-1', server['Name'])
        rc, out, err = self.hostctl(
            'host-show', 'compute10', '-f', 'shell', '-c', 'Servers'
        )
        self.assertEqual((0, 'servers="[]"\n', ''), (rc, out, err))

    def test_a_host_that_does_not_exist_is_exit_4_naming_the_hosts(self):
        for name in ('compute', 'compute9', 'ompute1'):
            rc, out, err = self.hostctl('host-show', name)
            self.assertEqual(4, rc)
            self.assertEqual('', out)
            self.assertEqual(
                f"hostctl: no host '{name}'; hosts: compute1, compute10, "
                'controller\n',
                err,
            )

    def test_an_empty_host_is_a_usage_error(self):
        for command in ('host-show', 'host-down', 'host-up'):
            rc, out, err = self.hostctl(command, ' ')
            self.assertEqual(2, rc, err)
            self.assertEqual(1, len(err.splitlines()), err)
        self.assertEqual([], self.cloud.api_requests())

    def test_host_down_then_again(self):
        rc, out, err = self.hostctl(
            'host-down', 'compute1', '--reason', 'dead', '-f', 'json'
        )
        self.assertEqual(0, rc, err)
        shown = json.loads(out)
        self.assertEqual('fenced', shown['Verdict'])
        self.assertEqual(
            [
                {'Action': 'force down', 'Result': 'done', 'Detail': ''},
                {
                    'Action': 'disable',
                    'Result': 'done',
                    'Detail': MARKER + ': dead',
                },
            ],
            shown['Actions'],
        )
        self.assertEqual(
            'hostctl: compute1: force down: done\n'
            f'hostctl: compute1: disable: done ({MARKER}: dead)\n',
            err,
        )
        rc, out, err = self.hostctl('host-down', 'compute1', '-f', 'json')
        self.assertEqual(0, rc, err)
        self.assertEqual(
            'hostctl: compute1: nothing changed\n'
            'hostctl: compute1: force down: nothing to do\n'
            'hostctl: compute1: disable: nothing to do (already disabled: '
            f'{MARKER}: dead)\n',
            err,
        )
        self.assertEqual(2, len(self.cloud.puts()))

    def test_host_down_partial_is_exit_8(self):
        self.cloud.fail_disable = True
        rc, out, err = self.hostctl('host-down', 'compute1')
        self.assertEqual(8, rc)
        self.assertEqual('', out)
        self.assertEqual(1, len(err.splitlines()), err)
        self.assertIn('it is forced down and still enabled', err)

    def test_host_down_needs_2_11(self):
        rc, _, err = self.hostctl(
            '--os-compute-api-version', '2.10', 'host-down', 'compute1'
        )
        self.assertEqual(6, rc, err)
        self.assertIn('needs compute API version 2.11 or later', err)

    def test_host_up_round_trip(self):
        self.assertEqual(0, self.hostctl('-q', 'host-down', 'compute1')[0])
        rc, out, err = self.hostctl('host-up', 'compute1', '-f', 'json')
        self.assertEqual(0, rc, err)
        shown = json.loads(out)
        self.assertEqual('up', shown['Verdict'])
        self.assertEqual(
            ['clear forced down', 'wait for up', 'enable'],
            [a['Action'] for a in shown['Actions']],
        )
        self.assertEqual(
            [
                {'forced_down': True},
                {'status': 'disabled', 'disabled_reason': MARKER},
                {'forced_down': False},
                {'status': 'enabled'},
            ],
            [body for _, body in self.cloud.puts()],
        )

    def test_host_up_timeout_is_exit_8(self):
        self.hostctl('-q', 'host-down', 'compute1')
        self.cloud.reporting.discard('compute1')
        rc, out, err = self.hostctl('host-up', 'compute1', '--timeout', '5')
        self.assertEqual(8, rc)
        self.assertEqual('', out)
        self.assertIn('did not report up within 5 s; it stays disabled', err)
        self.assertEqual(5.0, sum(self.clock.slept))

    def test_host_up_refused_for_evacuations_is_exit_9(self):
        self.hostctl('-q', 'host-down', 'compute1')
        self.cloud.refuse_unset = True
        rc, out, err = self.hostctl('host-up', 'compute1')
        self.assertEqual(9, rc)
        self.assertEqual(1, len(err.splitlines()), err)
        self.assertIn('Restart nova-compute on compute1 first', err)

    def test_bad_timeouts_are_usage_errors(self):
        for value in ('-1', 'nan', 'inf', 'soon', '1e9'):
            rc, out, err = self.hostctl(
                'host-up', 'compute1', '--timeout', value
            )
            self.assertEqual(2, rc, err)
            self.assertIn('invalid duration', err)
        self.assertEqual([], self.cloud.api_requests())
