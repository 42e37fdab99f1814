"""The shell: global options, configuration, exit codes, start-up cost."""

import contextlib
import io
import json
import os
import subprocess
import sys

import fixtures

from hostctl import exceptions
from hostctl import shell
from hostctl.ping import probe
from tests.unit import cli
from tests.unit import fakes


class ShellTest(cli.TestCase):
    def test_version(self):
        rc, out, _ = cli.run_cli(['--version'])
        self.assertEqual(0, rc)
        self.assertRegex(out, r'^hostctl \S+\n$')

    def test_help_lists_commands_and_exit_codes(self):
        rc, out, _ = cli.run_cli(['help'])
        self.assertEqual(0, rc)
        for name in (
            'service-list',
            'service-force-down',
            'service-disable',
            'service-enable',
            'complete',
        ):
            self.assertIn(name, out)
        for code, meaning in exceptions.EXIT_CODE_HELP.items():
            self.assertIn(f'{int(code):<3} {meaning}', out)

    def test_help_of_a_command(self):
        rc, out, _ = cli.run_cli(['help', 'service-force-down'])
        self.assertEqual(0, rc)
        self.assertIn('usage: hostctl service-force-down', out)
        self.assertIn('--unset', out)

    def test_no_command_is_usage(self):
        rc, out, err = cli.run_cli([])
        self.assertEqual(2, rc)
        self.assertEqual('', out)
        self.assertIn('usage: hostctl', err)
        # What a new user needs first: the commands, not 90 lines of
        # global options.
        self.assertIn('\nCommands:\n', err)
        self.assertIn('  host-show ', err)
        self.assertNotIn('--os-application-credential-secret', err)
        self.assertIn("See 'hostctl --help'", err)

    def test_unknown_command_suggests(self):
        rc, out, err = cli.run_cli(['service-lst'])
        self.assertEqual(2, rc)
        self.assertEqual('', out)
        self.assertEqual(
            "hostctl: 'service-lst' is not a hostctl command; did you mean "
            "service-list? See 'hostctl help'.\n",
            err,
        )

    def test_bad_microversion_is_usage(self):
        for value in ('3.1', '2.x', '2'):
            rc, _, err = cli.run_cli(
                ['--os-compute-api-version', value, 'service-list']
            )
            self.assertEqual(2, rc, value)
            self.assertIn('invalid compute API version', err)

    def test_bad_timeout_is_usage(self):
        rc, _, err = cli.run_cli(['--timeout', '-1', 'service-list'])
        self.assertEqual(2, rc)
        self.assertIn("invalid timeout '-1'", err)

    def test_timeout_after_the_command_is_the_commands(self):
        # After the command's name, --timeout is the command's own (wait's
        # deadline), not each request's; other global options work there.
        rc, _, err = cli.run_cli(['service-list', '--timeout', '5'])
        self.assertEqual(2, rc)
        self.assertIn('service-list: unrecognized arguments: --timeout', err)
        rc, _, err = cli.run_cli(
            ['--timeout=5', '-q', 'wait', '--timeout=x', '--os-cloud', 'c']
        )
        self.assertEqual(2, rc)
        self.assertIn("wait: argument --timeout: invalid duration 'x'", err)
        rc, _, err = cli.run_cli(['service-list', '--timeout=-1'])
        self.assertIn('unrecognized arguments: --timeout=-1', err)
        rc, _, err = cli.run_cli(['service-list', '--retries', 'x'])
        self.assertIn('hostctl: argument --retries: invalid', err)

    def test_completion_script(self):
        rc, out, _ = cli.run_cli(['complete'])
        self.assertEqual(0, rc)
        self.assertIn('service-force-down', out)

    def test_no_credentials_is_usage(self):
        rc, out, err = cli.run_cli(['service-list'])
        self.assertEqual(2, rc)
        self.assertEqual('', out)
        self.assertEqual(1, len(err.splitlines()), err)
        self.assertTrue(err.startswith('hostctl: '), err)

    def test_unknown_cloud_is_usage(self):
        rc, _, err = cli.run_cli(['--os-cloud', 'nowhere', 'service-list'])
        self.assertEqual(2, rc)
        self.assertIn('nowhere', err)
        self.assertEqual(1, len(err.splitlines()), err)


class ErrorExitCodeTest(cli.TestCase):
    """Each way a request can fail ends with its own code and one line."""

    def setUp(self):
        super().setUp()
        self.compute = self.useFixture(fakes.ComputeFixture())

    def fail_with(self, **response):
        self.compute.mock.get(fakes.COMPUTE_URL + '/os-services', **response)
        rc, out, err = cli.run_cli([*cli.TOKEN_ARGS, 'service-list'])
        self.assertEqual('', out)
        self.assertEqual(1, len(err.splitlines()), err)
        self.assertTrue(err.startswith('hostctl: '), err)
        self.assertNotIn('Traceback', err)
        self.assertNotIn(fakes.TOKEN, err)
        return rc, err

    def test_401(self):
        rc, err = self.fail_with(
            status_code=401,
            json={
                'error': {
                    'code': 401,
                    'message': 'The request you have '
                    'made requires authentication.',
                }
            },
        )
        self.assertEqual(exceptions.ExitCode.AUTH, rc)
        self.assertIn('requires authentication', err)

    def test_403(self):
        rc, err = self.fail_with(
            status_code=403,
            json={
                'forbidden': {
                    'code': 403,
                    'message': "Policy doesn't "
                    'allow os_compute_api:os-services:list',
                }
            },
        )
        self.assertEqual(exceptions.ExitCode.AUTH, rc)
        self.assertIn("Policy doesn't allow", err)

    def test_404(self):
        rc, _ = self.fail_with(status_code=404, json={})
        self.assertEqual(exceptions.ExitCode.NOT_FOUND, rc)

    def test_409(self):
        rc, _ = self.fail_with(status_code=409, json={})
        self.assertEqual(exceptions.ExitCode.CONFLICT, rc)

    def test_500_with_an_html_page(self):
        rc, err = self.fail_with(
            status_code=500,
            text='<html><body>Oops</body></html>',
            headers={'Content-Type': 'text/html'},
        )
        self.assertEqual(exceptions.ExitCode.SERVER, rc)
        self.assertIn('HTTP 500', err)

    def test_malformed_json(self):
        rc, err = self.fail_with(status_code=200, text='{"services": [')
        self.assertEqual(exceptions.ExitCode.SERVER, rc)
        self.assertIn('not JSON', err)

    def test_connection_refused(self):
        import requests

        rc, err = self.fail_with(exc=requests.exceptions.ConnectionError)
        self.assertEqual(exceptions.ExitCode.SERVER, rc)
        self.assertIn(
            'cannot reach http://compute.example:8774/v2.1/os-services', err
        )

    def test_timeout(self):
        import requests

        rc, err = self.fail_with(exc=requests.exceptions.ReadTimeout)
        self.assertEqual(exceptions.ExitCode.SERVER, rc)
        self.assertIn(
            'http://compute.example:8774/v2.1/os-services did not answer '
            'within --timeout',
            err,
        )
        # Not retried: one request.
        self.assertEqual(1, len(self.compute.api_requests()))

    def test_unexpected_error_is_1_without_traceback(self):
        rc, err = self.fail_with(json={'services': [None]})
        self.assertEqual(exceptions.ExitCode.UNEXPECTED, rc)
        self.assertIn('unexpected error', err)
        self.assertIn('rerun with --debug', err)

    def test_debug_adds_the_traceback_not_a_new_code(self):
        self.compute.mock.get(
            fakes.COMPUTE_URL + '/os-services', status_code=404, json={}
        )
        rc, _, err = cli.run_cli(['--debug', *cli.TOKEN_ARGS, 'service-list'])
        self.assertEqual(exceptions.ExitCode.NOT_FOUND, rc)
        self.assertIn('Traceback', err)


class ClosedPipeTest(cli.TestCase):
    """`hostctl ... | head -1`: the reader leaving early is no error."""

    class _ClosedPipe(io.StringIO):
        def write(self, text):
            raise BrokenPipeError(32, 'Broken pipe')

    def run_into_closed_pipe(self, *argv):
        err, pipe = io.StringIO(), self._ClosedPipe()
        # sys.stdout too: hostctl points the real one at /dev/null.
        with contextlib.redirect_stdout(pipe), contextlib.redirect_stderr(err):
            app = shell.HostctlApp(stdout=pipe, stderr=err)
            rc = app.run([*cli.TOKEN_ARGS, *argv])
        return rc, err.getvalue()

    def test_a_list_piped_into_head(self):
        self.useFixture(fakes.ComputeFixture())
        rc, err = self.run_into_closed_pipe('service-list')
        self.assertEqual((exceptions.ExitCode.OK, ''), (rc, err))

    def test_a_check_keeps_its_code(self):
        # server-fping's verdict is its exit code, printed or not.
        compute = self.useFixture(fakes.ComputeFixture())
        web1 = {
            'id': '6c1d5a3e-0000-4000-8000-000000000001',
            'name': 'web-1',
            'tenant_id': 'p1',
            'addresses': {'net': [{'addr': '192.0.2.12', 'version': 4}]},
        }
        compute.mock.get(
            fakes.COMPUTE_URL + '/servers/detail', json={'servers': [web1]}
        )
        self.useFixture(
            fixtures.MockPatch(
                'hostctl.ping.probe.Prober.run',
                side_effect=lambda targets: {
                    key: probe.Answer(False, probe.NO_ANSWER)
                    for key in targets
                },
            )
        )
        rc, err = self.run_into_closed_pipe(
            'server-fping', '--via', 'probe', 'web-1'
        )
        self.assertEqual(exceptions.ExitCode.NOT_ALIVE, rc, err)


class CloudsYamlTest(cli.LabCloudTestCase):
    """Password authentication through clouds.yaml and secure.yaml."""

    def test_password_from_secure_yaml_and_catalogue_endpoint(self):
        rc, out, err = cli.run_cli(
            ['--os-cloud', 'lab', 'service-list', '-f', 'json']
        )
        self.assertEqual((0, ''), (rc, err))
        self.assertEqual(3, len(json.loads(out)))
        sent = self.tokens.last_request.json()['auth']['identity']
        self.assertEqual('s3cret-pw', sent['password']['user']['password'])
        api = self.compute.api_requests()[-1]
        self.assertEqual(fakes.TOKEN, api.headers['X-Auth-Token'])
        self.assertEqual('compute.example', api.hostname)

    def test_interface_option_picks_the_endpoint(self):
        internal = self.compute.mock.get(
            'http://internal.example:8774/v2.1/os-services',
            json={'services': []},
        )
        self.compute.mock.get(
            'http://internal.example:8774/v2.1', json=fakes.version_document()
        )
        rc, _, err = cli.run_cli(
            ['--os-cloud', 'lab', '--os-interface', 'internal', 'service-list']
        )
        self.assertEqual((0, ''), (rc, err))
        self.assertTrue(internal.called)

    def test_a_token_beside_a_cloud_with_a_password(self):
        # OS_CLOUD left in the shell, a token on the command line: the
        # cloud's password and the token cannot both be used. Said as that,
        # not as a clouds.yaml laid out wrong.
        self.useFixture(fixtures.EnvironmentVariable('OS_CLOUD', 'lab'))
        rc, out, err = cli.run_cli(
            [
                '--os-token',
                'tok',
                '--os-endpoint',
                fakes.COMPUTE_URL,
                'service-list',
            ]
        )
        self.assertEqual((2, ''), (rc, out))
        self.assertEqual(
            "hostctl: a token (--os-token or OS_TOKEN) and cloud 'lab', "
            'which has credentials of its own in clouds.yaml: use one or '
            'the other (for the token alone, name no cloud and give '
            '--os-endpoint)\n',
            err,
        )
        self.assertEqual([], self.compute.api_requests())

    def test_os_cloud_from_the_environment(self):
        self.useFixture(fixtures.EnvironmentVariable('OS_CLOUD', 'lab'))
        rc, _, _ = cli.run_cli(['service-list'])
        self.assertEqual(0, rc)

    def test_wrong_password_is_auth_exit_5(self):
        self.compute.mock.post(
            fakes.IDENTITY_URL + '/auth/tokens',
            status_code=401,
            json={
                'error': {
                    'code': 401,
                    'message': 'The request you have '
                    'made requires authentication.',
                }
            },
        )
        rc, out, err = cli.run_cli(['--os-cloud', 'lab', 'service-list'])
        self.assertEqual(exceptions.ExitCode.AUTH, rc)
        self.assertNotIn('s3cret-pw', out + err)
        self.assertEqual(1, len(err.splitlines()), err)

    def test_unreachable_identity_is_server_exit_7(self):
        import requests

        self.compute.mock.post(
            fakes.IDENTITY_URL + '/auth/tokens',
            exc=requests.exceptions.ConnectionError,
        )
        rc, _, err = cli.run_cli(['--os-cloud', 'lab', 'service-list'])
        self.assertEqual(exceptions.ExitCode.SERVER, rc)
        self.assertEqual(1, len(err.splitlines()), err)


class StartUpTest(cli.TestCase):
    """What --help and --version import (each run pays for every import)."""

    # Heavy, or none of a command's business before it runs: the clients,
    # the libraries they need, plugin discovery, the interactive shell.
    HEAVY = (
        'keystoneauth1',
        'openstack',
        'requests',
        'urllib3',
        'cmd2',
        'osc_lib',
        'yaml',
        # (stevedore and importlib.metadata are cliff's own imports: they
        # load, but nothing scans the installed distributions.)
        'hostctl.v2_1',
        'hostctl.database',
        'hostctl.cache',
        'hostctl.health',
        'prometheus_client',
    )

    def python(self, *args, stdout=subprocess.PIPE):
        """A new interpreter (this test process has imported everything,
        and the collector's state is the process's), in the top folder,
        with a cache of its own."""
        return subprocess.run(
            [sys.executable, *args],
            stdout=stdout,
            stderr=subprocess.PIPE,
            text=True,
            cwd=os.path.dirname(os.path.dirname(os.path.dirname(__file__))),
            env={
                **os.environ,
                'XDG_CACHE_HOME': self.useFixture(fixtures.TempDir()).path,
            },
        )

    def imported_by(self, argv):
        """The modules of HEAVY and hostctl.commands.* `argv` imports."""
        code = (
            'import sys\n'
            'from hostctl import shell\n'
            'try:\n'
            f'    shell.main({list(argv)!r})\n'
            'except SystemExit:\n'
            '    pass\n'
            f'heavy = {self.HEAVY!r}\n'
            'print(sorted(m for m in sys.modules if m in heavy or '
            'm.startswith(tuple(h + "." for h in heavy)) or '
            'm.startswith("hostctl.commands.")))\n'
        )
        result = self.python('-c', code)
        self.assertEqual(0, result.returncode, result.stderr)
        return result.stdout.strip().splitlines()[-1]

    def test_command_help_imports_that_command_only(self):
        self.assertEqual(
            "['hostctl.commands.base', 'hostctl.commands.fields', "
            "'hostctl.commands.services']",
            self.imported_by(['service-force-down', '--help']),
        )
        self.assertEqual(
            "['hostctl.commands.base', 'hostctl.commands.fields', "
            "'hostctl.commands.servers']",
            self.imported_by(['server-list', '--help']),
        )
        self.assertEqual(
            "['hostctl.commands.base', 'hostctl.commands.fields', "
            "'hostctl.commands.moves']",
            self.imported_by(['host-evacuate', '--help']),
        )
        self.assertEqual(
            "['hostctl.commands.base', 'hostctl.commands.fields', "
            "'hostctl.commands.migrations']",
            self.imported_by(['migration-list', '--help']),
        )
        self.assertEqual(
            "['hostctl.commands.base', 'hostctl.commands.fields', "
            "'hostctl.commands.hosts']",
            self.imported_by(['host-up', '--help']),
        )
        self.assertEqual(
            "['hostctl.commands.base', 'hostctl.commands.check', "
            "'hostctl.commands.fields']",
            self.imported_by(['check', '--help']),
        )
        # The watch engine and the webhook's requests wait for the run.
        self.assertEqual(
            "['hostctl.commands.base', 'hostctl.commands.fields', "
            "'hostctl.commands.watch']",
            self.imported_by(['watch', '--help']),
        )
        self.assertEqual(
            "['hostctl.commands.base', 'hostctl.commands.fields', "
            "'hostctl.commands.wait']",
            self.imported_by(['wait', '--help']),
        )

    def test_version_imports_no_command(self):
        self.assertEqual('[]', self.imported_by(['--version']))

    def test_the_command_list_imports_no_command(self):
        self.assertEqual('[]', self.imported_by(['--help']))
        self.assertEqual('[]', self.imported_by(['help']))

    def test_no_stand_in_modules(self):
        # Stand-ins in sys.modules keep a library's imports from running,
        # and break silently when the library changes: none, anywhere.
        top = os.path.dirname(os.path.dirname(os.path.dirname(__file__)))
        for folder, _, names in os.walk(os.path.join(top, 'hostctl')):
            for name in names:
                if name.endswith('.py'):
                    path = os.path.join(folder, name)
                    self.assertEqual([], _writes_to_sys_modules(path), path)

    def test_deferred_modules_still_work_when_used(self):
        # 'complete' is cliff's own command: it asks stevedore for its
        # formatters, which hostctl otherwise loads by name.
        code = (
            'from hostctl import shell\n'
            'shell.main(["complete"])\n'
            'shell.main(["help", "complete"])\n'
        )
        result = self.python('-c', code)
        self.assertEqual('', result.stderr)
        self.assertIn('service-force-down', result.stdout)
        self.assertIn('usage: hostctl complete', result.stdout)

    def test_start_up_and_exit_as_the_executable_runs_them(self):
        # The executable turns the garbage collector off while it starts,
        # and on again once the session is made: a command that runs for
        # days (watch) collects as usual. wcwidth, which only a table
        # needs, is imported by a thread of its own by then.
        code = (
            'import gc, sys\n'
            'from hostctl import session, startup\n'
            'from hostctl.v2_1 import services\n'
            'from tests.unit import cli, fakes\n'
            'seen = []\n'
            'def spy(real):\n'
            '    def call(*args, **kwargs):\n'
            '        seen.append(gc.isenabled())\n'
            '        return real(*args, **kwargs)\n'
            '    return call\n'
            'session.connect = spy(session.connect)\n'
            'manager = services.ServiceManager\n'
            'manager.list = spy(manager.list)\n'
            'fakes.ComputeFixture().setUp()\n'
            "sys.argv = ['hostctl', *cli.TOKEN_ARGS, 'service-list', "
            "'-f', 'json']\n"
            "assert 'wcwidth' not in sys.modules\n"
            'code = startup.console()\n'
            'print(code, seen, gc.isenabled(), gc.get_freeze_count() > 0,'
            " 'wcwidth' in sys.modules)\n"
        )
        result = self.python('-c', code)
        self.assertEqual(('', 0), (result.stderr, result.returncode))
        # Off while connecting, on for the listing; frozen at the end; the
        # JSON output drew no table, and wcwidth was imported all the same.
        self.assertEqual(
            '0 [False, True] True True True', result.stdout.splitlines()[-1]
        )

    def executable(self, *argv, stdout=subprocess.PIPE):
        """``python -m hostctl``: the executable's own start and exit."""
        return self.python('-m', 'hostctl', *argv, stdout=stdout)

    def test_the_executable_leaves_with_the_commands_code(self):
        # It ends the process itself after the last exit handler: the
        # command's code and every line of output must survive that.
        done = self.executable('--version')
        self.assertEqual((0, ''), (done.returncode, done.stderr))
        self.assertRegex(done.stdout, r'^hostctl \S+\n$')
        done = self.executable('no-such-command')
        self.assertEqual(2, done.returncode)
        self.assertEqual(1, len(done.stderr.splitlines()), done.stderr)
        # Nothing listens on port 9 of the loopback: refused at once.
        done = self.executable(
            '--retries',
            '0',
            '--os-token',
            'tok',
            '--os-endpoint',
            'http://127.0.0.1:9/v2.1',
            'service-list',
        )
        self.assertEqual(
            (int(exceptions.ExitCode.SERVER), ''),
            (done.returncode, done.stdout),
        )
        self.assertIn('127.0.0.1:9', done.stderr)
        # The command list, every line of it, as in this process.
        done = self.executable('help')
        rc, out, err = cli.run_cli(['help'])
        self.assertEqual(0, rc)
        self.assertEqual(
            (0, out, err), (done.returncode, done.stdout, done.stderr)
        )

    def test_exit_handlers_from_before_hostctl_still_run(self):
        # A coverage hook registers its exit handler before hostctl starts;
        # hostctl then leaves the exit to Python, and the handler runs.
        code = (
            'import atexit, sys\n'
            "atexit.register(print, 'handler ran')\n"
            "sys.argv = ['hostctl', '--version']\n"
            'from hostctl import startup\n'
            'sys.exit(startup.console())\n'
        )
        done = self.python('-c', code)
        self.assertEqual((0, ''), (done.returncode, done.stderr))
        self.assertEqual('handler ran', done.stdout.splitlines()[-1])

    def test_the_executable_into_a_closed_pipe(self):
        reader, writer = os.pipe()
        os.close(reader)
        try:
            done = self.executable('--help', stdout=writer)
        finally:
            os.close(writer)
        self.assertEqual((0, ''), (done.returncode, done.stderr))


class OpenrcTest(cli.LabCloudTestCase):
    """No cloud named: the OS_* variables alone, as an openrc file sets
    them, go straight to keystoneauth (clouds.yaml is not consulted)."""

    def setUp(self):
        super().setUp()
        for name, value in (
            ('OS_AUTH_URL', fakes.IDENTITY_URL),
            ('OS_USERNAME', 'operator'),
            ('OS_PASSWORD', 'openrc-pw'),
            ('OS_PROJECT_NAME', 'ops'),
            ('OS_USER_DOMAIN_NAME', 'Default'),
            ('OS_PROJECT_DOMAIN_NAME', 'Default'),
            ('OS_REGION_NAME', 'RegionOne'),
        ):
            self.useFixture(fixtures.EnvironmentVariable(name, value))

    def test_password_and_scope_from_the_variables(self):
        rc, out, err = cli.run_cli(
            ['--no-cache', 'service-list', '-f', 'json']
        )
        self.assertEqual((0, ''), (rc, err))
        self.assertEqual(3, len(json.loads(out)))
        body = self.tokens.last_request.json()['auth']
        self.assertEqual(
            {
                'name': 'operator',
                'password': 'openrc-pw',
                'domain': {'name': 'Default'},
            },
            body['identity']['password']['user'],
        )
        self.assertEqual(
            {'name': 'ops', 'domain': {'name': 'Default'}},
            body['scope']['project'],
        )
        api = self.compute.api_requests()[-1]
        self.assertEqual(fakes.TOKEN, api.headers['X-Auth-Token'])

    def test_missing_password_is_a_usage_error(self):
        self.useFixture(fixtures.EnvironmentVariable('OS_PASSWORD'))
        rc, out, err = cli.run_cli(['--no-cache', 'service-list'])
        self.assertEqual((2, ''), (rc, out))
        self.assertEqual(
            'hostctl: not enough to authenticate (password): give '
            '--os-password (OS_PASSWORD), or name a cloud with --os-cloud\n',
            err,
        )
        self.assertFalse(self.tokens.called)

    def test_a_named_cloud_still_goes_through_clouds_yaml(self):
        # (Variables set beside a named cloud override it, as in openstack.)
        for name in ('OS_USERNAME', 'OS_PASSWORD'):
            self.useFixture(fixtures.EnvironmentVariable(name))
        rc, _, err = cli.run_cli(
            ['--no-cache', '--os-cloud', 'lab', 'service-list']
        )
        self.assertEqual((0, ''), (rc, err))
        user = self.tokens.last_request.json()['auth']['identity']
        self.assertEqual('admin', user['password']['user']['name'])
        self.assertEqual('s3cret-pw', user['password']['user']['password'])

    def test_a_token_alone_means_token_authentication(self):
        for name in ('OS_USERNAME', 'OS_PASSWORD'):
            self.useFixture(fixtures.EnvironmentVariable(name))
        rc, _, err = cli.run_cli(
            ['--no-cache', '--os-token', 'given-token', 'service-list']
        )
        self.assertEqual((0, ''), (rc, err))
        body = self.tokens.last_request.json()['auth']['identity']
        self.assertEqual(['token'], body['methods'])
        self.assertEqual('given-token', body['token']['id'])


class UnscopedTokenTest(OpenrcTest):
    def test_no_project_is_said_not_blamed_on_the_region(self):
        for name in ('OS_PROJECT_NAME', 'OS_PROJECT_DOMAIN_NAME'):
            self.useFixture(fixtures.EnvironmentVariable(name))
        body = fakes.token_response()
        del body['token']['project']
        del body['token']['catalog']
        self.compute.mock.post(
            fakes.IDENTITY_URL + '/auth/tokens',
            json=body,
            headers={'X-Subject-Token': fakes.TOKEN},
            status_code=201,
        )
        rc, out, err = cli.run_cli(['--no-cache', 'service-list'])
        self.assertEqual((2, ''), (rc, out))
        self.assertEqual(
            'hostctl: the token is scoped to no project, so it comes with no '
            'service catalogue: give --os-project-name or --os-project-id '
            '(or project_name in clouds.yaml)\n',
            err,
        )

    def test_an_auth_url_that_answers_404_is_not_wrong_credentials(self):
        self.compute.mock.post(
            fakes.IDENTITY_URL + '/auth/tokens',
            status_code=404,
            text='<html><title>404 Not Found</title></html>',
        )
        rc, _, err = cli.run_cli(['--no-cache', 'service-list'])
        self.assertEqual(2, rc)
        self.assertIn('check --os-auth-url', err)
        self.assertNotIn('credentials', err)


def _writes_to_sys_modules(path: str) -> list[int]:
    """Lines of `path` that store into, delete from or update x.modules."""
    import ast

    with open(path, encoding='utf-8') as f:
        tree = ast.parse(f.read())

    def is_modules(node):
        return isinstance(node, ast.Attribute) and node.attr == 'modules'

    lines = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Subscript)
            and is_modules(node.value)
            and isinstance(node.ctx, ast.Store | ast.Del)
        ) or (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in ('update', 'setdefault', 'pop')
            and is_modules(node.func.value)
        ):
            lines.append(node.lineno)
    return lines
