"""What clouds.yaml resolved to, kept for warm runs (hostctl.resolved)."""

import glob
import json
import os

import fixtures

from hostctl import clouds
from tests.unit import cli
from tests.unit import fakes

UNAUTHORIZED = fakes.UNAUTHORIZED


class WarmCloudsYamlTest(cli.LabCloudTestCase):
    def setUp(self):
        super().setUp()
        self.cache_home = self.useFixture(fixtures.TempDir()).path
        self.useFixture(
            fixtures.EnvironmentVariable('XDG_CACHE_HOME', self.cache_home)
        )
        self.clouds_yaml = os.environ['OS_CLIENT_CONFIG_FILE']
        self.loads = self.useFixture(
            fixtures.MockPatch('hostctl.clouds.load', side_effect=clouds.load)
        ).mock

    def run_lab(self, *argv):
        before = len(self.compute.mock.request_history)
        rc, out, err = cli.run_cli(
            ['--os-cloud', 'lab', *argv, 'service-list', '-f', 'json']
        )
        self.assertEqual((0, ''), (rc, err))
        self.assertEqual(3, len(json.loads(out)))
        return [
            f'{r.method} {r.path.rstrip("/")}'
            for r in self.compute.mock.request_history[before:]
        ]

    def test_a_warm_run_does_not_read_clouds_yaml(self):
        self.run_lab()
        self.assertEqual(1, self.loads.call_count)
        self.assertEqual(['GET /v2.1/os-services'], self.run_lab())
        self.assertEqual(1, self.loads.call_count)
        for path in glob.glob(os.path.join(self.cache_home, '*/*/*')):
            with open(path) as f:
                self.assertNotIn('s3cret-pw', f.read())

    def test_a_changed_file_is_read_again(self):
        self.run_lab()
        with open(self.clouds_yaml, 'a') as f:
            f.write('    interface: public\n')
        self.run_lab()
        self.assertEqual(2, self.loads.call_count)
        self.run_lab()
        self.assertEqual(2, self.loads.call_count)

    def test_other_options_or_variables_are_read_again(self):
        self.run_lab()
        self.run_lab('--os-region-name', 'RegionOne')
        self.assertEqual(2, self.loads.call_count)
        self.useFixture(fixtures.EnvironmentVariable('OS_INTERFACE', 'public'))
        self.run_lab()
        self.assertEqual(3, self.loads.call_count)
        # A pinned version changes nothing resolved.
        self.run_lab('--os-compute-api-version', '2.60')
        self.assertEqual(3, self.loads.call_count)

    def test_a_refused_token_authenticates_with_the_files_secret(self):
        self.run_lab()
        self.compute.mock.get(
            fakes.COMPUTE_URL + '/os-services',
            [
                {'status_code': 401, 'json': UNAUTHORIZED},
                {'json': {'services': fakes.SERVICES}},
            ],
        )
        sent = self.run_lab()
        self.assertEqual(
            [
                'GET /v2.1/os-services',
                'GET /v3',
                'POST /v3/auth/tokens',
                'GET /v2.1/os-services',
            ],
            sent,
        )
        body = self.tokens.last_request.json()['auth']['identity']
        self.assertEqual('s3cret-pw', body['password']['user']['password'])
        self.assertEqual(2, self.loads.call_count)

    def test_no_token_to_use_is_a_cold_run(self):
        self.run_lab()
        for path in glob.glob(os.path.join(self.cache_home, '*/*/*')):
            if not os.path.basename(path).startswith('config-'):
                os.remove(path)
        self.assertIn('POST /v3/auth/tokens', self.run_lab())
        self.assertEqual(2, self.loads.call_count)


class WarmApplicationCredentialTest(cli.LabCloudTestCase):
    """An application credential's secret is a required argument of its
    plugin: the warm path names it, with no value."""

    def setUp(self):
        super().setUp()
        self.cache_home = self.useFixture(fixtures.TempDir()).path
        self.useFixture(
            fixtures.EnvironmentVariable('XDG_CACHE_HOME', self.cache_home)
        )
        for name, value in (
            ('OS_AUTH_URL', fakes.IDENTITY_URL),
            ('OS_AUTH_TYPE', 'v3applicationcredential'),
            ('OS_APPLICATION_CREDENTIAL_ID', 'ac-1'),
            ('OS_APPLICATION_CREDENTIAL_SECRET', 'ac-secret'),
        ):
            self.useFixture(fixtures.EnvironmentVariable(name, value))

    def run_list(self):
        before = len(self.compute.mock.request_history)
        rc, _, err = cli.run_cli(['service-list'])
        sent = [
            f'{r.method} {r.path.rstrip("/")}'
            for r in self.compute.mock.request_history[before:]
        ]
        return rc, err, sent

    def test_warm_run(self):
        self.assertEqual((0, ''), self.run_list()[:2])
        self.assertEqual((0, '', ['GET /v2.1/os-services']), self.run_list())
        for path in glob.glob(os.path.join(self.cache_home, '*/*/*')):
            with open(path) as f:
                self.assertNotIn('ac-secret', f.read())

    def test_a_refused_credential_is_not_kept(self):
        self.compute.mock.post(
            fakes.IDENTITY_URL + '/auth/tokens',
            status_code=404,
            json={'error': {'code': 404, 'message': 'no such credential'}},
        )
        for _ in range(2):
            rc, err, sent = self.run_list()
            self.assertEqual(5, rc, err)
            self.assertIn('POST /v3/auth/tokens', sent)
        self.assertEqual(
            [], glob.glob(os.path.join(self.cache_home, '*/*/config-*'))
        )
