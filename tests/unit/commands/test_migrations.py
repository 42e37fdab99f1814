"""migration-list, in-process: filters sent, columns, names resolved."""

import json

from hostctl.exceptions import ExitCode
from tests.unit import cli
from tests.unit import fakes
from tests.unit.v2_1.test_migrations import INSTANCE, URL, migration
from tests.unit.v2_1.test_servers import URL as SERVERS_URL
from tests.unit.v2_1.test_servers import server

HEADERS = [
    'ID',
    'UUID',
    'Server ID',
    'Type',
    'Status',
    'Source Host',
    'Dest Host',
    'Created At',
    'Updated At',
]


class MigrationListTest(cli.TestCase):
    def setUp(self):
        super().setUp()
        self.compute = self.useFixture(fakes.ComputeFixture())

    def hostctl(self, *argv):
        return cli.run_cli([*cli.TOKEN_ARGS, 'migration-list', *argv])

    def queries(self):
        return [(r.path, r.query) for r in self.compute.api_requests()]

    def test_columns_and_filters(self):
        self.compute.mock.get(URL, json={'migrations': [migration(1)]})
        rc, out, err = self.hostctl(
            '--host',
            'compute1',
            '--type',
            'evacuation',
            '--status',
            'done',
            '--since',
            '2026-12-01T06:00:00+01:00',
            '-f',
            'json',
        )
        self.assertEqual((0, ''), (rc, err))
        (row,) = json.loads(out)
        self.assertEqual(HEADERS, list(row))
        self.assertEqual(
            {
                'ID': 1,
                'UUID': migration(1)['uuid'],
                'Server ID': INSTANCE,
                'Type': 'evacuation',
                'Status': 'done',
                'Source Host': 'compute1',
                'Dest Host': 'compute2',
                'Created At': '2026-12-01T05:00:00.000000',
                'Updated At': '2026-12-01T05:00:09.000000',
            },
            row,
        )
        self.assertEqual(
            [
                # The host named exactly first: compute1 is a service host.
                ('/v2.1/os-services', ''),
                (
                    '/v2.1/os-migrations',
                    'host=compute1&migration_type=evacuation&status=done'
                    '&changes-since=2026-12-01T05%3A00%3A00Z',
                ),
            ],
            self.queries(),
        )

    def test_long_adds_nodes_project_user(self):
        self.compute.mock.get(URL, json={'migrations': [migration(1)]})
        rc, out, _ = self.hostctl('--long', '-f', 'json')
        (row,) = json.loads(out)
        self.assertEqual(
            HEADERS + ['Source Node', 'Dest Node', 'Project', 'User'],
            list(row),
        )
        self.assertEqual(('p1', 'u1'), (row['Project'], row['User']))

    def test_server_by_name_is_looked_up_once(self):
        self.compute.mock.get(
            SERVERS_URL, json={'servers': [server(1, 'web-1')]}
        )
        self.compute.mock.get(URL, json={'migrations': []})
        rc, _, err = self.hostctl('--server', 'web-1')
        self.assertEqual((0, ''), (rc, err))
        self.assertEqual(
            [
                ('/v2.1/servers/detail', 'all_tenants=1&name=%5Eweb%5C-1%24'),
                (
                    '/v2.1/os-migrations',
                    'instance_uuid=' + server(1, 'x')['id'],
                ),
            ],
            self.queries(),
        )

    def test_server_id_is_taken_as_it_is(self):
        # A deleted server has migrations too: no lookup of the ID.
        self.compute.mock.get(URL, json={'migrations': [migration(1)]})
        rc, _, _ = self.hostctl('--server', INSTANCE)
        self.assertEqual(
            [('/v2.1/os-migrations', 'instance_uuid=' + INSTANCE)],
            self.queries(),
        )

    def test_since_before_2_59_is_refused(self):
        rc, _, err = cli.run_cli(
            [
                *cli.TOKEN_ARGS,
                '--os-compute-api-version',
                '2.58',
                'migration-list',
                '--since',
                '1h',
            ]
        )
        self.assertEqual(ExitCode.UNSUPPORTED, rc)
        self.assertEqual(
            'hostctl: listing migrations changed since a time needs compute '
            'API version 2.59 or later, but 2.58 was asked for with '
            '--os-compute-api-version\n',
            err,
        )
        self.assertEqual([], self.queries())

    def test_bad_since_and_type(self):
        for argv, words in (
            (['--since', 'yesterday'], "invalid time 'yesterday'"),
            (['--since', '5w'], "invalid time '5w'"),
            (['--type', 'cold'], "invalid choice: 'cold'"),
        ):
            rc, _, err = self.hostctl(*argv)
            self.assertEqual(ExitCode.USAGE, rc, err)
            self.assertIn(words, err)
            self.assertEqual(1, len(err.splitlines()))
