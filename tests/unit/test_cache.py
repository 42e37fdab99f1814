"""The token and version cache: requests saved, and never a stale answer."""

import glob
import json
import os
import stat
import time

import fixtures
import testtools

from hostctl import cache
from hostctl import exceptions
from tests.unit import cli
from tests.unit import fakes

PASSWORD = 's3cret-pw'
UNAUTHORIZED = fakes.UNAUTHORIZED


def token_answer(token, expires_at='2099-01-01T00:00:00.000000Z'):
    body = fakes.token_response()
    body['token']['expires_at'] = expires_at
    return {
        'json': body,
        'headers': {'X-Subject-Token': token},
        'status_code': 201,
    }


class PasswordCloudTest(cli.TestCase):
    """A password cloud on requests-mock: tok-1, then tok-2."""

    def setUp(self):
        super().setUp()
        self.cache_home = self.useFixture(fixtures.TempDir()).path
        self.useFixture(
            fixtures.EnvironmentVariable('XDG_CACHE_HOME', self.cache_home)
        )
        self.compute = self.useFixture(fakes.ComputeFixture())
        self.mock = self.compute.mock
        self.tokens = self.useFixture(
            fakes.PasswordCloud(
                self.compute,
                [token_answer('tok-1'), token_answer('tok-2')],
                PASSWORD,
            )
        ).tokens


class CacheTest(PasswordCloudTest):
    """hostctl runs against a password cloud, one run after another."""

    def run_hostctl(self, *argv):
        """(rc, stdout, stderr, this run's requests as 'METHOD path')."""
        self.before = len(self.mock.request_history)
        rc, out, err = cli.run_cli([*argv, 'service-list', '-f', 'json'])
        sent = [
            f'{r.method} {r.path.rstrip("/")}'
            for r in self.mock.request_history[self.before :]
        ]
        return rc, out, err, sent

    def cache_files(self):
        """The token cache's files (not hostctl.resolved's config-*)."""
        return [
            path
            for path in glob.glob(
                os.path.join(self.cache_home, 'hostctl', 'session', '*')
            )
            if not os.path.basename(path).startswith('config-')
        ]

    def cache_data(self):
        (path,) = self.cache_files()
        with open(path) as f:
            return json.load(f)

    def compute_tokens(self):
        """The tokens the last run sent to the compute API."""
        return [
            r.headers.get('X-Auth-Token')
            for r in self.mock.request_history[self.before :]
            if r.hostname == 'compute.example'
        ]

    COLD = [
        'GET /v3',
        'POST /v3/auth/tokens',
        'GET /v2.1',
        'GET /v2.1/os-services',
    ]

    def test_a_warm_cache_sends_only_the_commands_request(self):
        rc, out, err, sent = self.run_hostctl()
        self.assertEqual((0, ''), (rc, err))
        self.assertEqual(self.COLD, sent)
        rc, out, err, sent = self.run_hostctl()
        self.assertEqual((0, ''), (rc, err))
        self.assertEqual(3, len(json.loads(out)))
        self.assertEqual(['GET /v2.1/os-services'], sent)
        self.assertEqual(['tok-1'], self.compute_tokens())

    def test_no_cache_option_and_variable(self):
        for argv, env in ((['--no-cache'], None), ([], '1')):
            self.useFixture(
                fixtures.EnvironmentVariable('HOSTCTL_NO_CACHE', env)
            )
            for _ in range(2):
                rc, _, err, sent = self.run_hostctl(*argv)
                self.assertEqual((0, ''), (rc, err))
                self.assertEqual(self.COLD, sent)
            self.assertEqual([], self.cache_files())

    def test_file_is_private_and_holds_no_password(self):
        self.run_hostctl()
        (path,) = self.cache_files()
        self.assertEqual(0o600, stat.S_IMODE(os.stat(path).st_mode))
        self.assertEqual(
            0o700, stat.S_IMODE(os.stat(os.path.dirname(path)).st_mode)
        )
        with open(path) as f:
            text = f.read()
        self.assertNotIn(PASSWORD, text)
        self.assertNotIn(PASSWORD, os.path.basename(path))
        self.assertIn('tok-1', text)  # the token is what it is for
        self.assertEqual(
            ['.json'], [os.path.splitext(p)[1] for p in self.cache_files()]
        )  # no temporary file left behind

    def test_refused_token_is_dropped_and_authentication_retried_once(self):
        self.run_hostctl()
        # The cloud revoked tok-1: the compute API refuses it once.
        self.mock.get(
            fakes.COMPUTE_URL + '/os-services',
            [
                {'status_code': 401, 'json': UNAUTHORIZED},
                {'json': {'services': fakes.SERVICES}},
            ],
        )
        rc, _, err, sent = self.run_hostctl()
        self.assertEqual((0, ''), (rc, err))
        self.assertEqual(
            [
                'GET /v2.1/os-services',
                'GET /v3',
                'POST /v3/auth/tokens',
                'GET /v2.1/os-services',
            ],
            sent,
        )
        self.assertEqual(['tok-1', 'tok-2'], self.compute_tokens())
        self.assertIn('tok-2', self.cache_data()['auth']['state'])
        self.assertNotIn('tok-1', self.cache_data()['auth']['state'])

    def test_refused_token_and_failed_authentication_empty_the_cache(self):
        self.run_hostctl()
        self.mock.get(
            fakes.COMPUTE_URL + '/os-services',
            status_code=401,
            json=UNAUTHORIZED,
        )
        self.mock.post(
            fakes.IDENTITY_URL + '/auth/tokens',
            status_code=401,
            json=UNAUTHORIZED,
        )
        rc, _, err, sent = self.run_hostctl()
        self.assertEqual(exceptions.ExitCode.AUTH, rc)
        self.assertEqual(1, len(err.splitlines()), err)
        # One retry, not a loop.
        self.assertEqual(1, sent.count('POST /v3/auth/tokens'))
        self.assertNotIn('auth', self.cache_data())

    def test_a_token_near_its_expiry_is_not_used(self):
        self.run_hostctl()
        (path,) = self.cache_files()
        data = self.cache_data()
        data['auth']['expires_at'] = time.time() + 60
        with open(path, 'w') as f:
            json.dump(data, f)
        rc, _, err, sent = self.run_hostctl()
        self.assertEqual((0, ''), (rc, err))
        self.assertIn('POST /v3/auth/tokens', sent)
        self.assertEqual(['tok-2'], self.compute_tokens())

    def test_corrupt_cache_is_ignored_and_replaced(self):
        self.run_hostctl()
        (path,) = self.cache_files()
        for garbage in (b'{"format": 1, "auth": ', b'\xff\xfe', b'[1, 2]'):
            with open(path, 'wb') as f:
                f.write(garbage)
            rc, _, err, sent = self.run_hostctl()
            self.assertEqual((0, ''), (rc, err))
            self.assertEqual(self.COLD[1:], sent[1:])  # authenticated anew
            self.assertIn('auth', self.cache_data())

    def test_cache_others_can_read_is_ignored(self):
        self.run_hostctl()
        (path,) = self.cache_files()
        os.chmod(path, 0o644)
        rc, _, err, sent = self.run_hostctl()
        self.assertEqual((0, ''), (rc, err))
        self.assertIn('POST /v3/auth/tokens', sent)
        self.assertEqual(0o600, stat.S_IMODE(os.stat(path).st_mode))

    def test_unwritable_cache_does_not_fail_the_command(self):
        blocker = os.path.join(self.cache_home, 'hostctl')
        with open(blocker, 'w') as f:
            f.write('not a directory')
        for _ in range(2):
            rc, out, err, sent = self.run_hostctl()
            self.assertEqual((0, ''), (rc, err))
            self.assertEqual(self.COLD, sent)

    def test_another_project_has_its_own_token(self):
        self.run_hostctl()
        self.useFixture(fixtures.EnvironmentVariable('OS_PROJECT_NAME', 'x'))
        rc, _, _, sent = self.run_hostctl()
        self.assertEqual(0, rc)
        self.assertIn('POST /v3/auth/tokens', sent)
        self.assertEqual(2, len(self.cache_files()))

    def test_cloud_that_no_longer_serves_the_cached_version(self):
        self.run_hostctl()
        # The cloud was rolled back to 2.90: 2.104 is refused with a 406.
        self.mock.get(
            fakes.COMPUTE_URL, json=fakes.version_document('2.1', '2.90')
        )

        def services(request, context):
            if self.compute.version_of(request) > (2, 90):
                context.status_code = 406
                return {
                    'HTTPNotAcceptable': {
                        'code': 406,
                        'message': 'Version 2.104 is not supported.',
                    }
                }
            return {'services': []}

        self.mock.get(fakes.COMPUTE_URL + '/os-services', json=services)
        rc, _, err, sent = self.run_hostctl()
        self.assertEqual((0, ''), (rc, err))
        self.assertEqual(
            ['GET /v2.1/os-services', 'GET /v2.1', 'GET /v2.1/os-services'],
            sent,
        )
        (versions,) = self.cache_data()['compute'].values()
        self.assertEqual('2.90', versions['max'])

    def test_an_upgraded_cloud_serves_a_pinned_version_the_cache_lacks(self):
        self.mock.get(
            fakes.COMPUTE_URL, json=fakes.version_document('2.1', '2.90')
        )
        self.run_hostctl()
        # The cloud was upgraded to 2.100; the cached range still says 2.90.
        self.mock.get(
            fakes.COMPUTE_URL, json=fakes.version_document('2.1', '2.100')
        )
        rc, _, err, sent = self.run_hostctl('--os-compute-api-version', '2.95')
        self.assertEqual((0, ''), (rc, err))
        self.assertEqual(['GET /v2.1', 'GET /v2.1/os-services'], sent)
        self.assertEqual(
            (2, 95), self.compute.version_of(self.mock.last_request)
        )
        (versions,) = self.cache_data()['compute'].values()
        self.assertEqual('2.100', versions['max'])
        # A version the cloud does not serve is still refused, read afresh.
        rc, _, err, sent = self.run_hostctl(
            '--os-compute-api-version', '2.101'
        )
        self.assertEqual(exceptions.ExitCode.UNSUPPORTED, rc)
        self.assertIn('this cloud serves 2.1 to 2.100', err)
        self.assertEqual(['GET /v2.1'], sent)

    def test_a_fresh_version_range_that_is_refused_is_not_retried(self):
        self.mock.get(
            fakes.COMPUTE_URL + '/os-services',
            status_code=406,
            json={'HTTPNotAcceptable': {'code': 406, 'message': 'no'}},
        )
        rc, _, err, sent = self.run_hostctl()
        self.assertEqual(exceptions.ExitCode.UNSUPPORTED, rc)
        self.assertEqual(self.COLD, sent)

    def test_a_wrong_password_is_refused_despite_a_cached_token(self):
        rc, _, err, _ = self.run_hostctl()
        self.assertEqual((0, ''), (rc, err))
        self.mock.post(
            fakes.IDENTITY_URL + '/auth/tokens',
            status_code=401,
            json=UNAUTHORIZED,
        )
        rc, out, err, sent = self.run_hostctl('--os-password', 'wrong')
        self.assertEqual(exceptions.ExitCode.AUTH, rc)
        self.assertIn('refused the credentials', err)
        self.assertIn('POST /v3/auth/tokens', sent)
        self.assertNotIn('GET /v2.1/os-services', sent)
        # The right password still finds its token: one request.
        self.mock.post(
            fakes.IDENTITY_URL + '/auth/tokens', [token_answer('tok-3')]
        )
        rc, _, err, sent = self.run_hostctl()
        self.assertEqual((0, ''), (rc, err))
        self.assertEqual(['GET /v2.1/os-services'], sent)
        for path in self.cache_files():
            self.assertNotIn('wrong', os.path.basename(path))
            with open(path) as f:
                self.assertNotIn('wrong', f.read())


class TokenEndpointCacheTest(cli.TestCase):
    """A token and an endpoint: the version range is still worth keeping."""

    def setUp(self):
        super().setUp()
        self.compute = self.useFixture(fakes.ComputeFixture())

    def test_version_document_read_once(self):
        history = self.compute.mock.request_history
        for expected in (2, 1):
            before = len(history)
            rc, _, err = cli.run_cli([*cli.TOKEN_ARGS, 'service-list'])
            self.assertEqual((0, ''), (rc, err))
            self.assertEqual(expected, len(history) - before)

    def test_the_given_token_is_not_written(self):
        cli.run_cli([*cli.TOKEN_ARGS, 'service-list'])
        home = os.environ['HOME']
        (path,) = glob.glob(f'{home}/.cache/hostctl/session/*.json')
        with open(path) as f:
            text = f.read()
        self.assertNotIn(fakes.TOKEN, text)
        self.assertNotIn('auth', json.loads(text))


class EntryTest(testtools.TestCase):
    """The cache file's rules, with a clock the test sets."""

    def setUp(self):
        super().setUp()
        self.path = os.path.join(
            self.useFixture(fixtures.TempDir()).path, 'x', 'entry.json'
        )
        self.now = 1_000_000.0

    def entry(self):
        return cache.Entry(self.path, clock=lambda: self.now)

    def test_round_trip(self):
        entry = self.entry()
        entry.set_auth_state('{"auth_token": "t"}', self.now + 3600)
        entry.set_versions('http://c/v2.1', '2.1', '2.104')
        entry.save()
        again = self.entry()
        self.assertEqual('{"auth_token": "t"}', again.auth_state())
        self.assertEqual(('2.1', '2.104'), again.versions('http://c/v2.1'))
        self.assertIsNone(again.versions('http://other/v2.1'))

    def test_token_life_left(self):
        entry = self.entry()
        entry.set_auth_state('s', self.now + cache.MIN_TOKEN_LIFE + 1)
        self.assertEqual('s', entry.auth_state())
        self.now += 2
        self.assertIsNone(entry.auth_state())

    def test_version_range_ages(self):
        entry = self.entry()
        entry.set_versions('e', '2.1', '2.104')
        self.now += cache.VERSIONS_TTL - 1
        self.assertEqual(('2.1', '2.104'), entry.versions('e'))
        self.now += 2
        self.assertIsNone(entry.versions('e'))

    def test_gone_apis_live_and_die_with_the_version_range(self):
        entry = self.entry()
        entry.set_gone('e', 'os-fping')  # no range yet: nothing kept
        self.assertEqual(frozenset(), entry.gone('e'))
        entry.set_versions('e', '2.1', '2.104')
        entry.set_gone('e', 'os-fping')
        entry.save()
        self.assertEqual({'os-fping'}, self.entry().gone('e'))
        self.assertEqual(frozenset(), self.entry().gone('other'))
        self.now += cache.VERSIONS_TTL + 1
        self.assertEqual(frozenset(), self.entry().gone('e'))
        # A fresh range starts with nothing gone.
        entry.set_versions('e', '2.1', '2.104')
        self.assertEqual(frozenset(), entry.gone('e'))

    def test_nothing_written_when_nothing_changed(self):
        self.entry().save()
        self.assertFalse(os.path.exists(self.path))

    def test_other_format_is_ignored(self):
        entry = self.entry()
        entry.set_auth_state('s', self.now + 3600)
        entry.save()
        with open(self.path) as f:
            data = json.load(f)
        data['format'] = cache.FORMAT + 1
        with open(self.path, 'w') as f:
            json.dump(data, f)
        self.assertIsNone(self.entry().auth_state())

    def test_key_ignores_secrets_and_trailing_slash(self):
        base = {
            'auth_type': 'password',
            'auth_url': 'http://k/v3',
            'username': 'admin',
            'project_name': 'admin',
            'user_domain_id': 'default',
        }
        key = cache.key(base)
        self.assertEqual(key, cache.key({**base, 'password': 'a'}))
        self.assertEqual(key, cache.key({**base, 'auth_url': 'http://k/v3/'}))
        self.assertEqual(
            key, cache.key({**base, 'application_credential_secret': 'b'})
        )
        for name, value in (
            ('project_name', 'demo'),
            ('username', 'member'),
            ('auth_url', 'http://k2/v3'),
            ('domain_name', 'd'),
            ('auth_type', 'v3applicationcredential'),
        ):
            self.assertNotEqual(key, cache.key({**base, name: value}), name)
