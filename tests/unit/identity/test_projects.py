"""--project by name or ID, and project names beside IDs (Keystone v3)."""

import json

import fixtures

from tests.unit import cli
from tests.unit import fakes
from tests.unit import test_cache
from tests.unit.v2_1.test_servers import URL, server

PROJECTS = fakes.IDENTITY_URL + '/projects'
DEMO = '8d2b1a7c3e4f40a1b2c3d4e5f6a7b8c9'
ADMIN = 'p1'
LISTING = {
    'projects': [
        {'id': ADMIN, 'name': 'admin', 'domain_id': 'default'},
        {'id': DEMO, 'name': 'demo', 'domain_id': 'default'},
    ]
}
FORBIDDEN = {'error': {'code': 403, 'message': 'You are not authorized.'}}


class ProjectTest(cli.TestCase):
    """A password cloud whose identity service lists projects."""

    def setUp(self):
        super().setUp()
        self.useFixture(
            fixtures.EnvironmentVariable(
                'XDG_CACHE_HOME', self.useFixture(fixtures.TempDir()).path
            )
        )
        self.compute = self.useFixture(fakes.ComputeFixture())
        self.mock = self.compute.mock
        self.useFixture(
            fakes.PasswordCloud(self.compute, [test_cache.token_answer('t')])
        )
        self.projects = self.mock.get(PROJECTS, json=LISTING)
        self.servers = self.mock.get(
            URL,
            json={
                'servers': [
                    server(1, 'web-1', tenant_id=DEMO),
                    server(2, 'mine', tenant_id=ADMIN),
                ]
            },
        )

    def hostctl(self, *argv):
        self.before = len(self.mock.request_history)
        rc, out, err = cli.run_cli(list(argv))
        sent = [
            f'{r.method} {r.path}' + (f'?{r.query}' if r.query else '')
            for r in self.mock.request_history[self.before :]
            if r.path.rstrip('/') not in ('/v3', '/v2.1', '/v3/auth/tokens')
        ]
        return rc, out, err, sent

    def test_project_by_name_is_one_identity_lookup(self):
        rc, _, err, sent = self.hostctl(
            'server-list', '--all-projects', '--project', 'demo'
        )
        self.assertEqual((0, ''), (rc, err))
        self.assertEqual(
            [
                'GET /v3/projects',
                f'GET /v2.1/servers/detail?all_tenants=1&project_id={DEMO}',
            ],
            sent,
        )
        # By ID: the same listing, from the cache this time.
        rc, _, err, sent = self.hostctl('server-list', '--project', DEMO)
        self.assertEqual((0, ''), (rc, err))
        self.assertEqual(
            [f'GET /v2.1/servers/detail?all_tenants=1&project_id={DEMO}'],
            sent,
        )

    def test_unknown_project_names_the_projects_there_are(self):
        for value in ('nosuch', '0' * 32):
            rc, out, err, sent = self.hostctl(
                '--no-cache', 'server-list', '--project', value
            )
            self.assertEqual((4, ''), (rc, out))
            self.assertEqual(
                f'hostctl: no project named or with ID {value!r}; projects '
                'you can see: admin, demo\n',
                err,
            )
            self.assertEqual(['GET /v3/projects'], sent)

    def test_a_listing_cut_at_the_list_limit_is_not_the_last_word(self):
        self.mock.get(
            PROJECTS,
            json={'projects': LISTING['projects'][:1], 'truncated': True},
        )
        self.mock.get(
            PROJECTS + '?name=demo',
            json={'projects': LISTING['projects'][1:], 'truncated': False},
        )
        rc, _, err, sent = self.hostctl('server-list', '--project', 'demo')
        self.assertEqual((0, ''), (rc, err))
        self.assertEqual(
            [
                'GET /v3/projects',
                'GET /v3/projects?name=demo',
                f'GET /v2.1/servers/detail?all_tenants=1&project_id={DEMO}',
            ],
            sent,
        )

    def test_a_name_missing_from_the_cached_listing_is_read_again(self):
        self.hostctl('server-list', '--project', 'demo')
        self.projects = self.mock.get(
            PROJECTS,
            json={
                'projects': [
                    *LISTING['projects'],
                    {'id': 'new1', 'name': 'fresh'},
                ]
            },
        )
        rc, _, err, sent = self.hostctl('server-list', '--project', 'fresh')
        self.assertEqual((0, ''), (rc, err))
        self.assertEqual('GET /v3/projects', sent[0])

    def test_long_listing_shows_the_project_name_beside_its_id(self):
        rc, out, err, sent = self.hostctl(
            'server-list', '--all-projects', '--long', '-f', 'json'
        )
        self.assertEqual((0, ''), (rc, err))
        self.assertEqual(
            [(DEMO, 'demo'), (ADMIN, 'admin')],
            [(r['Project'], r['Project Name']) for r in json.loads(out)],
        )
        self.assertEqual(
            ['GET /v2.1/servers/detail?all_tenants=1', 'GET /v3/projects'],
            sent,
        )

    def test_a_member_lists_the_projects_it_has_a_role_in(self):
        self.mock.get(PROJECTS, status_code=403, json=FORBIDDEN)
        self.mock.get(
            fakes.IDENTITY_URL + '/auth/projects',
            json={'projects': [{'id': DEMO, 'name': 'demo'}]},
        )
        rc, out, err, sent = self.hostctl(
            '--no-cache', 'server-list', '--long', '-f', 'json'
        )
        self.assertEqual((0, ''), (rc, err))
        self.assertEqual(
            ['demo', None], [r['Project Name'] for r in json.loads(out)]
        )
        self.assertEqual(
            ['GET /v3/projects', 'GET /v3/auth/projects'], sent[1:]
        )
        rc, out, err, _ = self.hostctl(
            '--no-cache', 'server-list', '--project', 'admin'
        )
        self.assertEqual((4, ''), (rc, out))
        self.assertIn('projects you can see: demo', err)


class TokenEndpointProjectTest(cli.TestCase):
    """With --os-token and --os-endpoint there is no identity service."""

    def setUp(self):
        super().setUp()
        self.compute = self.useFixture(fakes.ComputeFixture())
        self.compute.mock.get(URL, json={'servers': [server(1, 'web-1')]})

    def test_an_id_is_used_as_given_and_a_name_is_refused(self):
        rc, _, err = cli.run_cli(
            [*cli.TOKEN_ARGS, 'server-list', '--project', DEMO]
        )
        self.assertEqual((0, ''), (rc, err))
        self.assertEqual(
            f'all_tenants=1&project_id={DEMO}',
            self.compute.api_requests()[-1].query,
        )
        rc, out, err = cli.run_cli(
            [*cli.TOKEN_ARGS, 'server-list', '--project', 'demo']
        )
        self.assertEqual((2, ''), (rc, out))
        self.assertIn("--project 'demo': a name needs the identity", err)
        self.assertIn('no identity service with --os-token', err)

    def test_long_listing_says_why_the_names_are_empty(self):
        rc, out, err = cli.run_cli(
            [*cli.TOKEN_ARGS, 'server-list', '--long', '-f', 'json']
        )
        self.assertEqual(0, rc)
        self.assertIsNone(json.loads(out)[0]['Project Name'])
        self.assertEqual(
            'hostctl: Project Name is empty: no identity service with '
            '--os-token and --os-endpoint\n',
            err,
        )
