"""The token and version cache against the real Keystone and Nova.

A counting proxy on loopback stands between hostctl and the cloud, so the
requests hostctl sends are counted as the cloud receives them.
"""

import os
import stat
import tempfile

from tests.functional import base
from tests.functional import faultproxy


class CacheTest(base.TestCase):
    def setUp(self):
        super().setUp()
        cloud = base.cloud()
        self.proxy = faultproxy.FaultProxy(
            {'identity': cloud['auth_url'], 'compute': cloud['compute_url']}
        ).start()
        self.addCleanup(self.proxy.stop)
        self.cache_home = tempfile.mkdtemp()
        self.addCleanup(_remove_tree, self.cache_home)
        admin = cloud['users']['admin']
        self.env = base.clean_env(
            XDG_CACHE_HOME=self.cache_home,
            OS_AUTH_URL=self.proxy.url('identity') + '/v3',
            OS_USERNAME=admin['name'],
            OS_PASSWORD=admin['password'],
            OS_PROJECT_NAME=admin['project'],
            OS_USER_DOMAIN_ID='default',
            OS_PROJECT_DOMAIN_ID='default',
        )
        self.env.pop('OS_CLIENT_CONFIG_FILE')

    def run_counted(self, *argv):
        self.proxy.reset()
        result = base.hostctl(
            *argv, 'service-list', '-f', 'json', cloud_name=None, env=self.env
        )
        self.assertOk(result)
        hosts = {row['Host'] for row in result.json()}
        self.assertTrue(set(base.cloud()['hosts']) <= hosts, result.out)
        return [f'{m} {p}' for _, m, p in self.proxy.requests]

    def test_second_run_sends_only_its_own_request(self):
        self.assertEqual(
            [
                'GET /v3',
                'POST /v3/auth/tokens',
                'GET /v2.1',
                'GET /v2.1/os-services',
            ],
            self.run_counted(),
        )
        self.assertEqual(['GET /v2.1/os-services'], self.run_counted())
        (name,) = os.listdir(os.path.join(self.cache_home, 'hostctl/session'))
        path = os.path.join(self.cache_home, 'hostctl/session', name)
        self.assertEqual(0o600, stat.S_IMODE(os.stat(path).st_mode))
        with open(path) as f:
            self.assertNotIn(self.env['OS_PASSWORD'], f.read())

    def test_no_cache_pays_every_time(self):
        self.run_counted()
        self.assertEqual(4, len(self.run_counted('--no-cache')))

    def test_a_token_keystone_no_longer_knows_is_replaced(self):
        self.run_counted()
        session = os.path.join(self.cache_home, 'hostctl/session')
        (name,) = os.listdir(session)
        path = os.path.join(session, name)
        with open(path) as f:
            text = f.read()
        token = _cached_token(text)
        # A token Keystone never issued, where the real one was.
        with open(path, 'w') as f:
            f.write(text.replace(token, 'gAAAAAB' + 'x' * len(token[7:])))
        sent = self.run_counted()
        self.assertEqual('GET /v2.1/os-services', sent[0])
        self.assertIn('POST /v3/auth/tokens', sent)
        self.assertEqual('GET /v2.1/os-services', sent[-1])
        self.assertEqual(['GET /v2.1/os-services'], self.run_counted())


def _cached_token(text):
    import json

    return json.loads(json.loads(text)['auth']['state'])['auth_token']


def _remove_tree(path):
    import shutil

    shutil.rmtree(path, ignore_errors=True)
