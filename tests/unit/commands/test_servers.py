"""server-list / server-show and hypervisor commands, in-process."""

import json

from tests.unit import cli
from tests.unit import fakes
from tests.unit.v2_1.test_hypervisors import detail
from tests.unit.v2_1.test_servers import URL, server

ON_COMPUTE2 = {'OS-EXT-SRV-ATTR:host': 'compute2'}

LIST_HEADERS = [
    'ID',
    'Name',
    'Status',
    'Task State',
    'Power State',
    'Networks',
    'Host Status',
]


class ServerCommandTest(cli.TestCase):
    def setUp(self):
        super().setUp()
        self.compute = self.useFixture(fakes.ComputeFixture())

    def hostctl(self, *argv):
        return cli.run_cli([*cli.TOKEN_ARGS, *argv])

    def test_list_json(self):
        self.compute.mock.get(
            URL,
            json={
                'servers': [
                    server(1, 'web-1', 'DOWN', **ON_COMPUTE2),
                    server(2, 'db-1', '', addresses={}, **ON_COMPUTE2),
                ]
            },
        )
        rc, out, err = self.hostctl(
            'server-list', '--all-projects', '--host', 'compute2', '-f', 'json'
        )
        self.assertEqual((0, ''), (rc, err))
        rows = json.loads(out)
        self.assertEqual(LIST_HEADERS, list(rows[0]))
        self.assertEqual(
            {
                'ID': server(1, 'x')['id'],
                'Name': 'web-1',
                'Status': 'ACTIVE',
                'Task State': None,
                'Power State': 'Running',
                'Networks': {'private': ['127.0.10.1']},
                'Host Status': 'DOWN',
            },
            rows[0],
        )
        self.assertEqual('', rows[1]['Host Status'])

    def test_list_on_a_host_that_does_not_exist_is_exit_4(self):
        self.compute.mock.get(URL, json={'servers': []})
        for name in ('compute9', 'compute', 'ompute1', 'compute1.example'):
            rc, out, err = self.hostctl(
                'server-list', '--all-projects', '--host', name
            )
            self.assertEqual(4, rc, err)
            self.assertEqual('', out)
            self.assertEqual(
                f"hostctl: no host '{name}'; hosts: compute1, compute2, "
                'controller\n',
                err,
            )
        # Only the lookups: no listing of servers went out.
        self.assertNotIn(
            '/v2.1/servers/detail',
            [r.path for r in self.compute.api_requests()],
        )

    def test_list_on_a_host_is_exact_whatever_the_filter_did(self):
        self.compute.mock.get(
            URL,
            json={
                'servers': [
                    server(1, 'web-1', **ON_COMPUTE2),
                    server(
                        2, 'web-2', **{'OS-EXT-SRV-ATTR:host': 'compute20'}
                    ),
                ]
            },
        )
        rc, out, err = self.hostctl(
            'server-list',
            '--all-projects',
            '--host',
            'compute2',
            '-f',
            'value',
            '-c',
            'Name',
        )
        self.assertEqual((0, 'web-1\n', ''), (rc, out, err))

    def test_list_long_and_table(self):
        self.compute.mock.get(URL, json={'servers': [server(1, 'web-1')]})
        rc, out, _ = self.hostctl('server-list', '--long', '--max-width', '0')
        self.assertEqual(0, rc)
        header, row = out.splitlines()[1], out.splitlines()[3]
        self.assertEqual(
            [
                'ID',
                'Name',
                'Status',
                'Task State',
                'Power State',
                'Networks',
                'Host Status',
                'Host',
                'Project',
                'Project Name',
                'Created',
            ],
            [c.strip() for c in header.strip('|').split('|')],
        )
        self.assertEqual(
            ['private=127.0.10.1', 'UP', 'compute1', 'p1'],
            [c.strip() for c in row.strip('|').split('|')][5:9],
        )

    def test_hidden_host_status_is_one_note_not_one_per_row(self):
        self.compute.mock.get(
            URL, json={'servers': [server(1, 'a', None), server(2, 'b', None)]}
        )
        rc, out, err = self.hostctl('server-list', '-f', 'json')
        self.assertEqual(0, rc)
        self.assertEqual(
            [None, None], [r['Host Status'] for r in json.loads(out)]
        )
        self.assertEqual(1, len(err.splitlines()))
        self.assertIn('Host Status is empty', err)

    def test_bad_limit_is_usage(self):
        rc, _, err = self.hostctl('server-list', '--limit', '0')
        self.assertEqual(2, rc)
        self.assertIn("invalid count '0'", err)

    def test_show_has_host_status_and_every_field(self):
        uuid = server(1, 'a')['id']
        self.compute.mock.get(
            fakes.COMPUTE_URL + '/servers/' + uuid,
            json={
                'server': server(
                    1, 'a', 'UNKNOWN', flavor={'vcpus': 1}, key_name=None
                )
            },
        )
        rc, out, err = self.hostctl('server-show', uuid, '-f', 'json')
        self.assertEqual((0, ''), (rc, err))
        shown = json.loads(out)
        self.assertEqual('UNKNOWN', shown['Host Status'])
        self.assertEqual({'vcpus': 1}, shown['flavor'])
        self.assertIn('key_name', shown)
        # Shown once, under its header, not again under Nova's key.
        self.assertNotIn('OS-EXT-SRV-ATTR:host', shown)
        self.assertEqual('compute1', shown['Host'])

    def test_show_ambiguous_name_exit_2(self):
        self.compute.mock.get(
            URL, json={'servers': [server(1, 'web'), server(2, 'web')]}
        )
        rc, out, err = self.hostctl('server-show', 'web')
        self.assertEqual((2, ''), (rc, out))
        self.assertIn("2 servers are named 'web'", err)


class HypervisorCommandTest(cli.TestCase):
    def setUp(self):
        super().setUp()
        self.compute = self.useFixture(fakes.ComputeFixture())

    def test_list_has_state_and_status(self):
        self.compute.mock.get(
            fakes.COMPUTE_URL + '/os-hypervisors',
            json={'hypervisors': [detail((2, 104), 1, 'compute1')]},
        )
        rc, out, _ = cli.run_cli(
            [*cli.TOKEN_ARGS, 'hypervisor-list', '-f', 'json']
        )
        self.assertEqual(0, rc)
        (row,) = json.loads(out)
        self.assertEqual(
            ['ID', 'Hypervisor Hostname', 'State', 'Status'], list(row)
        )

    def test_long_list_keeps_usage_columns_empty_from_2_88(self):
        self.compute.mock.get(
            fakes.COMPUTE_URL + '/os-hypervisors/detail',
            json={'hypervisors': [detail((2, 104), 1, 'compute1')]},
        )
        rc, out, _ = cli.run_cli(
            [*cli.TOKEN_ARGS, 'hypervisor-list', '--long', '-f', 'json']
        )
        self.assertEqual(0, rc)
        (row,) = json.loads(out)
        self.assertIsNone(row['vCPUs'])
        self.assertEqual('fake', row['Hypervisor Type'])

    def test_show_has_the_service(self):
        self.compute.mock.get(
            fakes.COMPUTE_URL + '/os-hypervisors/detail',
            json={'hypervisors': [detail((2, 104), 1, 'compute1')]},
        )
        rc, out, _ = cli.run_cli(
            [*cli.TOKEN_ARGS, 'hypervisor-show', 'compute1', '-f', 'json']
        )
        self.assertEqual(0, rc)
        shown = json.loads(out)
        self.assertEqual(
            ('compute1', 11, None, 'up', 'enabled'),
            (
                shown['Service Host'],
                shown['Service ID'],
                shown['Service Disabled Reason'],
                shown['State'],
                shown['Status'],
            ),
        )
        self.assertEqual(' 10:00:00 up 1 day', shown['Uptime'])
        self.assertNotIn('service', shown)

    def test_show_fields_are_fixed_and_titled_at_every_version(self):
        # The same titled fields on either side of 2.87/2.88; what the API
        # no longer gives is empty. Below 2.88 uptime has its own request.
        headers = set()
        for high, uptime_asked in (('2.87', True), ('2.88', False)):
            compute = self.useFixture(fakes.ComputeFixture(high=high))
            version = (2, int(high.split('.')[1]))
            body = detail(version, 1, 'compute1')
            url = fakes.COMPUTE_URL + '/os-hypervisors/' + body['id']
            compute.mock.get(url, json={'hypervisor': body})
            uptime = compute.mock.get(
                url + '/uptime',
                json={
                    'hypervisor': {'id': body['id'], 'uptime': ' up 2 days'}
                },
            )
            rc, out, err = cli.run_cli(
                [*cli.TOKEN_ARGS, 'hypervisor-show', body['id'], '-f', 'json']
            )
            self.assertEqual((0, ''), (rc, err))
            shown = json.loads(out)
            headers.add(tuple(shown))
            for key in shown:
                # Titles, not the API's raw keys.
                self.assertNotIn('_', key)
                self.assertNotEqual(key.lower(), key)
            self.assertEqual(uptime_asked, uptime.called, high)
            if uptime_asked:
                self.assertEqual(
                    (8, 100, ' up 2 days'),
                    (shown['vCPUs'], shown['Local GB'], shown['Uptime']),
                )
            else:
                self.assertEqual(
                    (None, None, ' 10:00:00 up 1 day'),
                    (shown['vCPUs'], shown['Local GB'], shown['Uptime']),
                )
        self.assertEqual(1, len(headers), headers)

    def test_show_uptime_nova_cannot_tell_is_empty(self):
        compute = self.useFixture(fakes.ComputeFixture(high='2.60'))
        body = detail((2, 60), 1, 'compute1')
        url = fakes.COMPUTE_URL + '/os-hypervisors/' + body['id']
        compute.mock.get(url, json={'hypervisor': body})
        # 501: the driver cannot tell; 400: the host's service is down.
        for status in (501, 400):
            compute.mock.get(
                url + '/uptime',
                status_code=status,
                json={'fault': {'code': status, 'message': 'Cannot.'}},
            )
            rc, out, err = cli.run_cli(
                [*cli.TOKEN_ARGS, 'hypervisor-show', body['id'], '-f', 'json']
            )
            self.assertEqual((0, ''), (rc, err))
            self.assertIsNone(json.loads(out)['Uptime'])
