"""Functional tests: the installed hostctl executable against the local cloud.

The cloud (tests/functional/cloud/devcloud.py) runs real Keystone, Nova and
Trove on 127.0.0.1; ``./run test`` starts it before these tests and stops it
after. Without it these tests fail, on purpose: a functional test that
skips itself when no cloud is configured proves nothing in CI.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import os
import subprocess
import sys
import urllib.request

import fixtures
import testtools

from tests.functional import faultproxy

TOP = os.path.dirname(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
)
HOSTCTL = os.path.join(os.path.dirname(sys.executable), 'hostctl')
DEVCLOUD = os.path.join(TOP, 'tests', 'functional', 'cloud', 'devcloud.py')


@functools.cache
def cloud() -> dict:
    path = os.path.join(run_dir(), 'cloud.json')
    try:
        with open(path) as f:
            return json.load(f)
    except FileNotFoundError:
        raise RuntimeError(
            f'no local cloud: {path} is missing; start it with '
            "'./run cloud start' (or run './run test')"
        ) from None


@dataclasses.dataclass
class Result:
    rc: int
    out: str
    err: str

    def json(self):
        return json.loads(self.out)


def run_dir() -> str:
    return os.environ.get('HOSTCTL_CLOUD_DIR', os.path.join(TOP, '.cloud'))


def clean_env(**extra) -> dict:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(('OS_', 'HOSTCTL_'))
    }
    env['OS_CLIENT_CONFIG_FILE'] = cloud()['clouds_yaml']
    # hostctl's token cache lives and dies with this cloud, not the
    # user's: a cloud started afresh has other keys and other tokens.
    env['XDG_CACHE_HOME'] = os.path.join(run_dir(), 'xdg-cache')
    env.update(extra)
    return env


def hostctl(*argv, cloud_name='admin', env=None, timeout=120) -> Result:
    """Run the hostctl executable; cloud_name None means no --os-cloud."""
    command = [HOSTCTL]
    if cloud_name:
        command += ['--os-cloud', cloud()['clouds'][cloud_name]]
    done = subprocess.run(
        [*command, *argv],
        capture_output=True,
        text=True,
        env=env or clean_env(),
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )
    return Result(done.returncode, done.stdout, done.stderr)


def wait_until_up(host, seconds=60) -> None:
    """Until HOST's nova-compute reports up again (a cleanup's wait),
    through hostctl's own wait."""
    result = hostctl(
        'wait',
        'service',
        host,
        'nova-compute',
        '--for',
        'state=up',
        '--timeout',
        str(seconds),
    )
    if result.rc != 0:
        raise AssertionError(
            f'{host} did not come back up within {seconds} s: {result.err}'
        )


def issue_token(user='admin') -> str:
    """A token from the local Keystone, for token-plus-endpoint mode."""
    facts = cloud()
    credentials = facts['users'][user]
    project = 'admin' if user == 'admin' else 'demo'
    body = {
        'auth': {
            'identity': {
                'methods': ['password'],
                'password': {
                    'user': {
                        'name': credentials['name'],
                        'password': credentials['password'],
                        'domain': {'id': 'default'},
                    }
                },
            },
            'scope': {'project': {'id': facts['projects'][project]}},
        }
    }
    request = urllib.request.Request(
        facts['auth_url'].rstrip('/') + '/auth/tokens',
        data=json.dumps(body).encode(),
        method='POST',
        headers={'Content-Type': 'application/json'},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.headers['X-Subject-Token']


def compute_api(user='admin'):
    """A keystoneauth Adapter on the local Nova, for tests that drive the
    compute API directly (what hostctl has no command for yet)."""
    from keystoneauth1 import adapter, session
    from keystoneauth1.identity import v3

    facts = cloud()
    credentials = facts['users'][user]
    auth = v3.Password(
        auth_url=facts['auth_url'],
        username=credentials['name'],
        password=credentials['password'],
        project_id=facts['projects'][credentials['project']],
        user_domain_id='default',
    )
    return adapter.Adapter(
        session.Session(auth=auth),
        service_type='compute',
        interface='public',
        region_name=facts['region'],
        default_microversion='2.95',
        raise_exc=False,
    )


def devcloud(*argv) -> Result:
    """Run the cloud's launcher (heartbeat, compute restart) and return
    its exit code and output."""
    done = subprocess.run(
        [sys.executable, DEVCLOUD, *argv],
        capture_output=True,
        text=True,
        timeout=180,
        stdin=subprocess.DEVNULL,
    )
    return Result(done.returncode, done.stdout, done.stderr)


class ProxiedCloud(fixtures.Fixture):
    """The local cloud behind a fault-injecting proxy (faultproxy.py).

    `self.proxy` takes the test's fault rules and records every request;
    `self.hostctl(...)` runs hostctl with a clouds.yaml whose auth URL is
    the proxy's, so that every request passes through it. `tls` is
    (certfile, keyfile) to serve HTTPS.
    """

    def __init__(self, tls=None) -> None:
        super().__init__()
        self.tls = tls

    def _setUp(self) -> None:
        facts = cloud()
        services = facts['services']
        self.proxy = faultproxy.FaultProxy(
            {
                'identity': services['keystone']['url'],
                'compute': services['nova']['url'],
                'database': services['trove']['url'],
            },
            tls=self.tls,
        ).start()
        self.addCleanup(self.proxy.stop)
        self.auth_url = self.proxy.url('identity') + '/v3'
        with open(facts['clouds_yaml']) as f:
            text = f.read().replace(facts['auth_url'], self.auth_url)
        path = os.path.join(
            self.useFixture(fixtures.TempDir()).path, 'clouds.yaml'
        )
        with open(path, 'w') as f:
            f.write(text)
        # A cache of its own: a token cached by an earlier test whose proxy
        # had the same identity port (ports are reused) would carry that
        # proxy's catalogue, and its closed ports.
        cache = self.useFixture(fixtures.TempDir()).path
        self.env = clean_env(OS_CLIENT_CONFIG_FILE=path, XDG_CACHE_HOME=cache)

    def hostctl(self, *argv, **kwargs) -> Result:
        kwargs.setdefault('env', self.env)
        return hostctl(*argv, **kwargs)


class TestCase(testtools.TestCase):
    def assertOk(self, result: Result):
        self.assertEqual(
            0, result.rc, f'stdout: {result.out}\nstderr: {result.err}'
        )

    def assertFails(self, result: Result, rc: int, text: str | None = None):
        """An error: its code, one line on stderr, no traceback."""
        detail = f'stdout: {result.out}\nstderr: {result.err}'
        self.assertEqual(rc, result.rc, detail)
        self.assertEqual(1, len(result.err.splitlines()), detail)
        self.assertTrue(result.err.startswith('hostctl: '), detail)
        self.assertNotIn('Traceback', result.err)
        if text:
            self.assertIn(text, result.err)
