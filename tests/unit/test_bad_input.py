"""Bad input: a clear line and its exit code, never a traceback.

A few chosen cases, then a property-based test (hypothesis) that feeds
random command lines, built from hostctl's own words and random text, to
the app in-process, against a mocked cloud that answers some of them.
"""

from __future__ import annotations

import contextlib
import errno
import io
import os
import subprocess
import sys

import fixtures
import hypothesis
import requests
from hypothesis import strategies as st

from hostctl import exceptions
from hostctl import shell
from hostctl.exceptions import ExitCode
from hostctl.watch import conditions
from hostctl.watch import engine
from tests.unit import cli
from tests.unit import fakes

CODES = {int(code) for code in ExitCode}


class BadInputTest(cli.TestCase):
    def assertUsage(self, argv, *words):
        rc, out, err = cli.run_cli(argv)
        self.assertEqual(ExitCode.USAGE, rc, err)
        self.assertEqual('', out)
        self.assertEqual(1, len(err.splitlines()), err)
        self.assertTrue(err.startswith('hostctl: '), err)
        for word in words:
            self.assertIn(word, err)
        return err

    def test_unknown_command(self):
        self.assertUsage(['service-frob'], "'service-frob' is not a hostctl")

    def test_help_for_an_unknown_command(self):
        self.assertUsage(['help', 'nope'], "'nope' is not a hostctl command")

    def test_unknown_option_of_a_command(self):
        self.assertUsage(
            ['service-list', '--bogus'],
            'service-list: unrecognized arguments: --bogus',
            "see 'hostctl help service-list'",
        )

    def test_unknown_global_option(self):
        self.assertUsage(['--bogus', 'service-list'], "'--bogus'")

    def test_missing_argument(self):
        self.assertUsage(
            ['service-force-down', 'compute1'],
            'the following arguments are required: <binary>',
        )

    def test_malformed_microversions(self):
        for text in ('2', '2.', '3.1', '2.x', 'v2.1', '2.1.1', '-1'):
            self.assertUsage(
                ['--os-compute-api-version', text, 'service-list'],
                'invalid compute API version',
            )

    def test_malformed_microversion_from_the_environment(self):
        self.useFixture(
            fixtures.EnvironmentVariable('OS_COMPUTE_API_VERSION', 'two')
        )
        self.assertUsage(['service-list'], "invalid compute API version 'two'")

    def test_malformed_timeout_and_retries(self):
        for argv in (
            ['--timeout', '0'],
            ['--timeout', 'soon'],
            ['--retries', '-1'],
            ['--retries', '1.5'],
        ):
            self.assertUsage([*argv, 'service-list'], argv[0], 'invalid')

    def test_empty_or_malformed_include_lists(self):
        for option, value, words in (
            ('--include', '', 'an empty server ID'),
            ('--include', ',', 'an empty server ID'),
            ('--exclude', ' ', 'an empty server ID'),
            ('--include', 'web-1,web-2', "'web-1' is not one"),
        ):
            self.assertUsage(
                [*cli.TOKEN_ARGS, 'server-fping', option, value], words
            )

    def test_bad_move_options(self):
        for argv, words in (
            (['host-evacuate', 'compute1', '--max-down', '101'], "'101'"),
            (['host-evacuate', 'compute1', '--max-down', 'half'], "'half'"),
            (['host-drain', 'compute1', '--concurrency', '0'], "'0'"),
            (['host-drain'], 'required: <host>'),
            (['migration-list', '--since', 'now-ish'], "'now-ish'"),
        ):
            self.assertUsage([*cli.TOKEN_ARGS, *argv], words)

    def test_empty_or_blank_names(self):
        # An unset variable in a runbook: never "no filter", never "all".
        compute = self.useFixture(fakes.ComputeFixture())
        for argv in (
            ['service-list', '--binary', ''],
            ['service-enable', 'compute1', ' '],
            ['hypervisor-list', '--matching', ''],
            ['hypervisor-show', ''],
            ['server-list', '--status', ' '],
            ['server-list', '--name', ''],
            ['server-list', '--project', '\t'],
            ['server-show', ''],
            ['server-fping', ''],
            ['server-fping', 'web-1', ' '],
            ['server-fping', '--network', ''],
            ['server-monitor', ' '],
            ['instance-rpc-ping', ''],
            ['host-evacuate', ''],
            ['host-evacuate', 'compute1', '--target-host', ' '],
            ['host-drain', ' '],
            ['migration-list', '--host', ''],
            ['migration-list', '--server', ' '],
            ['migration-list', '--status', ''],
        ):
            self.assertUsage([*cli.TOKEN_ARGS, *argv], 'an empty name')
        self.assertEqual([], compute.api_requests())

    def test_empty_blank_or_too_long_reasons(self):
        # Nova answers an empty reason with 400 (read as a conflict, exit
        # 9), stores a blank one, and refuses one over 255 characters.
        compute = self.useFixture(fakes.ComputeFixture())
        for command in (
            ['service-disable', 'compute1', 'nova-compute'],
            ['host-down', 'compute1'],
        ):
            for reason, words in (
                ('', 'an empty reason'),
                ('  ', 'an empty reason'),
                ('x' * 256, 'at most 255 characters'),
            ):
                self.assertUsage(
                    [*cli.TOKEN_ARGS, *command, '--reason', reason],
                    '--reason',
                    words,
                )
        self.assertEqual([], compute.api_requests())

    def test_a_reason_with_no_disable_is_not_dropped(self):
        # Only the disabled reason keeps it: forced_down has no reason.
        compute = self.useFixture(fakes.ComputeFixture())
        self.assertUsage(
            [
                *cli.TOKEN_ARGS,
                'host-down',
                'compute1',
                '--no-disable',
                '--reason',
                'psu',
            ],
            '--reason',
            '--no-disable',
        )
        self.assertEqual([], compute.api_requests())

    def test_concurrency_has_a_bound(self):
        compute = self.useFixture(fakes.ComputeFixture())
        for argv, words in (
            (['server-fping', '--concurrency', '10001', 'web-1'], '10,000'),
            (['server-fping', '--concurrency', '99999999999', 'web-1'], ''),
            (['instance-rpc-ping', '--concurrency', '1001', '--all'], '1,000'),
            (['host-evacuate', 'compute1', '--concurrency', '1001'], '1,000'),
            (['host-drain', 'compute1', '--concurrency', '1001'], '1,000'),
        ):
            self.assertUsage(
                [*cli.TOKEN_ARGS, *argv], '--concurrency', 'at most', words
            )
        self.assertEqual([], compute.api_requests())

    def test_unknown_column(self):
        self.useFixture(fakes.ComputeFixture())
        self.assertUsage(
            [*cli.TOKEN_ARGS, 'service-list', '-c', 'Nope'],
            "-c: no such column names in ['Nope']",
        )


class CloudsYamlErrorTest(cli.TestCase):
    def write(self, text: str) -> str:
        path = os.path.join(
            self.useFixture(fixtures.TempDir()).path, 'clouds.yaml'
        )
        with open(path, 'w') as f:
            f.write(text)
        self.useFixture(
            fixtures.EnvironmentVariable('OS_CLIENT_CONFIG_FILE', path)
        )
        return path

    def run_lab(self):
        rc, out, err = cli.run_cli(['--os-cloud', 'lab', 'service-list'])
        self.assertEqual(ExitCode.USAGE, rc, err)
        self.assertEqual(1, len(err.splitlines()), err)
        self.assertNotIn('Traceback', err)
        return err

    def test_missing_entry_names_the_file_and_its_clouds(self):
        path = self.write('clouds:\n  prod: {}\n  staging: {}\n')
        self.assertEqual(
            f"hostctl: configuration: no cloud 'lab' in {path}; it has: "
            'prod, staging\n',
            self.run_lab(),
        )

    def test_malformed_yaml(self):
        path = self.write('clouds:\n  lab: [\n')
        self.assertIn(f'{path} is not valid YAML (line 3)', self.run_lab())

    def test_not_laid_out_as_clouds_yaml(self):
        self.write('clouds: 5\n')
        self.assertIn(
            'clouds.yaml is not laid out as expected', self.run_lab()
        )

    def test_config_file_that_does_not_exist(self):
        self.useFixture(
            fixtures.EnvironmentVariable(
                'OS_CLIENT_CONFIG_FILE', '/nonexistent/clouds.yaml'
            )
        )
        self.assertIn(
            'OS_CLIENT_CONFIG_FILE names /nonexistent/clouds.yaml, which '
            'does not exist',
            self.run_lab(),
        )

    def test_unreadable_file(self):
        path = self.write('clouds:\n  lab: {}\n')
        # root reads anything: make it a directory instead of chmod 000.
        os.remove(path)
        os.mkdir(path)
        self.assertIn(f'cannot read {path}', self.run_lab())

    def test_entry_without_auth_url(self):
        self.write('clouds:\n  lab:\n    auth:\n      username: a\n')
        self.assertIn('auth_url', self.run_lab())

    def test_unknown_auth_type(self):
        self.write('clouds:\n  lab:\n    auth_type: nosuch\n')
        self.assertIn('check --os-auth-type', self.run_lab())


# Random command lines, from hostctl's words and random text.
COMMANDS = [
    'service-list',
    'service-force-down',
    'service-disable',
    'service-enable',
    'hypervisor-list',
    'hypervisor-show',
    'host-show',
    'host-down',
    'host-up',
    'server-list',
    'server-show',
    'instance-rpc-ping',
    'server-fping',
    'server-monitor',
    'host-evacuate',
    'host-drain',
    'migration-list',
    'check',
    'wait',
    'watch',
    'help',
    'complete',
]
OPTIONS = [
    '--os-cloud',
    '--os-auth-type',
    '--os-auth-url',
    '--os-token',
    '--os-endpoint',
    '--os-database-endpoint',
    '--os-compute-api-version',
    '--os-region-name',
    '--os-interface',
    '--timeout',
    '--retries',
    '--insecure',
    '--os-cacert',
    '--os-cert',
    '--no-cache',
    '-v',
    '-q',
    '-f',
    '-c',
    '--long',
    '--all',
    '--all-projects',
    '--unset',
    '--reason',
    '--no-disable',
    '--wait',
    '--enable',
    '--host',
    '--binary',
    '--matching',
    '--limit',
    '--name',
    '--concurrency',
    '--include',
    '--exclude',
    '--via',
    '--tcp',
    '--target-host',
    '--dry-run',
    '--max-down',
    '--ignore-max-down',
    '--on-shared-storage',
    '--cold',
    '--server',
    '--type',
    '--status',
    '--since',
    '--format',
    '--warning',
    '--critical',
    '--services',
    '--rpc-ping',
    '--network',
    '--address-type',
    '--probe-timeout',
    '--count',
    '--monitored',
    '--project',
    '--for',
    '--interval',
    '--webhook',
    '--no-initial',
    '--services',
    '--hypervisors',
    '--servers',
    '--help',
    '--version',
]
VALUES = [
    'compute1',
    'compute10',
    ' ',
    'nan',
    'nova-compute',
    'json',
    'value',
    'ID',
    '2.53',
    '2.1',
    '2.999',
    'auto',
    '0',
    '1',
    '-1',
    '',
    ' ',
    'nan',
    'inf',
    '1e400',
    '9f3a6a2e-5b1c-4d6e-8f70-012345678901',
    'lab',
    'token',
    fakes.COMPUTE_URL,
    fakes.TOKEN,
    'http://127.0.0.1:9/v2.1',
    'inf',
    '1e400',
    'http://[::1',
    'http://host:99999/v3',
    'ftp://x/',
    '/nonexistent/file',
    '/dev/null',
    'nagios',
    'prometheus',
    'services_up=@1:',
    'service',
    'server',
    'hypervisor',
    'instance',
    'state=up',
    'Host Status=DOWN',
    'alive=maybe',
]
WORDS = st.one_of(
    st.sampled_from(COMMANDS),
    st.sampled_from(OPTIONS),
    st.sampled_from(VALUES),
    st.text(max_size=12),
)


class RandomArgvTest(cli.TestCase):
    def setUp(self):
        super().setUp()
        # A compute API to talk to; everything else fails to connect.
        self.useFixture(
            fakes.ComputeFixture(
                others={'exc': requests.exceptions.ConnectionError}
            )
        )
        # wait and watch: as many polls as they like, but no real time.
        self.useFixture(
            fixtures.MockPatch(
                'hostctl.watch.conditions.wait', _once(conditions.wait)
            )
        )
        self.useFixture(fixtures.MockPatch('hostctl.watch.webhook.GRACE', 0))
        self.useFixture(
            fixtures.MockPatch(
                'hostctl.watch.engine.Engine.run', _bounded(engine.Engine.run)
            )
        )
        # Whatever --log-file a random line asks for lands here.
        self.addCleanup(os.chdir, os.getcwd())
        os.chdir(self.useFixture(fixtures.TempDir()).path)

    @hypothesis.settings(max_examples=200, deadline=None, database=None)
    @hypothesis.given(
        st.lists(WORDS, max_size=8),
        st.sampled_from([[], cli.TOKEN_ARGS]),
    )
    def test_no_traceback_ever(self, words, prefix):
        argv = [*prefix, *words]
        rc, out, err = cli.run_cli(argv)
        self.assertIn(rc, CODES, (argv, err))
        if not any(w.startswith('--deb') for w in argv):
            self.assertNotIn('Traceback', out + err, argv)
        # check's Nagios states (1 WARNING, 2 CRITICAL) are a verdict on
        # stdout, not an error.
        verdict = out.startswith(('OK - ', 'WARNING - ', 'CRITICAL - '))
        if rc not in (ExitCode.OK, ExitCode.NOT_ALIVE) and not verdict:
            self.assertTrue(err.strip(), (argv, rc))
        if rc == ExitCode.UNEXPECTED:
            # 1 is for bugs: random input must never find one.
            self.fail(f'unexpected error for {argv!r}: {err}')


def _once(wait):
    # A wait would take up to its --timeout: one check.
    def once(*args, **kwargs):
        return wait(*args, **{**kwargs, 'timeout': 0})

    return once


def _bounded(run):
    # A watch with no --count would poll for ever: two polls, no waiting.
    def bounded(self):
        self._count = min(self._count or 2, 2)
        self._stop.wait = lambda delay: None
        return run(self)

    return bounded


class ExitCodeTableTest(cli.TestCase):
    def test_help_lists_every_code(self):
        rc, out, _ = cli.run_cli(['--help'])
        self.assertEqual(0, rc)
        for code, meaning in exceptions.EXIT_CODE_HELP.items():
            self.assertIn(f'  {int(code):<3} {meaning}', out)


class MalformedValueTest(cli.TestCase):
    """Every malformed number, URL or file: exit 2 and one line."""

    def usage(self, *argv):
        rc, out, err = cli.run_cli([*argv, 'service-list'])
        self.assertEqual((ExitCode.USAGE, ''), (rc, out), err)
        self.assertEqual(1, len(err.splitlines()), err)
        self.assertTrue(err.startswith('hostctl: '), err)
        self.assertNotIn('unexpected', err)
        return err

    def test_numbers(self):
        for value in ('nan', 'inf', '-inf', '1e400', '1e300', '0', 'x'):
            err = self.usage(f'--timeout={value}')
            self.assertIn('invalid timeout', err)
        for value in ('nan', '1e3', '-1', '99999999999999999999'):
            err = self.usage(f'--retries={value}')
            self.assertIn('invalid retries', err)

    def test_urls(self):
        for value, words in (
            ('http://[::1', 'is not a URL'),
            ('http://::1]:5000/v3', 'is not a URL'),
            ('http://host:99999/v3', 'is not a URL'),
            ('keystone.example:5000', 'is not an http or https URL'),
            ('ftp://keystone.example/v3', 'is not an http or https URL'),
            ('http:///v3', 'is not an http or https URL'),
        ):
            err = self.usage(
                '--os-auth-url',
                value,
                '--os-username',
                'a',
                '--os-password',
                'p',
            )
            self.assertIn(f'--os-auth-url: {value!r} {words}', err)
        err = self.usage('--os-token', 't', '--os-endpoint', 'http://[x')
        self.assertIn('--os-endpoint', err)

    def test_files(self):
        err = self.usage('--os-cacert', '/nonexistent/ca.pem', *cli.TOKEN_ARGS)
        self.assertIn('no CA bundle at /nonexistent/ca.pem', err)
        err = self.usage('--os-cert', '/nonexistent/c.pem', *cli.TOKEN_ARGS)
        self.assertIn('--os-cert: no file at /nonexistent/c.pem', err)

    def test_clouds_yaml_that_is_not_utf8(self):
        path = os.path.join(
            self.useFixture(fixtures.TempDir()).path, 'clouds.yaml'
        )
        with open(path, 'wb') as f:
            f.write(b'clouds:\n  lab:\n    region_name: \xff\xfe\n')
        self.useFixture(
            fixtures.EnvironmentVariable('OS_CLIENT_CONFIG_FILE', path)
        )
        err = self.usage('--os-cloud', 'lab')
        self.assertIn(f'{path} is not UTF-8 text', err)

    def test_unwritable_log_file(self):
        err = self.usage('--log-file', '/nonexistent/dir/hostctl.log')
        self.assertIn('/nonexistent/dir/hostctl.log', err)


class TokenEndpointDatabaseTest(cli.TestCase):
    def test_trove_needs_its_own_endpoint(self):
        compute = self.useFixture(fakes.ComputeFixture())
        rc, out, err = cli.run_cli(
            [*cli.TOKEN_ARGS, 'instance-rpc-ping', '--all']
        )
        self.assertEqual((ExitCode.USAGE, ''), (rc, out))
        self.assertIn('--os-database-endpoint', err)
        self.assertEqual(1, len(err.splitlines()), err)
        self.assertEqual([], compute.api_requests())


class UnknownGlobalOptionTest(cli.TestCase):
    def test_an_unknown_option_before_the_command_is_named(self):
        rc, out, err = cli.run_cli(['--nosuch', 'service-list'])
        self.assertEqual((ExitCode.USAGE, ''), (rc, out))
        self.assertEqual(
            "hostctl: unknown option '--nosuch'; see 'hostctl --help'\n", err
        )


class UnwritableOutputTest(cli.TestCase):
    """Output that cannot be written: one line, exit 2, no traceback."""

    def setUp(self):
        super().setUp()
        self.useFixture(fakes.ComputeFixture())

    def test_a_full_device(self):
        class Full(io.StringIO):
            def flush(self):
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

        class FullAtOnce(io.StringIO):
            def write(self, text):
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

        # Buffered until the end (a short table), or failing at once.
        for stream in (Full(), FullAtOnce()):
            err = io.StringIO()
            with (
                contextlib.redirect_stdout(stream),
                contextlib.redirect_stderr(err),
            ):
                rc = shell.main([*cli.TOKEN_ARGS, 'service-list'])
            self.assertEqual(ExitCode.USAGE, rc, err.getvalue())
            self.assertEqual(
                'hostctl: cannot write the output (No space left on device)\n',
                err.getvalue(),
            )

    def test_a_reader_that_went_away_is_no_error(self):
        code = (
            'import sys\n'
            'from hostctl import shell\n'
            'sys.exit(shell.main(["--help"]))\n'
        )
        reader, writer = os.pipe()
        os.close(reader)
        try:
            done = subprocess.run(
                [sys.executable, '-c', code],
                stdout=writer,
                stderr=subprocess.PIPE,
                text=True,
            )
        finally:
            os.close(writer)
        self.assertEqual('', done.stderr)
        self.assertEqual(0, done.returncode)
