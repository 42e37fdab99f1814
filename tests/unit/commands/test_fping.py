"""server-fping and server-monitor in-process, on requests-mock.

The os-fping API as the blueprint defines it is served at 2.35 (an old
cloud); the probes go through a fake transport, so nothing is probed.
"""

import json
import re

import fixtures

from hostctl import probe
from tests.unit import cli
from tests.unit import fakes
from tests.unit.v2_1.test_servers import URL, server

FPING = fakes.COMPUTE_URL + '/os-fping'
WEB1, WEB2, DB1 = (
    server(n, name) for n, name in ((1, 'web-1'), (2, 'web-2'), (3, 'db-1'))
)


class FakeIcmp:
    """Stands in for probe.IcmpTransport: .12 answers, others do not."""

    name = 'ICMP echo'
    probed = []

    async def probe(self, address, timeout):
        FakeIcmp.probed.append(address)
        if address == '127.0.10.2':
            return probe.Answer(True, 'echo reply', address, 0.5)
        return probe.Answer(False, probe.NO_ANSWER, address)


class FpingTest(cli.TestCase):
    def setUp(self):
        super().setUp()
        FakeIcmp.probed = []
        self.useFixture(
            fixtures.MonkeyPatch('hostctl.probe.IcmpTransport', FakeIcmp)
        )

    def cloud(self, high='2.35'):
        self.compute = self.useFixture(fakes.ComputeFixture(high=high))
        self.compute.mock.get(URL, json=self.list_servers)

    @staticmethod
    def list_servers(request, context):
        # Nova's name filter is a regular expression.
        servers = [WEB1, WEB2, DB1]
        if 'name' in request.qs:
            pattern = re.compile(request.qs['name'][0])
            servers = [s for s in servers if pattern.search(s['name'])]
        return {'servers': servers}

    def hostctl(self, *argv):
        rc, out, err = cli.run_cli([*cli.TOKEN_ARGS, *argv])
        return rc, out, err

    def fping_requests(self):
        return [
            r
            for r in self.compute.mock.request_history
            if '/os-fping' in r.path
        ]

    def test_api_path_sends_the_blueprint_request(self):
        self.cloud()
        self.compute.mock.get(
            FPING,
            json={
                'servers': [
                    {'id': WEB1['id'], 'project_id': 'p1', 'alive': True},
                    {'id': WEB2['id'], 'project_id': 'p1', 'alive': False},
                ]
            },
        )
        rc, out, err = self.hostctl(
            'server-fping',
            '--all-projects',
            '--include',
            f'{WEB1["id"]},{WEB2["id"]}',
            '--long',
            '-f',
            'json',
        )
        self.assertEqual(3, rc, err)
        (request,) = self.fping_requests()
        self.assertEqual('GET', request.method)
        self.assertEqual(
            {
                'all_tenants': ['1'],
                'include': [f'{WEB1["id"]},{WEB2["id"]}'],
            },
            request.qs,
        )
        self.assertEqual(
            'compute 2.35', request.headers['OpenStack-API-Version']
        )
        self.assertEqual(
            [
                {
                    'ID': WEB1['id'],
                    'Name': 'web-1',
                    'Project': 'p1',
                    'Alive': True,
                    'Address': None,
                    'RTT (ms)': None,
                    'Checked': 'os-fping API',
                    'Answer': None,
                },
                {
                    'ID': WEB2['id'],
                    'Name': 'web-2',
                    'Project': 'p1',
                    'Alive': False,
                    'Address': None,
                    'RTT (ms)': None,
                    'Checked': 'os-fping API',
                    'Answer': None,
                },
            ],
            json.loads(out),
        )
        self.assertEqual('hostctl: 1 of 2 servers not alive\n', err)
        self.assertEqual([], FakeIcmp.probed)

    def test_api_path_sends_exclude_and_checks_one_by_id(self):
        self.cloud()
        self.compute.mock.get(FPING, json={'servers': []})
        self.compute.mock.get(
            f'{fakes.COMPUTE_URL}/servers/{WEB1["id"]}', json={'server': WEB1}
        )
        self.compute.mock.get(
            f'{FPING}/{WEB1["id"]}',
            json={
                'server': {'id': WEB1['id'], 'project_id': 'p1', 'alive': True}
            },
        )
        rc, _, err = self.hostctl('server-fping', '--exclude', DB1['id'])
        self.assertEqual((0, ''), (rc, err))
        rc, out, err = self.hostctl('server-fping', WEB1['id'], '-f', 'value')
        self.assertEqual((0, ''), (rc, err))
        self.assertEqual(f'{WEB1["id"]} web-1 p1 True\n', out)
        first, second = self.fping_requests()
        self.assertEqual({'exclude': [DB1['id']]}, first.qs)
        self.assertEqual(f'/v2.1/os-fping/{WEB1["id"]}', second.path)

    def test_gone_or_failing_api_falls_back_to_probing(self):
        for status, body in (
            (410, {'computeFault': {'code': 410, 'message': 'Gone away.'}}),
            (404, {'itemNotFound': {'code': 404, 'message': 'No such.'}}),
            (500, {'computeFault': {'code': 500, 'message': 'Boom.'}}),
        ):
            self.cloud(high='2.104')
            self.compute.mock.get(FPING, status_code=status, json=body)
            # No cache: each case on a cloud that has not been seen yet.
            rc, out, err = self.hostctl(
                '--no-cache', 'server-fping', '-f', 'json'
            )
            self.assertEqual(3, rc, err)
            message = list(body.values())[0]['message']
            self.assertEqual(
                f'hostctl: the os-fping API answered HTTP {status} '
                f'({message}); probing the servers from here instead\n'
                'hostctl: 2 of 3 servers not alive\n',
                err,
            )
            self.assertEqual(
                [('web-1', False), ('web-2', True), ('db-1', False)],
                [(r['Name'], r['Alive']) for r in json.loads(out)],
            )
            # os-fping first, then one listing for the probes.
            self.assertEqual(
                ['/v2.1/os-fping', '/v2.1/servers/detail'],
                [r.path for r in self.compute.api_requests()],
            )
            # Asked at 2.35, the last version that had os-fping.
            self.assertEqual(
                'compute 2.35',
                self.fping_requests()[0].headers['OpenStack-API-Version'],
            )

    def test_a_gone_api_is_not_asked_again_while_cached(self):
        self.cloud(high='2.104')
        gone = self.compute.mock.get(
            FPING,
            status_code=410,
            json={'computeFault': {'code': 410, 'message': 'Gone.'}},
        )
        first = self.hostctl('server-fping')
        second = self.hostctl('server-fping')
        self.assertEqual(1, gone.call_count)
        self.assertIn('answered HTTP 410', first[2])
        self.assertEqual(
            (3, 'hostctl: 2 of 3 servers not alive\n'), (second[0], second[2])
        )
        # With the cache off it asks again.
        self.hostctl('--no-cache', 'server-fping')
        self.assertEqual(2, gone.call_count)

    def test_a_server_error_is_asked_again(self):
        self.cloud(high='2.104')
        failing = self.compute.mock.get(
            FPING,
            status_code=500,
            json={'computeFault': {'code': 500, 'message': 'Boom.'}},
        )
        self.hostctl('server-fping')
        self.hostctl('server-fping')
        self.assertEqual(2, failing.call_count)

    def test_probe_path_selects_as_os_fping_does(self):
        self.cloud()
        cases = [
            (['--include', f'{WEB2["id"]},{DB1["id"]}'], ['web-2', 'db-1']),
            (['--exclude', WEB2['id']], ['web-1', 'db-1']),
            # exclude is ignored when include is given.
            (['--include', WEB2['id'], '--exclude', WEB2['id']], ['web-2']),
            (['web-2', 'db-1'], ['web-2', 'db-1']),
        ]
        for argv, names in cases:
            rc, out, err = self.hostctl(
                'server-fping', '--via', 'probe', '-f', 'json', *argv
            )
            self.assertIn(rc, (0, 3), err)
            self.assertEqual(names, [r['Name'] for r in json.loads(out)])
        self.assertEqual([], self.fping_requests())

    def test_probe_addresses_by_type_and_network(self):
        self.cloud()
        both = server(
            9,
            'dual',
            addresses={
                'public': [
                    {
                        'addr': '127.0.10.2',
                        'version': 4,
                        'OS-EXT-IPS:type': 'floating',
                    }
                ],
                'private': [
                    {
                        'addr': '127.0.10.9',
                        'version': 4,
                        'OS-EXT-IPS:type': 'fixed',
                    }
                ],
            },
        )
        self.compute.mock.get(URL, json={'servers': [both]})
        for argv, probed, alive in (
            ([], ['127.0.10.9', '127.0.10.2'], True),
            (['--address-type', 'fixed'], ['127.0.10.9'], False),
            (['--address-type', 'floating'], ['127.0.10.2'], True),
            (['--network', 'private'], ['127.0.10.9'], False),
        ):
            FakeIcmp.probed = []
            rc, out, err = self.hostctl(
                'server-fping', '--via', 'probe', '-f', 'json', '--long', *argv
            )
            self.assertEqual(probed, FakeIcmp.probed)
            self.assertEqual(alive, json.loads(out)[0]['Alive'])
            self.assertEqual(0 if alive else 3, rc, err)

    def test_pinned_version_past_2_35_never_asks_the_api(self):
        self.cloud(high='2.104')
        rc, _, err = self.hostctl(
            '--os-compute-api-version', '2.53', 'server-fping'
        )
        self.assertEqual((3, 'hostctl: 2 of 3 servers not alive\n'), (rc, err))
        self.assertEqual([], self.fping_requests())

    def test_api_only_on_a_cloud_without_it(self):
        self.cloud(high='2.104')
        self.compute.mock.get(
            FPING,
            status_code=410,
            json={'computeFault': {'code': 410, 'message': 'Gone.'}},
        )
        rc, out, err = self.hostctl('server-fping', '--via', 'api')
        self.assertEqual(6, rc)
        self.assertEqual(
            'hostctl: this cloud does not serve os-fping (HTTP 410: Gone.); '
            'use --via probe, or the default --via auto\n',
            err,
        )
        self.assertEqual('', out)

    def test_policy_refusal_is_not_hidden_by_a_fallback(self):
        self.cloud()
        self.compute.mock.get(
            FPING,
            status_code=403,
            json={'forbidden': {'code': 403, 'message': 'Policy says no.'}},
        )
        rc, _, err = self.hostctl('server-fping')
        self.assertEqual(5, rc)
        self.assertIn('Policy says no.', err)
        self.assertEqual([], FakeIcmp.probed)

    def test_monitored_lists_by_tag(self):
        self.cloud(high='2.104')
        self.compute.mock.get(
            URL + '?tags=monitored', json={'servers': [WEB2]}
        )
        rc, out, err = self.hostctl(
            'server-fping', '--monitored', '--via', 'probe', '-f', 'value'
        )
        self.assertEqual((0, ''), (rc, err))
        self.assertEqual(f'{WEB2["id"]} web-2 p1 True\n', out)
        listing = [
            r for r in self.compute.api_requests() if 'servers' in r.path
        ]
        self.assertEqual({'tags': ['monitored']}, listing[0].qs)
        self.assertEqual(
            'compute 2.104', listing[0].headers['OpenStack-API-Version']
        )

    def test_bad_selections(self):
        self.cloud()
        for argv, text in (
            (['--include', ''], 'an empty server ID'),
            (['--include', 'web-1'], "'web-1' is not one"),
            (['web-1', '--include', WEB1['id']], 'not both'),
        ):
            rc, out, err = self.hostctl('server-fping', *argv)
            self.assertEqual((2, ''), (rc, out), err)
            self.assertEqual(1, len(err.splitlines()), err)
            self.assertIn(text, err)
        self.assertEqual([], self.compute.api_requests())


class MonitorTest(cli.TestCase):
    def cloud(self, high='2.104'):
        self.compute = self.useFixture(fakes.ComputeFixture(high=high))
        self.tags = f'{fakes.COMPUTE_URL}/servers/{WEB1["id"]}/tags/monitored'
        self.compute.mock.get(
            f'{fakes.COMPUTE_URL}/servers/{WEB1["id"]}',
            json={'server': dict(WEB1, tags=[])},
        )

    def hostctl(self, *argv):
        return cli.run_cli([*cli.TOKEN_ARGS, *argv])

    def test_set_and_unset(self):
        self.cloud()
        self.compute.mock.put(self.tags, status_code=201)
        self.compute.mock.delete(self.tags, status_code=204)
        rc, out, err = self.hostctl('server-monitor', WEB1['id'], '-f', 'json')
        self.assertEqual((0, ''), (rc, err))
        self.assertIs(True, json.loads(out)['Monitored'])
        rc, out, err = self.hostctl(
            'server-monitor', '--unset', WEB1['id'], '-f', 'json'
        )
        self.assertEqual((0, ''), (rc, err))
        self.assertIs(False, json.loads(out)['Monitored'])
        put, delete = self.compute.api_requests()[1::2]
        self.assertEqual(('PUT', 'DELETE'), (put.method, delete.method))
        self.assertEqual('compute 2.104', put.headers['OpenStack-API-Version'])

    def test_unset_when_not_set_says_so(self):
        self.cloud()
        self.compute.mock.delete(
            self.tags,
            status_code=404,
            json={'itemNotFound': {'code': 404, 'message': 'Tag not found'}},
        )
        rc, _, err = self.hostctl('server-monitor', '--unset', WEB1['id'])
        self.assertEqual((0, 'hostctl: web-1 was not monitored\n'), (rc, err))

    def test_old_cloud_is_refused(self):
        self.cloud(high='2.25')
        rc, _, err = self.hostctl('server-monitor', WEB1['id'])
        self.assertEqual(6, rc)
        self.assertIn('server tags needs compute API version 2.26', err)
