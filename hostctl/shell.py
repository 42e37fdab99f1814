"""The hostctl command line: global options, command lookup, exit codes.

Commands are entry points (setup.cfg, ``hostctl.commands``) loaded one at
a time by cliff when they are run, and the API clients are built on first
use (clientmanager), so ``hostctl <command> --help`` imports neither
keystoneauth nor openstacksdk.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys

from hostctl import commandmanager

with commandmanager.deferred_imports():
    from cliff import app
    from cliff import help as cliff_help
    from cliff import lister  # noqa: F401  (the commands' bases, imported
    from cliff import show  # noqa: F401  here to defer their imports too)

from hostctl import exceptions
from hostctl.exceptions import ExitCode


def _env(*names: str, default=None):
    for name in names:
        value = os.environ.get(name)
        if value:
            return value
    return default


def _api_version(text: str) -> str:
    if text == 'auto':
        return text  # the default: nothing to check
    from hostctl.v2_1 import base

    try:
        base.parse_requested(text)
    except exceptions.UsageError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return text


def _timeout(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if value <= 0:
        raise argparse.ArgumentTypeError(
            f'invalid timeout {text!r}: give seconds, a number above 0'
        )
    return value


def _retries(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(
            f'invalid retries {text!r}: give a whole number, 0 or more'
        )
    return value


def _exit_code_table() -> str:
    lines = ['exit codes:']
    for code, meaning in exceptions.EXIT_CODE_HELP.items():
        lines.append(f'  {int(code):<3} {meaning}')
    return '\n'.join(lines)


class HelpCommand(cliff_help.HelpCommand):
    """Print detailed help for another command."""

    def _load_hooks(self):
        # As in commands.base: hostctl has no hook plugins to look for.
        self._hooks = []

    def get_epilog(self):
        # As in commands.base: skip cliff's scan of installed distributions.
        return ''

    def take_action(self, parsed_args):
        try:
            return super().take_action(parsed_args)
        except ValueError:
            name = ' '.join(parsed_args.cmd)
            self.app.stderr.write(
                f'hostctl: {name!r} is not a hostctl command; see '
                "'hostctl help'\n"
            )
            return ExitCode.USAGE


class HostctlApp(app.App):
    NAME = 'hostctl'
    # One line on stderr per message; the "hostctl:" prefix says who spoke.
    CONSOLE_MESSAGE_FORMAT = 'hostctl: %(message)s'

    def __init__(self, **kwargs) -> None:
        super().__init__(
            description=__doc__.splitlines()[0],
            version=commandmanager.version(),
            command_manager=commandmanager.CommandManager(),
            # 'hostctl <command> --help' is that command's help, not ours.
            deferred_help=True,
            **kwargs,
        )
        self.command_manager.add_command('help', HelpCommand)
        self.client_manager = None

    def build_option_parser(self, description, version, argparse_kwargs=None):
        parser = super().build_option_parser(
            'Host and instance health for OpenStack operators.',
            version,
            argparse_kwargs={
                'prog': 'hostctl',
                'epilog': _exit_code_table(),
                'formatter_class': argparse.RawDescriptionHelpFormatter,
            },
        )
        # cliff names the program in --version after sys.argv[0] ('__main__'
        # under python -m), whatever NAME says; say 'hostctl' either way.
        for action in parser._actions:
            if isinstance(action, argparse._VersionAction):
                action.version = f'hostctl {version}'
        _add_auth_options(parser)
        _add_connection_options(parser)
        exceptions.one_line_errors(parser, "'hostctl --help'")
        _command_timeout_stays(parser)
        return parser

    def configure_logging(self) -> None:
        # --debug shows the HTTP exchange as well as tracebacks, as nova's
        # --debug does; keystoneauth logs it at DEBUG, tokens hashed.
        if self.options.debug:
            self.options.verbose_level = max(self.options.verbose_level, 2)
        super().configure_logging()
        if self.options.verbose_level < 2:
            # The libraries' own warnings ("failed to discover versions...")
            # would add lines to hostctl's one-line errors; -v -v shows them.
            for name in ('keystoneauth', 'openstack', 'stevedore', 'urllib3'):
                logging.getLogger(name).setLevel(logging.ERROR)

    def initialize_app(self, argv) -> None:
        from hostctl import clientmanager

        self.client_manager = clientmanager.ClientManager(self.options)

    def clean_up(self, cmd, result, err) -> None:
        if self.client_manager is not None:
            self.client_manager.save_cache()

    def interact(self) -> None:
        # No command given. cliff would start an interactive shell; a tool
        # run from scripts should say what it needs instead.
        self.parser.print_help(self.stderr)

    def run(self, argv) -> int:
        code = super().run(argv)
        return ExitCode.USAGE if self.interactive_mode else code

    def run_subcommand(self, argv) -> int:
        try:
            self.command_manager.find_command(argv)
        except ValueError:
            matches = self.get_fuzzy_matches(argv[0])
            hint = f'; did you mean {", ".join(matches)}?' if matches else '.'
            self.stderr.write(
                f'hostctl: {argv[0]!r} is not a hostctl command{hint} '
                "See 'hostctl help'.\n"
            )
            return ExitCode.USAGE
        return super().run_subcommand(argv)


def _command_timeout_stays(parser) -> None:
    """After the command's name, --timeout is the command's own.

    cliff parses the whole command line with the global parser, so global
    options may come anywhere; but ``wait`` and ``watch`` have a
    ``--timeout`` of their own (the whole command's deadline), which the
    global one (each request's) would take. So after the command's name,
    ``--timeout`` is hidden from the global parser and left in place for
    the command; every other global option works anywhere, as before.
    """
    parse = parser.parse_known_args
    hidden = '\0timeout'

    def takes_value(token: str) -> bool:
        action = parser._option_string_actions.get(token)
        return action is not None and action.nargs != 0

    def parse_known_args(args=None, namespace=None):
        args = list(args or ())
        i = 0
        while i < len(args) and args[i].startswith('-') and args[i] != '--':
            i += 2 if takes_value(args[i]) else 1
        tail = [
            hidden + a[9:]
            if a == '--timeout' or a.startswith('--timeout=')
            else a
            for a in args[i:]
        ]
        options, rest = parse(args[:i] + tail, namespace)
        return options, [
            '--timeout' + a[len(hidden) :] if a.startswith(hidden) else a
            for a in rest
        ]

    parser.parse_known_args = parse_known_args


def _add_auth_options(parser) -> None:
    group = parser.add_argument_group(
        'authentication',
        'Read from clouds.yaml with --os-cloud, or given here; each option '
        'defaults to the OS_* environment variable of the same name.',
    )
    add = group.add_argument
    add(
        '--os-cloud',
        metavar='<name>',
        default=_env('OS_CLOUD'),
        help='Cloud name in clouds.yaml.',
    )
    add(
        '--os-auth-type',
        metavar='<type>',
        default=_env('OS_AUTH_TYPE'),
        help='keystoneauth plugin: password, token, '
        'v3applicationcredential, ... (default: password, or token '
        'when only --os-token is given).',
    )
    add(
        '--os-auth-url',
        metavar='<url>',
        default=_env('OS_AUTH_URL'),
        help='Identity service URL.',
    )
    add(
        '--os-username',
        metavar='<name>',
        default=_env('OS_USERNAME'),
        help='User name (password authentication).',
    )
    add(
        '--os-user-id',
        metavar='<id>',
        default=_env('OS_USER_ID'),
        help='User ID, instead of the name.',
    )
    add(
        '--os-password',
        metavar='<password>',
        default=_env('OS_PASSWORD'),
        help='Password (better in secure.yaml or OS_PASSWORD).',
    )
    add(
        '--os-project-name',
        metavar='<name>',
        default=_env('OS_PROJECT_NAME', 'OS_TENANT_NAME'),
        help='Project to scope to (also OS_TENANT_NAME).',
    )
    add(
        '--os-project-id',
        metavar='<id>',
        default=_env('OS_PROJECT_ID', 'OS_TENANT_ID'),
        help='Project ID, instead of the name (also OS_TENANT_ID).',
    )
    add(
        '--os-user-domain-name',
        metavar='<name>',
        default=_env('OS_USER_DOMAIN_NAME'),
        help="The user's domain, for example Default.",
    )
    add(
        '--os-user-domain-id',
        metavar='<id>',
        default=_env('OS_USER_DOMAIN_ID'),
        help="The user's domain ID, for example default.",
    )
    add(
        '--os-project-domain-name',
        metavar='<name>',
        default=_env('OS_PROJECT_DOMAIN_NAME'),
        help="The project's domain.",
    )
    add(
        '--os-project-domain-id',
        metavar='<id>',
        default=_env('OS_PROJECT_DOMAIN_ID'),
        help="The project's domain ID.",
    )
    add(
        '--os-domain-name',
        metavar='<name>',
        default=_env('OS_DOMAIN_NAME'),
        help='Domain to scope to (domain-scoped token).',
    )
    add(
        '--os-domain-id',
        metavar='<id>',
        default=_env('OS_DOMAIN_ID'),
        help='Domain ID to scope to, instead of the name.',
    )
    add(
        '--os-token',
        metavar='<token>',
        default=_env('OS_TOKEN'),
        help='An existing token. With --os-endpoint and no --os-auth-url, '
        'used as is against that endpoint (no catalogue needed).',
    )
    add(
        '--os-application-credential-id',
        metavar='<id>',
        default=_env('OS_APPLICATION_CREDENTIAL_ID'),
        help='Application credential ID (--os-auth-type '
        'v3applicationcredential).',
    )
    add(
        '--os-application-credential-name',
        metavar='<name>',
        default=_env('OS_APPLICATION_CREDENTIAL_NAME'),
        help='Application credential name, with --os-username, instead of '
        'the ID.',
    )
    add(
        '--os-application-credential-secret',
        metavar='<secret>',
        default=_env('OS_APPLICATION_CREDENTIAL_SECRET'),
        help="The application credential's secret.",
    )


def _add_connection_options(parser) -> None:
    group = parser.add_argument_group('connection')
    add = group.add_argument
    add(
        '--os-region-name',
        metavar='<region>',
        default=_env('OS_REGION_NAME'),
        help='Region of the endpoints to use, for example RegionOne.',
    )
    add(
        '--os-interface',
        metavar='<interface>',
        choices=('public', 'internal', 'admin'),
        default=_env('OS_INTERFACE'),
        help='Endpoint interface: public, internal or admin.',
    )
    add(
        '--os-endpoint',
        metavar='<url>',
        default=_env('OS_ENDPOINT'),
        help="Compute endpoint to use instead of the catalogue's.",
    )
    add(
        '--os-database-endpoint',
        metavar='<url>',
        default=_env('OS_DATABASE_ENDPOINT'),
        help="Database (Trove) endpoint to use instead of the catalogue's.",
    )
    add(
        '--os-cacert',
        metavar='<file>',
        default=_env('OS_CACERT'),
        help='CA bundle to verify TLS servers with.',
    )
    add(
        '--os-cert',
        metavar='<file>',
        default=_env('OS_CERT'),
        help='Client certificate for TLS.',
    )
    add(
        '--os-key',
        metavar='<file>',
        default=_env('OS_KEY'),
        help='Client key for TLS.',
    )
    add(
        '--insecure',
        action='store_true',
        default=_env('OS_INSECURE', default='').lower() in ('1', 'true'),
        help='Do not verify TLS certificates (unsafe).',
    )
    add(
        '--timeout',
        metavar='<seconds>',
        type=_timeout,
        default=_env('HOSTCTL_TIMEOUT'),
        help='Give up on a request after this many seconds (default: 60; '
        "server-fping's probes have --probe-timeout); a request that timed "
        'out is not retried.',
    )
    add(
        '--retries',
        metavar='<count>',
        type=_retries,
        default=_env('HOSTCTL_RETRIES'),
        help='Retry a request that can safely be repeated (GET, PUT) this '
        'many times, with backoff, when the connection fails or the cloud '
        'answers 502, 503 or 504 (default: 3; 0 turns retries off).',
    )
    add(
        '--no-cache',
        action='store_true',
        default=_env('HOSTCTL_NO_CACHE', default='').lower()
        in ('1', 'true', 'yes'),
        help='Neither use nor keep the token and API version cache '
        '(also HOSTCTL_NO_CACHE=1). The cache saves a run the requests '
        'for a token and for version discovery.',
    )
    add(
        '--os-compute-api-version',
        metavar='<version>',
        type=_api_version,
        default=_env('OS_COMPUTE_API_VERSION', default='auto'),
        help="Compute API microversion, e.g. 2.53; 'auto' (default) uses "
        'the highest that both hostctl and the cloud support.',
    )


def main(argv=None) -> int:
    return HostctlApp().run(sys.argv[1:] if argv is None else list(argv))


if __name__ == '__main__':
    sys.exit(main())
