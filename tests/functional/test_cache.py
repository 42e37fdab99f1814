"""The token and version cache against the real Keystone and Nova.

A counting proxy on loopback stands between hostctl and the cloud, so the
requests hostctl sends are counted as the cloud receives them.
"""

import os
import stat
import subprocess
import sys
import tempfile

from tests.functional import base
from tests.functional import faultproxy


class ProxiedTestCase(base.TestCase):
    """hostctl through a counting proxy, with a cache of its own."""

    def setUp(self):
        super().setUp()
        cloud = base.cloud()
        self.proxy = faultproxy.FaultProxy(
            {'identity': cloud['auth_url'], 'compute': cloud['compute_url']}
        ).start()
        self.addCleanup(self.proxy.stop)
        self.cache_home = tempfile.mkdtemp()
        self.addCleanup(_remove_tree, self.cache_home)


class CacheTest(ProxiedTestCase):
    def setUp(self):
        super().setUp()
        cloud = base.cloud()
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

    def token_files(self):
        """The token cache's files (not the resolved configuration's)."""
        folder = os.path.join(self.cache_home, 'hostctl/session')
        return [
            os.path.join(folder, name)
            for name in os.listdir(folder)
            if not name.startswith('config-')
        ]

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
        (path,) = self.token_files()
        self.assertEqual(0o600, stat.S_IMODE(os.stat(path).st_mode))
        with open(path) as f:
            self.assertNotIn(self.env['OS_PASSWORD'], f.read())

    def test_no_cache_pays_every_time(self):
        self.run_counted()
        self.assertEqual(4, len(self.run_counted('--no-cache')))

    def test_a_token_keystone_no_longer_knows_is_replaced(self):
        self.run_counted()
        (path,) = self.token_files()
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


class CloudsYamlWarmTest(ProxiedTestCase):
    """A warm --os-cloud run imports neither openstacksdk nor YAML."""

    def imported(self, *argv):
        """The top-level packages a run of hostctl imported."""
        env = dict(self.env, OS_CLIENT_CONFIG_FILE=self.clouds_yaml)
        done = subprocess.run(
            [sys.executable, '-X', 'importtime', '-m', 'hostctl', *argv],
            capture_output=True,
            text=True,
            env=env,
        )
        self.assertEqual(0, done.returncode, done.stderr[-2000:])
        return {
            line.split('|')[-1].strip().split('.')[0]
            for line in done.stderr.splitlines()
            if line.startswith('import time:')
        }

    def setUp(self):
        super().setUp()
        self.env = base.clean_env(XDG_CACHE_HOME=self.cache_home)
        admin = base.cloud()['users']['admin']
        self.clouds_yaml = os.path.join(self.cache_home, 'clouds.yaml')
        with open(self.clouds_yaml, 'w') as f:
            f.write(
                'clouds:\n  lab:\n    auth:\n'
                f'      auth_url: {self.proxy.url("identity")}/v3\n'
                f'      username: {admin["name"]}\n'
                f'      password: {admin["password"]}\n'
                f'      project_name: {admin["project"]}\n'
                '      user_domain_id: default\n'
                '      project_domain_id: default\n'
                '    region_name: RegionOne\n'
            )

    def test_warm_run_resolves_nothing_until_clouds_yaml_changes(self):
        argv = ('--os-cloud', 'lab', 'service-list')
        self.assertIn('openstack', self.imported(*argv))
        warm = self.imported(*argv)
        self.assertNotIn('openstack', warm)
        self.assertNotIn('yaml', warm)
        folder = os.path.join(self.cache_home, 'hostctl/session')
        for name in os.listdir(folder):
            with open(os.path.join(folder, name)) as f:
                text = f.read()
            self.assertNotIn(base.cloud()['users']['admin']['password'], text)
        # clouds.yaml changed: openstacksdk reads it again.
        with open(self.clouds_yaml, 'a') as f:
            f.write('    interface: public\n')
        self.assertIn('openstack', self.imported(*argv))
        self.assertNotIn('openstack', self.imported(*argv))


def _cached_token(text):
    import json

    return json.loads(json.loads(text)['auth']['state'])['auth_token']


def _remove_tree(path):
    import shutil

    shutil.rmtree(path, ignore_errors=True)
