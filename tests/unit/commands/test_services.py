"""The service commands, run in-process against a requests-mock cloud."""

import datetime
import json

import fixtures

from tests.unit import cli
from tests.unit import fakes

HEADERS = [
    'ID',
    'Binary',
    'Host',
    'Zone',
    'Status',
    'State',
    'Forced Down',
    'Disabled Reason',
    'Updated At',
    'Last Report',
]

NOW = datetime.datetime(2026, 11, 23, 10, 0, 12, tzinfo=datetime.UTC)


class ServiceCommandTest(cli.TestCase):
    def setUp(self):
        super().setUp()
        self.compute = self.useFixture(fakes.ComputeFixture('2.1', '2.104'))
        self.now = self.useFixture(
            fixtures.MockPatch('hostctl.v2_1.services._now', return_value=NOW)
        ).mock

    def hostctl(self, *argv):
        return cli.run_cli([*cli.TOKEN_ARGS, *argv])

    def test_service_list_json(self):
        rc, out, err = self.hostctl('service-list', '-f', 'json')
        self.assertEqual((0, ''), (rc, err))
        listed = json.loads(out)
        self.assertEqual(3, len(listed))
        self.assertEqual(HEADERS, list(listed[1]))
        self.assertEqual(
            {
                'ID': 'a1b2c3d4-0000-4000-8000-000000000008',
                'Binary': 'nova-compute',
                'Host': 'compute2',
                'Zone': 'nova',
                'Status': 'disabled',
                'State': 'down',
                'Forced Down': True,
                'Disabled Reason': 'fenced by the fault manager',
                'Updated At': '2026-11-23T10:00:02.000000',
                'Last Report': '10 s ago',
            },
            listed[2],
        )

    def test_service_list_marks_an_up_whose_report_is_stale(self):
        # compute1 is up and last reported 10:00:01; a minute is allowed.
        for now, text in (('10:01:01', '60 s ago'), ('10:01:02', '61 s ago')):
            self.now.return_value = datetime.datetime.fromisoformat(
                f'2026-11-23T{now}+00:00'
            )
            rc, out, err = self.hostctl(
                'service-list',
                '--host',
                'compute1',
                '-f',
                'value',
                '-c',
                'State',
                '-c',
                'Last Report',
            )
            self.assertEqual(0, rc, err)
            if text == '61 s ago':
                text += ' (stale)'
            self.assertEqual(f'up {text}\n', out)

    def test_service_list_filters_are_sent(self):
        rc, out, _ = self.hostctl(
            'service-list',
            '--host',
            'compute1',
            '--binary',
            'nova-compute',
            '-f',
            'value',
            '-c',
            'Host',
            '-c',
            'State',
        )
        self.assertEqual((0, 'compute1 up\n'), (rc, out))
        # One listing of every service: the host is matched here, exactly.
        self.assertEqual(
            ['/v2.1/os-services'],
            [r.path + r.query for r in self.compute.api_requests()],
        )

    def test_service_list_keeps_columns_on_old_clouds(self):
        self.useFixture(fakes.ComputeFixture('2.1', '2.10'))
        rc, out, _ = self.hostctl('service-list', '-f', 'json')
        self.assertEqual(0, rc)
        rows = json.loads(out)
        self.assertEqual(HEADERS, list(rows[1]))
        # Forced Down is null, not false, where the API has no such field.
        self.assertIsNone(rows[1]['Forced Down'])
        rc, out, _ = self.hostctl('service-list', '--max-width', '0')
        cells = [c.strip() for c in out.splitlines()[4].strip('|').split('|')]
        self.assertEqual(
            ['compute1', 'nova', 'enabled', 'up', '', ''], cells[2:8]
        )

    def test_absent_values_are_blank_in_csv_value_and_shell(self):
        # Below 2.11 there is no forced_down; compute1 has no disabled
        # reason either. Neither may print as "None".
        self.useFixture(fakes.ComputeFixture('2.1', '2.10'))
        columns = ('-c', 'Host', '-c', 'Forced Down', '-c', 'Disabled Reason')
        rc, out, _ = self.hostctl(
            'service-list', '--host', 'compute1', '-f', 'value', *columns
        )
        self.assertEqual((0, 'compute1  \n'), (rc, out))
        rc, out, _ = self.hostctl(
            'service-list', '--host', 'compute1', '-f', 'csv', *columns
        )
        self.assertEqual(
            (0, '"Host","Forced Down","Disabled Reason"\n"compute1","",""\n'),
            (rc, out),
        )
        rc, out, _ = self.hostctl(
            'service-enable',
            'compute1',
            'nova-compute',
            '-f',
            'shell',
            *columns,
        )
        self.assertEqual(
            (0, 'host="compute1"\nforced_down=""\ndisabled_reason=""\n'),
            (rc, out),
        )

    def test_force_down_shows_the_service_as_it_now_stands(self):
        self.compute.mock.put(
            fakes.COMPUTE_URL
            + '/os-services/a1b2c3d4-0000-4000-8000-000000000007',
            json={
                'service': dict(
                    fakes.service_json(fakes.SERVICES[1], (2, 53)),
                    forced_down=True,
                    state='down',
                )
            },
        )
        rc, out, err = self.hostctl(
            'service-force-down', 'compute1', 'nova-compute', '-f', 'json'
        )
        self.assertEqual((0, ''), (rc, err))
        shown = json.loads(out)
        self.assertIs(True, shown['Forced Down'])
        self.assertEqual('down', shown['State'])
        put = self.compute.api_requests()[-1]
        self.assertEqual({'forced_down': True}, put.json())

    def test_force_down_when_already_down_says_so(self):
        rc, out, err = self.hostctl(
            'service-force-down',
            'compute2',
            'nova-compute',
            '-f',
            'value',
            '-c',
            'Forced Down',
        )
        self.assertEqual(0, rc)
        self.assertEqual('True\n', out)
        self.assertEqual(
            'hostctl: compute2 nova-compute was already forced down; '
            'nothing changed\n',
            err,
        )
        self.assertEqual(
            ['GET'], [r.method for r in self.compute.api_requests()]
        )

    def test_unset_when_not_forced_down_says_so_plainly(self):
        rc, _, err = self.hostctl(
            'service-force-down', '--unset', 'compute1', 'nova-compute'
        )
        self.assertEqual(0, rc)
        self.assertEqual(
            'hostctl: compute1 nova-compute was not forced down; nothing '
            'changed\n',
            err,
        )

    def test_list_of_a_binary_that_does_not_exist_is_not_found(self):
        for argv, said in (
            (
                ['--binary', 'nova-comptue'],
                "no 'nova-comptue' service on any host; binaries: "
                'nova-compute, nova-scheduler',
            ),
            (
                ['--host', 'controller', '--binary', 'nova-compute'],
                "host 'controller' has no 'nova-compute' service; it has: "
                'nova-scheduler',
            ),
        ):
            rc, out, err = self.hostctl('service-list', *argv)
            self.assertEqual((4, '', f'hostctl: {said}\n'), (rc, out, err))

    def test_quiet_silences_the_note(self):
        rc, _, err = self.hostctl(
            '-q', 'service-force-down', 'compute2', 'nova-compute'
        )
        self.assertEqual((0, ''), (rc, err))

    def test_unknown_host_is_one_line_and_exit_4(self):
        rc, out, err = self.hostctl(
            'service-force-down', 'compute9', 'nova-compute'
        )
        self.assertEqual(4, rc)
        self.assertEqual('', out)
        self.assertEqual(
            "hostctl: no host 'compute9'; hosts: compute1, compute2, "
            'controller\n',
            err,
        )

    def test_too_old_cloud_exit_6(self):
        self.useFixture(fakes.ComputeFixture('2.1', '2.10'))
        rc, _, err = self.hostctl(
            'service-force-down', 'compute1', 'nova-compute'
        )
        self.assertEqual(6, rc)
        self.assertEqual(
            'hostctl: forcing a service down needs compute API version 2.11 '
            'or later; this cloud serves 2.1 to 2.10\n',
            err,
        )

    def test_missing_arguments_is_usage_exit_2(self):
        rc, out, err = self.hostctl('service-force-down', 'compute1')
        self.assertEqual(2, rc)
        self.assertIn('the following arguments are required: <binary>', err)

    def test_disable_and_enable_print_the_service(self):
        uuid = 'a1b2c3d4-0000-4000-8000-000000000007'
        disabled = dict(
            fakes.service_json(fakes.SERVICES[1], (2, 53)),
            status='disabled',
            disabled_reason='bad disk',
        )
        self.compute.mock.put(
            fakes.COMPUTE_URL + '/os-services/' + uuid,
            json={'service': disabled},
        )
        rc, out, err = self.hostctl(
            'service-disable',
            '--reason',
            'bad disk',
            'compute1',
            'nova-compute',
            '-f',
            'json',
        )
        self.assertEqual((0, ''), (rc, err))
        self.assertEqual('bad disk', json.loads(out)['Disabled Reason'])
        self.assertEqual(
            {'status': 'disabled', 'disabled_reason': 'bad disk'},
            self.compute.api_requests()[-1].json(),
        )
        rc, out, err = self.hostctl(
            'service-enable', 'compute1', 'nova-compute', '-f', 'json'
        )
        self.assertEqual(0, rc)
        self.assertIn('was already enabled', err)
