"""instance-rpc-ping against a requests-mock Trove."""

import hashlib
import json

import requests

from hostctl.database import instances

from tests.unit import cli
from tests.unit import fakes

DB_URL = 'http://database.example:8779/v1.0/p1'
ARGS = [
    '--os-token',
    'tok',
    '--os-endpoint',
    'http://compute.example:8774/v2.1',
    '--os-database-endpoint',
    DB_URL,
]
IDS = {
    'answering': '0b0e3a52-1111-4b7e-9d3e-000000000001',
    'silent': '0b0e3a52-1111-4b7e-9d3e-000000000002',
    'failing': '0b0e3a52-1111-4b7e-9d3e-000000000003',
}
TIMEOUT = 'Timeout trying to connect to the Guest Agent.'
GUEST_ERROR = 'An error occurred communicating with the guest: boom.'


def instance(kind, project='p1'):
    return {
        'id': IDS[kind],
        'name': f'db-{kind}',
        'status': 'ACTIVE',
        'tenant_id': project,
    }


class RpcPingTest(cli.TestCase):
    def setUp(self):
        super().setUp()
        from requests_mock.contrib import fixture

        self.mock = self.useFixture(fixture.Fixture())
        ping = DB_URL + '/mgmt/instances/{}/rpc_ping'
        self.mock.get(ping.format(IDS['answering']), status_code=204)
        self.mock.get(
            ping.format(IDS['silent']),
            status_code=400,
            json={'badRequest': {'code': 400, 'message': TIMEOUT}},
        )
        self.mock.get(
            ping.format(IDS['failing']),
            status_code=400,
            json={'badRequest': {'code': 400, 'message': GUEST_ERROR}},
        )
        self.listing = self.mock.get(
            DB_URL + '/mgmt/instances',
            [
                {
                    'json': {
                        'instances': [
                            instance('answering'),
                            instance('silent'),
                        ],
                        'links': [
                            {
                                'rel': 'next',
                                'href': 'https://internal/v1.0/p1/mgmt/instances'
                                '?limit=2&marker=' + IDS['silent'],
                            }
                        ],
                    }
                },
                {
                    'json': {
                        'instances': [instance('failing', 'p2')],
                        'links': [],
                    }
                },
            ],
        )

    def ping(self, *argv):
        rc, out, err = cli.run_cli(
            [*ARGS, 'instance-rpc-ping', *argv, '-f', 'json']
        )
        return rc, (json.loads(out) if out else None), err

    def test_answering_guest_by_id_is_one_request(self):
        rc, rows, err = self.ping(IDS['answering'])
        self.assertEqual((0, ''), (rc, err))
        self.assertEqual(
            ['ID', 'Name', 'Alive', 'Time (ms)', 'Error'], list(rows[0])
        )
        self.assertEqual(
            (IDS['answering'], True, None),
            (rows[0]['ID'], rows[0]['Alive'], rows[0]['Error']),
        )
        self.assertIsInstance(rows[0]['Time (ms)'], float)
        self.assertEqual(1, self.mock.call_count)

    def test_all_pages_every_project_and_trove_messages_verbatim(self):
        rc, rows, err = self.ping('--all')
        self.assertEqual(3, rc)
        self.assertEqual('hostctl: 2 of 3 guests not alive\n', err)
        self.assertEqual(
            [
                ('db-answering', True, None),
                ('db-silent', False, TIMEOUT),
                ('db-failing', False, GUEST_ERROR),
            ],
            [(r['Name'], r['Alive'], r['Error']) for r in rows],
        )
        # Live instances, cluster members too (Trove's listing leaves out
        # neither deleted ones nor members unless told); the second page
        # asked of our endpoint, by marker.
        self.assertEqual(
            [
                'deleted=false&include_clustered=true',
                'deleted=false&include_clustered=true&marker=' + IDS['silent'],
            ],
            [r.query for r in self.listing.request_history],
        )
        self.assertEqual(
            'database.example', self.listing.request_history[1].hostname
        )

    def test_names_are_resolved_with_one_listing(self):
        rc, rows, _ = self.ping('db-answering', 'db-failing')
        self.assertEqual(3, rc)
        self.assertEqual(
            [IDS['answering'], IDS['failing']], [r['ID'] for r in rows]
        )

    def test_an_instance_named_twice_is_pinged_once(self):
        for argv in (
            [IDS['answering'], IDS['answering']],
            ['db-answering', IDS['answering'], 'db-answering'],
        ):
            before = len(self.mock.request_history)
            rc, rows, err = self.ping(*argv)
            self.assertEqual((0, ''), (rc, err))
            self.assertEqual([IDS['answering']], [r['ID'] for r in rows])
            pings = [
                r
                for r in self.mock.request_history[before:]
                if 'rpc_ping' in r.path
            ]
            self.assertEqual(1, len(pings), argv)

    def test_ambiguous_name_lists_matches(self):
        self.mock.get(
            DB_URL + '/mgmt/instances',
            json={
                'instances': [
                    instance('answering'),
                    dict(instance('silent'), name='db-answering'),
                ]
            },
        )
        rc, rows, err = self.ping('db-answering')
        self.assertEqual(2, rc)
        self.assertIn("2 database instances are named 'db-answering'", err)

    def test_unknown_name_and_unknown_id(self):
        rc, _, err = self.ping('db-nope')
        self.assertEqual(4, rc)
        self.assertEqual(
            "hostctl: no database instance named or with ID 'db-nope'\n", err
        )
        unknown = '0b0e3a52-1111-4b7e-9d3e-00000000ffff'
        self.mock.get(
            DB_URL + f'/mgmt/instances/{unknown}/rpc_ping',
            status_code=404,
            json={'itemNotFound': {'code': 404, 'message': 'not found'}},
        )
        rc, rows, err = self.ping(unknown)
        self.assertEqual(4, rc)
        self.assertIsNone(rows[0]['Alive'])
        self.assertIn('no database instance with ID', rows[0]['Error'])

    def test_non_admin_gets_the_auth_code_and_a_plain_message(self):
        self.mock.get(
            DB_URL + '/mgmt/instances',
            status_code=401,
            json={
                'unauthorized': {
                    'code': 401,
                    'message': 'User does not have admin privileges.',
                }
            },
        )
        rc, rows, err = self.ping('--all')
        self.assertEqual(5, rc)
        self.assertIsNone(rows)
        self.assertIn('need the admin role', err)
        self.assertIn('User does not have admin privileges.', err)
        self.assertEqual(1, len(err.splitlines()))

    def test_server_error_on_one_guest_is_partial(self):
        self.mock.get(
            DB_URL + f'/mgmt/instances/{IDS["silent"]}/rpc_ping',
            status_code=503,
            text='busy',
        )
        rc, rows, err = self.ping(IDS['answering'], IDS['silent'])
        self.assertEqual(8, rc)
        self.assertEqual([True, None], [r['Alive'] for r in rows])
        self.assertIn('HTTP 503', rows[1]['Error'])
        self.assertEqual('hostctl: 1 of 2 guests could not be checked\n', err)

    def test_unreachable_api_for_every_guest_is_server_code(self):
        self.mock.get(
            DB_URL + f'/mgmt/instances/{IDS["answering"]}/rpc_ping',
            exc=requests.exceptions.ConnectTimeout,
        )
        rc, rows, _ = self.ping(IDS['answering'])
        self.assertEqual(7, rc)
        self.assertIn(
            f'could not connect to {DB_URL}/mgmt/instances/'
            f'{IDS["answering"]}/rpc_ping within --timeout',
            rows[0]['Error'],
        )

    def test_names_or_all_is_required(self):
        rc, _, err = self.ping()
        self.assertEqual(2, rc)
        self.assertIn('give instance names or IDs, --all, or --host', err)
        for argv in (['--all', '--host', 'compute1'], ['x', '--host', 'h']):
            rc, _, err = self.ping(*argv)
            self.assertEqual(2, rc, argv)
            self.assertIn('(one of them)', err)


class RunsOnTest(cli.TestCase):
    def instance(self, host, project='p1'):
        return instances.Instance(
            id='i1',
            tenant_id=project,
            server={'id': 's1', 'tenant_id': project, 'host': host},
        )

    def test_host_name_or_hostid_compared_exactly(self):
        hashed = hashlib.sha224(b'p1compute1').hexdigest()
        self.assertIs(True, self.instance('compute1').runs_on('compute1'))
        self.assertIs(True, self.instance(hashed).runs_on('compute1'))
        for other in ('compute10', 'compute', 'ompute1', 'Compute1'):
            self.assertIs(False, self.instance('compute1').runs_on(other))
            self.assertIs(False, self.instance(hashed).runs_on(other))
        # Another project's server on the same host has another hostId.
        self.assertIs(False, self.instance(hashed, 'p2').runs_on('compute1'))
        self.assertIsNone(instances.Instance(id='i2').runs_on('compute1'))


class RpcPingHostTest(cli.TestCase):
    """--host: the guests whose server runs on one compute host."""

    def setUp(self):
        super().setUp()
        self.compute = self.useFixture(fakes.ComputeFixture())
        mock = self.compute.mock
        hashed = hashlib.sha224(b'p2compute1').hexdigest()

        def guest(kind, project, host):
            data = instance(kind, project)
            data['server'] = (
                None
                if host is None
                else {'id': f's-{kind}', 'tenant_id': project, 'host': host}
            )
            return data

        self.listing = mock.get(
            DB_URL + '/mgmt/instances',
            json={
                'instances': [
                    guest('answering', 'p1', 'compute1'),
                    guest('silent', 'p2', hashed),
                    guest('failing', 'p1', 'compute2'),
                    dict(guest('failing', 'p1', None), id='gone', name='x'),
                ],
                'links': [],
            },
        )
        ping = DB_URL + '/mgmt/instances/{}/rpc_ping'
        self.pings = {
            kind: mock.get(ping.format(IDS[kind]), status_code=204)
            for kind in IDS
        }

    def test_only_the_hosts_guests_by_name_or_hostid(self):
        rc, out, err = cli.run_cli(
            [*ARGS, 'instance-rpc-ping', '--host', 'compute1', '-f', 'json']
        )
        self.assertEqual(0, rc, err)
        self.assertEqual(
            [IDS['answering'], IDS['silent']],
            [r['ID'] for r in json.loads(out)],
        )
        self.assertEqual(
            'hostctl: 1 database instances have no server Trove can place '
            'on a host, and are not checked: x\n',
            err,
        )
        self.assertFalse(self.pings['failing'].called)

    def test_a_host_with_no_guest_is_not_found(self):
        # Nothing to check is not "every guest answered": exit 4, not a
        # blank line and 0.
        self.compute.mock.get(
            DB_URL + '/mgmt/instances',
            json={
                'instances': [
                    dict(
                        instance('answering', 'p1'),
                        server={'id': 's', 'host': 'compute1'},
                    )
                ],
                'links': [],
            },
        )
        rc, out, err = cli.run_cli(
            [*ARGS, 'instance-rpc-ping', '--host', 'compute2']
        )
        self.assertEqual(
            (
                4,
                '',
                'hostctl: no database instance runs on host compute2; '
                'nothing to check\n',
            ),
            (rc, out, err),
        )
        self.assertFalse(any(p.called for p in self.pings.values()))

    def test_a_host_that_does_not_exist_is_not_found(self):
        for name, rc, words in (
            ('compute10', 4, "no host 'compute10'; hosts: compute1, compute2"),
            ('compute', 4, "no host 'compute'"),
        ):
            code, out, err = cli.run_cli(
                [*ARGS, 'instance-rpc-ping', '--host', name]
            )
            self.assertEqual((rc, ''), (code, out), err)
            self.assertIn(words, err)
        self.assertFalse(self.listing.called)
