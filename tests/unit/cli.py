"""Run hostctl in-process: run_cli(argv) -> (rc, stdout, stderr)."""

from __future__ import annotations

import contextlib
import io
import logging
import os

import fixtures
import testtools

from hostctl import shell
from tests.unit import fakes

# Token-plus-endpoint mode: no identity service to mock.
TOKEN_ARGS = [
    '--os-token',
    'tok-0123456789abcdef',
    '--os-endpoint',
    'http://compute.example:8774/v2.1',
]


def run_cli(argv) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                app = shell.HostctlApp(stdout=out, stderr=err)
                rc = app.run(list(argv))
            except SystemExit as exc:  # argparse's usage errors, --help
                rc = 0 if exc.code is None else exc.code
    finally:
        # cliff adds its log handlers on every run; undo that.
        for handler in root.handlers[:]:
            if handler not in handlers:
                root.removeHandler(handler)
        root.setLevel(level)
    return int(rc), out.getvalue(), err.getvalue()


class TestCase(testtools.TestCase):
    """A test with no OS_* or HOSTCTL_* variables from the machine."""

    def setUp(self):
        super().setUp()
        for name in list(os.environ):
            if name.startswith(('OS_', 'HOSTCTL_')):
                self.useFixture(fixtures.EnvironmentVariable(name))
        # No clouds.yaml of the machine's either, nor its token cache.
        home = self.useFixture(fixtures.TempDir()).path
        self.useFixture(fixtures.EnvironmentVariable('HOME', home))
        self.useFixture(fixtures.EnvironmentVariable('XDG_CONFIG_HOME'))
        # keystoneauth's retry backoff, recorded instead of slept.
        self.backoff = self.useFixture(
            fixtures.MockPatch('keystoneauth1.session.time.sleep')
        ).mock
        self.useFixture(fixtures.EnvironmentVariable('XDG_CACHE_HOME'))


class LabCloudTestCase(TestCase):
    """A cloud 'lab' in clouds.yaml (password in secure.yaml), mocked."""

    def setUp(self):
        super().setUp()
        config = self.useFixture(fixtures.TempDir()).path
        clouds = os.path.join(config, 'clouds.yaml')
        with open(clouds, 'w') as f:
            f.write(
                'clouds:\n'
                '  lab:\n'
                '    region_name: RegionOne\n'
                '    auth:\n'
                f'      auth_url: {fakes.IDENTITY_URL}\n'
                '      username: admin\n'
                '      project_name: admin\n'
                '      user_domain_name: Default\n'
                '      project_domain_name: Default\n'
            )
        with open(os.path.join(config, 'secure.yaml'), 'w') as f:
            f.write('clouds:\n  lab:\n    auth:\n      password: s3cret-pw\n')
        self.useFixture(
            fixtures.EnvironmentVariable('OS_CLIENT_CONFIG_FILE', clouds)
        )
        self.useFixture(
            fixtures.EnvironmentVariable(
                'OS_CLIENT_SECURE_FILE', os.path.join(config, 'secure.yaml')
            )
        )
        self.compute = self.useFixture(fakes.ComputeFixture())
        mock = self.compute.mock
        mock.get(fakes.IDENTITY_URL, json=fakes.IDENTITY_VERSION)
        self.tokens = mock.post(
            fakes.IDENTITY_URL + '/auth/tokens',
            json=fakes.token_response(),
            headers={'X-Subject-Token': fakes.TOKEN},
            status_code=201,
        )
