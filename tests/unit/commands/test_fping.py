"""server-fping and server-monitor in-process, on requests-mock.

The os-fping API as the blueprint defines it is served at 2.35 (an old
cloud); the probes go through a fake transport, so nothing is probed.
"""

import json
import re

import fixtures

from hostctl.ping import probe
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
    timeouts = []

    async def probe(self, address, timeout):
        FakeIcmp.probed.append(address)
        FakeIcmp.timeouts.append(timeout)
        if address == '127.0.10.2':
            return probe.Answer(True, 'echo reply', address, 0.5)
        return probe.Answer(False, probe.NO_ANSWER, address)


class FpingTest(cli.TestCase):
    def setUp(self):
        super().setUp()
        FakeIcmp.probed = []
        FakeIcmp.timeouts = []
        self.useFixture(
            fixtures.MonkeyPatch('hostctl.ping.probe.IcmpTransport', FakeIcmp)
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
                    'Project Name': None,
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
                    'Project Name': None,
                    'Address': None,
                    'RTT (ms)': None,
                    'Checked': 'os-fping API',
                    'Answer': None,
                },
            ],
            json.loads(out),
        )
        self.assertEqual(
            'hostctl: 1 of 2 servers not alive\n'
            'hostctl: Project Name is empty: no identity service with '
            '--os-token and --os-endpoint\n',
            err,
        )
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
            URL + '?tags=monitored',
            json={'servers': [dict(WEB2, tags=['monitored'])]},
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

    def test_monitored_with_nothing_marked_is_not_found(self):
        # Nothing to check is not "every server alive", exit 0.
        for high, via in (('2.104', 'probe'), ('2.35', 'api')):
            self.cloud(high=high)
            self.compute.mock.get(
                URL + '?tags=monitored', json={'servers': []}
            )
            rc, out, err = self.hostctl(
                '--no-cache', 'server-fping', '--monitored', '--via', via
            )
            self.assertEqual(
                (
                    4,
                    '',
                    "hostctl: no server is tagged 'monitored' in this "
                    'project; mark one with server-monitor\n',
                ),
                (rc, out, err),
                via,
            )
            self.assertEqual([], self.fping_requests())

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

    def test_os_fping_boundary_is_2_35(self):
        # Pinned at the last version with os-fping it is asked; one above,
        # never. Moving the boundary either way fails this test.
        for pinned, asked in (('2.35', 1), ('2.36', 0)):
            self.cloud(high='2.104')
            self.compute.mock.get(FPING, json={'servers': []})
            self.hostctl(
                '--no-cache',
                '--os-compute-api-version',
                pinned,
                'server-fping',
            )
            self.assertEqual(asked, len(self.fping_requests()), pinned)
        # And a cloud whose oldest version is past it is never asked.
        self.useFixture(fakes.ComputeFixture(low='2.36', high='2.104'))
        self.hostctl('--no-cache', 'server-fping')

    def test_a_failing_server_lookup_is_not_blamed_on_os_fping(self):
        self.cloud()
        lookup = self.compute.mock.get(
            f'{fakes.COMPUTE_URL}/servers/{WEB1["id"]}',
            status_code=503,
            json={'computeFault': {'code': 503, 'message': 'Busy.'}},
        )
        rc, out, err = self.hostctl(
            '--retries', '0', 'server-fping', WEB1['id']
        )
        self.assertEqual((7, ''), (rc, out))
        self.assertEqual(1, len(err.splitlines()), err)
        self.assertIn('the compute API failed with HTTP 503: Busy.', err)
        self.assertNotIn('os-fping', err)
        self.assertEqual(1, lookup.call_count)
        self.assertEqual([], self.fping_requests())
        self.assertEqual([], FakeIcmp.probed)

    def test_a_500_across_projects_is_remembered(self):
        # Nova 34 answers all_tenants=1 with 500: asked once, then not.
        self.cloud(high='2.104')
        failing = self.compute.mock.get(
            FPING + '?all_tenants=1',
            status_code=500,
            json={'computeFault': {'code': 500, 'message': 'Unexpected.'}},
        )
        first = self.hostctl('server-fping', '--all-projects')
        second = self.hostctl('server-fping', '--all-projects')
        self.assertEqual(1, failing.call_count)
        self.assertIn('answered HTTP 500 (Unexpected.)', first[2])
        self.assertEqual(
            (3, 'hostctl: 2 of 3 servers not alive\n'), (second[0], second[2])
        )
        rc, out, err = self.hostctl(
            'server-fping', '--all-projects', '--via', 'api'
        )
        self.assertEqual((6, ''), (rc, out))
        self.assertEqual(1, failing.call_count)
        self.assertIn('does not serve os-fping across projects', err)
        self.assertNotIn('try again later', err)

    def test_api_only_across_projects_on_nova_34_says_it_is_gone(self):
        self.cloud(high='2.104')
        self.compute.mock.get(
            FPING + '?all_tenants=1',
            status_code=500,
            json={'computeFault': {'code': 500, 'message': 'Unexpected.'}},
        )
        rc, out, err = self.hostctl(
            '--no-cache', 'server-fping', '--all-projects', '--via', 'api'
        )
        self.assertEqual((6, ''), (rc, out))
        self.assertEqual(
            'hostctl: this cloud does not serve os-fping across projects '
            '(HTTP 500: Unexpected.); use --via probe, or the default --via '
            'auto\n',
            err,
        )

    def test_include_of_an_unknown_id_is_not_found(self):
        unknown = WEB1['id'][:-2] + '99'
        for via, high in (('probe', '2.104'), ('api', '2.35')):
            self.cloud(high=high)
            self.compute.mock.get(
                FPING,
                json={
                    'servers': [
                        {'id': WEB1['id'], 'project_id': 'p1', 'alive': True}
                    ]
                },
            )
            rc, out, err = self.hostctl(
                '--no-cache',
                'server-fping',
                '--via',
                via,
                '--include',
                f'{WEB1["id"]},{unknown}',
            )
            self.assertEqual((4, ''), (rc, out), (via, err))
            self.assertEqual(
                f'hostctl: --include: no server with ID {unknown} in this '
                'project (--all-projects looks further); there are: '
                f'web-1 ({WEB1["id"]}), web-2 ({WEB2["id"]}), db-1 '
                f'({DB1["id"]})\n',
                err,
            )
        self.assertEqual([], FakeIcmp.probed)

    def test_unknown_network_or_address_type_is_not_a_false_alarm(self):
        self.cloud(high='2.104')
        for argv, said in (
            (
                ['--network', 'nosuch'],
                '--network: no server checked has an address on network '
                "'nosuch'; their networks: private",
            ),
            (
                ['--address-type', 'floating'],
                '--address-type floating: no server checked has a floating '
                'address',
            ),
        ):
            rc, out, err = self.hostctl(
                'server-fping', '--via', 'probe', *argv
            )
            self.assertEqual((4, '', f'hostctl: {said}\n'), (rc, out, err))
        self.assertEqual([], FakeIcmp.probed)

    def test_probe_timeout_is_its_own_option(self):
        self.cloud(high='2.104')
        self.hostctl('--timeout', '30', 'server-fping', '--via', 'probe')
        self.assertEqual({1.0}, set(FakeIcmp.timeouts))
        FakeIcmp.timeouts = []
        self.hostctl(
            'server-fping', '--via', 'probe', '--probe-timeout', '0.2'
        )
        self.assertEqual({0.2}, set(FakeIcmp.timeouts))
        for bad in ('101', '99999999999', '0'):
            rc, out, err = self.hostctl('server-fping', '--count', bad)
            self.assertEqual((2, ''), (rc, out), bad)
            self.assertIn('invalid count', err)
        for bad in ('0', 'nan', 'inf', '-1', 'soon', '1e9'):
            rc, out, err = self.hostctl('server-fping', '--probe-timeout', bad)
            self.assertEqual((2, ''), (rc, out), bad)
            self.assertIn('invalid duration', err)

    def test_host_checks_only_that_hosts_servers(self):
        on_2 = dict(WEB2, **{'OS-EXT-SRV-ATTR:host': 'compute2'})
        for high, via in (('2.104', 'probe'), ('2.35', 'api')):
            self.cloud(high=high)
            listing = self.compute.mock.get(
                URL, json={'servers': [WEB1, on_2, DB1]}
            )
            fping = self.compute.mock.get(
                FPING,
                json={
                    'servers': [
                        {'id': WEB2['id'], 'project_id': 'p1', 'alive': True}
                    ]
                },
            )
            rc, out, err = self.hostctl(
                '--no-cache',
                'server-fping',
                '--host',
                'compute2',
                '--via',
                via,
                '-f',
                'value',
            )
            self.assertEqual((0, ''), (rc, err), via)
            self.assertEqual(f'{WEB2["id"]} web-2 p1 True\n', out)
            self.assertEqual(
                {'all_tenants': ['1'], 'host': ['compute2']},
                listing.last_request.qs,
            )
            if via == 'api':
                # os-fping knows no hosts: it is asked about those servers.
                self.assertEqual(
                    {'all_tenants': ['1'], 'include': [WEB2['id']]},
                    fping.last_request.qs,
                )
            else:
                self.assertFalse(fping.called)

    def test_host_with_no_server_is_not_found(self):
        # An emptied host (evacuated, say): nothing to check is not "every
        # server alive", and not a blank line with exit 0.
        for high, via in (('2.104', 'probe'), ('2.35', 'api')):
            self.cloud(high=high)
            self.compute.mock.get(URL, json={'servers': []})
            rc, out, err = self.hostctl(
                '--no-cache',
                'server-fping',
                '--host',
                'compute2',
                '--via',
                via,
            )
            self.assertEqual(
                (
                    4,
                    '',
                    'hostctl: no server on host compute2 (in any project); '
                    'nothing to check\n',
                ),
                (rc, out, err),
                via,
            )
            self.assertEqual([], self.fping_requests())

    def test_host_that_does_not_exist_or_with_names(self):
        self.cloud(high='2.104')
        rc, out, err = self.hostctl('server-fping', '--host', 'compute10')
        self.assertEqual((4, ''), (rc, out))
        self.assertIn("no host 'compute10'; hosts: compute1, compute2", err)
        rc, _, err = self.hostctl(
            'server-fping', 'web-1', '--host', 'compute1'
        )
        self.assertEqual(2, rc)
        self.assertIn('not both', err)
        self.assertEqual([], FakeIcmp.probed)


class MonitorTest(cli.TestCase):
    def cloud(self, high='2.104', tags=((),)):
        self.compute = self.useFixture(fakes.ComputeFixture(high=high))
        self.tags = f'{fakes.COMPUTE_URL}/servers/{WEB1["id"]}/tags/monitored'
        # The server as each GET finds it, one answer per run.
        self.compute.mock.get(
            f'{fakes.COMPUTE_URL}/servers/{WEB1["id"]}',
            [{'json': {'server': dict(WEB1, tags=list(t))}} for t in tags],
        )

    def hostctl(self, *argv):
        return cli.run_cli([*cli.TOKEN_ARGS, *argv])

    def test_set_and_unset(self):
        self.cloud(tags=((), ('monitored',)))
        self.compute.mock.put(self.tags, status_code=201)
        self.compute.mock.delete(self.tags, status_code=204)
        rc, out, err = self.hostctl('server-monitor', WEB1['id'], '-f', 'json')
        self.assertEqual((0, ''), (rc, err))
        self.assertEqual(
            {
                'ID': WEB1['id'],
                'Name': 'web-1',
                'Project': 'p1',
                'Monitored': True,
            },
            json.loads(out),
        )
        rc, out, err = self.hostctl(
            'server-monitor', '--unset', WEB1['id'], '-f', 'json'
        )
        self.assertEqual((0, ''), (rc, err))
        self.assertIs(False, json.loads(out)['Monitored'])
        put, delete = self.compute.api_requests()[1::2]
        self.assertEqual(('PUT', 'DELETE'), (put.method, delete.method))
        self.assertEqual('compute 2.104', put.headers['OpenStack-API-Version'])

    def test_asking_for_the_state_it_is_in_changes_nothing(self):
        for argv, tags, said in (
            (['--unset'], (), 'web-1 was not monitored; nothing changed'),
            (
                [],
                ('monitored',),
                'web-1 is already monitored; nothing changed',
            ),
        ):
            self.cloud(tags=(tags,))
            rc, _, err = self.hostctl('server-monitor', *argv, WEB1['id'])
            self.assertEqual((0, f'hostctl: {said}\n'), (rc, err))
            self.assertEqual(
                ['GET'], [r.method for r in self.compute.api_requests()]
            )

    def test_retried_delete_that_had_succeeded_is_success(self):
        # The DELETE went through, its answer was lost, and the retry met
        # a 404: the server is not monitored, as asked, and nothing is
        # said about it not having been.
        self.cloud(tags=(('monitored',),))
        self.compute.mock.delete(
            self.tags,
            status_code=404,
            json={'itemNotFound': {'code': 404, 'message': 'Tag not found'}},
        )
        rc, out, err = self.hostctl(
            'server-monitor',
            '--unset',
            WEB1['id'],
            '-f',
            'value',
            '-c',
            'Monitored',
        )
        self.assertEqual((0, 'False\n', ''), (rc, out, err))

    def test_old_cloud_is_refused(self):
        self.cloud(high='2.25')
        rc, _, err = self.hostctl('server-monitor', WEB1['id'])
        self.assertEqual(6, rc)
        self.assertIn(
            'marking a server monitored (a server tag) needs compute API '
            'version 2.26',
            err,
        )
