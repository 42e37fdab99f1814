"""Servers: host_status at 2.15/2.16, pages, name lookup."""

import testtools

from hostctl import exceptions
from tests.unit import fakes
from tests.unit.v2_1.test_client import make_client

URL = fakes.COMPUTE_URL + '/servers/detail'
SERVER_UUID = '9f3a6a2e-5b1c-4d6e-8f70-0123456789ab'


def server(number, name, host_status='UP', **extra):
    data = {
        'id': f'{SERVER_UUID[:-2]}{number:02d}',
        'name': name,
        'status': 'ACTIVE',
        'OS-EXT-STS:task_state': None,
        'OS-EXT-STS:power_state': 1,
        'OS-EXT-SRV-ATTR:host': 'compute1',
        'tenant_id': 'p1',
        'created': '2026-11-23T10:00:00Z',
        'addresses': {
            'private': [{'addr': f'127.0.10.{number}', 'version': 4}]
        },
    }
    if host_status is not None:
        data['host_status'] = host_status
    data.update(extra)
    return data


class ServerTest(testtools.TestCase):
    def client(self, pinned=None):
        self.compute = self.useFixture(fakes.ComputeFixture())
        return make_client(pinned).servers

    def queries(self):
        return [r.query for r in self.compute.api_requests()]

    def test_list_sends_filters(self):
        servers = self.client()
        self.compute.mock.get(
            URL,
            json={
                'servers': [
                    server(1, 'web-1', **{'OS-EXT-SRV-ATTR:host': 'compute2'})
                ]
            },
        )
        found = servers.list(
            all_projects=True,
            host='compute2',
            status='active',
            name='^web',
            project='p9',
        )
        self.assertEqual(['web-1'], [s.name for s in found])
        self.assertEqual(
            [
                # The host is looked up first, to match it exactly.
                '',
                'all_tenants=1&project_id=p9&host=compute2&status=ACTIVE'
                '&name=%5Eweb',
            ],
            self.queries(),
        )

    def test_host_filter_the_api_ignored_is_applied_here(self):
        # A listing that holds servers of other hosts: the API ignored the
        # filter. Only the host's own servers are shown.
        servers = self.client()
        self.compute.mock.get(
            URL,
            json={
                'servers': [
                    server(1, 'on-1'),
                    server(2, 'on-2', **{'OS-EXT-SRV-ATTR:host': 'compute2'}),
                ]
            },
        )
        found = servers.list(host='compute2')
        self.assertEqual(['on-2'], [s.name for s in found])

    def test_host_filter_for_a_user_who_cannot_see_hosts_is_refused(self):
        # Nova would drop host from a member's query and list the member's
        # own servers; the host is looked up first, and a member may not
        # list services: refused, and no server listing is asked for.
        servers = self.client()
        self.compute.mock.get(
            fakes.COMPUTE_URL + '/os-services',
            status_code=403,
            json={
                'forbidden': {
                    'code': 403,
                    'message': "Policy doesn't allow "
                    'os_compute_api:os-services:list to be performed.',
                }
            },
        )
        listing = self.compute.mock.get(URL, json={'servers': []})
        self.assertRaises(
            exceptions.AuthError, servers.list, host='nosuchhost'
        )
        self.assertFalse(listing.called)

    def test_unknown_status_is_refused_at_every_version(self):
        # Before 2.38 Nova lists nothing for it, as if no server had it.
        for pinned in ('2.37', '2.38'):
            servers = self.client(pinned)
            error = self.assertRaises(
                exceptions.UsageError, servers.list, status='actve'
            )
            self.assertIn("no server status 'ACTVE'", str(error))
            self.assertEqual([], self.compute.api_requests())

    def test_tagged_listing_keeps_only_tagged_servers(self):
        servers = self.client()
        self.compute.mock.get(
            URL,
            json={
                'servers': [
                    server(1, 'marked', tags=['monitored']),
                    server(2, 'unmarked', tags=[]),
                ]
            },
        )
        found = servers.list_tagged('monitored')
        self.assertEqual(['marked'], [s.name for s in found])

    def test_list_fetches_every_page(self):
        servers = self.client()
        self.compute.mock.get(
            URL,
            [
                {
                    'json': {
                        'servers': [server(1, 'a'), server(2, 'b')],
                        'servers_links': [
                            {
                                'rel': 'next',
                                'href': URL
                                + '?marker='
                                + server(2, 'b')['id'],
                            }
                        ],
                    }
                },
                {'json': {'servers': [server(3, 'c')]}},
            ],
        )
        found = servers.list()
        self.assertEqual(['a', 'b', 'c'], [s.name for s in found])
        self.assertEqual(
            ['', 'marker=' + server(2, 'b')['id']], self.queries()
        )

    def test_limit_caps_the_total(self):
        servers = self.client()
        self.compute.mock.get(
            URL,
            [
                {
                    'json': {
                        'servers': [server(1, 'a'), server(2, 'b')],
                        'servers_links': [
                            {'rel': 'next', 'href': URL + '?limit=2&marker=x'}
                        ],
                    }
                },
                {'json': {'servers': [server(3, 'c')]}},
            ],
        )
        found = servers.list(limit=3)
        self.assertEqual(['a', 'b', 'c'], [s.name for s in found])
        self.assertEqual(['limit=3', 'limit=1&marker=x'], self.queries())

    def test_host_status_note_below_2_16(self):
        servers = self.client('2.15')
        self.compute.mock.get(URL, json={'servers': [server(1, 'a', None)]})
        found = servers.list()
        self.assertEqual(
            '2.15',
            self.compute.api_requests()[0].headers[
                'X-OpenStack-Nova-API-Version'
            ],
        )
        self.assertIsNone(found[0].host_status)
        self.assertEqual(
            'Host Status is empty: it needs compute API version 2.16 or '
            'later, and 2.15 is in use',
            servers.host_status_note(found),
        )

    def test_host_status_from_2_16(self):
        servers = self.client('2.16')
        self.compute.mock.get(
            URL,
            json={
                'servers': [
                    server(1, 'a', 'UP'),
                    server(2, 'b', ''),
                    server(3, 'c', 'MAINTENANCE'),
                ]
            },
        )
        found = servers.list()
        self.assertEqual(
            ['UP', '', 'MAINTENANCE'], [s.host_status for s in found]
        )
        self.assertIsNone(servers.host_status_note(found))

    def test_host_status_hidden_by_policy(self):
        servers = self.client()
        self.compute.mock.get(URL, json={'servers': [server(1, 'a', None)]})
        note = servers.host_status_note(servers.list())
        self.assertIn('policy does not show it', note)

    def test_get_by_uuid_is_one_request(self):
        servers = self.client()
        uuid = server(1, 'a')['id']
        self.compute.mock.get(
            fakes.COMPUTE_URL + '/servers/' + uuid,
            json={'server': server(1, 'a')},
        )
        self.assertEqual('a', servers.get(uuid).name)
        self.assertEqual(1, len(self.compute.api_requests()))

    def test_get_by_name_is_an_exact_regex(self):
        servers = self.client()
        self.compute.mock.get(URL, json={'servers': [server(1, 'web.1')]})
        self.assertEqual('web.1', servers.get('web.1').name)
        self.assertEqual(['name=%5Eweb%5C.1%24'], self.queries())

    def test_ambiguous_name_lists_the_matches(self):
        servers = self.client()
        self.compute.mock.get(
            URL,
            json={
                'servers': [server(1, 'web'), server(2, 'web', tenant_id='p2')]
            },
        )
        error = self.assertRaises(exceptions.UsageError, servers.get, 'web')
        self.assertEqual(
            f"2 servers are named 'web': {server(1, 'web')['id']} (project "
            f'p1), {server(2, "web")["id"]} (project p2); give an ID',
            str(error),
        )

    def test_unknown_name(self):
        servers = self.client()
        self.compute.mock.get(URL, json={'servers': []})
        error = self.assertRaises(exceptions.NotFound, servers.get, 'nope')
        self.assertIn(
            "no server named or with ID 'nope' in this project", str(error)
        )
