"""The hostctl command line: global options, command lookup, exit codes.

Commands are entry points (setup.cfg, ``hostctl.commands``) loaded one at
a time by cliff when they are run, and the API clients are built on first
use (clientmanager), so ``hostctl <command> --help`` imports neither
keystoneauth nor openstacksdk (see hostctl.startup). The global options
are declared in hostctl.options, the exit codes in hostctl.exceptions.
"""

from __future__ import annotations

import argparse
import logging
import sys

from cliff import app
from cliff import help as cliff_help

from hostctl import commandmanager
from hostctl import exceptions
from hostctl import options
from hostctl import startup
from hostctl.exceptions import ExitCode


class HelpCommand(cliff_help.HelpCommand):
    """Print detailed help for another command."""

    def _load_hooks(self):
        # As in commands.base: hostctl has no hook plugins to look for.
        self._hooks = []

    def get_epilog(self):
        # As in commands.base: skip cliff's scan of installed distributions.
        return ''

    def take_action(self, parsed_args):
        if not parsed_args.cmd:
            self.app.print_command_list()
            return 0
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
            version=startup.version(),
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
                'epilog': exceptions.exit_code_table(),
                'formatter_class': argparse.RawDescriptionHelpFormatter,
            },
        )
        # cliff names the program in --version after sys.argv[0] ('__main__'
        # under python -m), whatever NAME says; say 'hostctl' either way.
        for action in parser._actions:
            if isinstance(action, argparse._VersionAction):
                action.version = f'hostctl {version}'
        options.add_to(parser)
        exceptions.one_line_errors(parser, "'hostctl --help'")
        _command_timeout_stays(parser)
        return parser

    def configure_logging(self) -> None:
        # --debug shows the HTTP exchange as well as tracebacks, as nova's
        # --debug does; keystoneauth logs it at DEBUG, tokens hashed.
        if self.options.debug:
            self.options.verbose_level = max(self.options.verbose_level, 2)
        if self.options.log_file:
            _check_log_file(self.options.log_file, self.stderr)
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

    def print_help_if_requested(self) -> None:
        if self.options.deferred_help:
            self.print_command_list()
            raise cliff_help.HelpExit()

    def print_command_list(self) -> None:
        """The help, and every command with its one line, as cliff prints
        them, from the static table: no command is imported."""
        import autopage.argparse

        with autopage.argparse.help_pager(self.stdout) as out:
            self.parser.print_help(out)
            self._write_commands(out)

    def _write_commands(self, out) -> None:
        out.write('\nCommands:\n')
        manager = self.command_manager
        width = max(map(len, manager.commands))
        for name in sorted(manager.commands):
            line = manager.summary(name).rstrip('.')
            out.write(f'  {name:<{width}}  {line}\n')

    def interact(self) -> None:
        # No command given. cliff would start an interactive shell; a tool
        # run from scripts should say what it needs instead: the commands
        # (the global options alone are some 90 lines, and name none).
        self.stderr.write(
            'usage: hostctl [<global options>] <command> [<arguments>]\n'
        )
        self._write_commands(self.stderr)
        self.stderr.write(
            "\nSee 'hostctl --help' for the global options and exit codes, "
            "and 'hostctl help <command>' for a command's.\n"
        )

    def run(self, argv) -> int:
        code = super().run(argv)
        return ExitCode.USAGE if self.interactive_mode else code

    def run_subcommand(self, argv) -> int:
        if argv and argv[0].startswith('-'):
            # An option argparse did not know, before the command.
            self.stderr.write(
                f"hostctl: unknown option {argv[0]!r}; see 'hostctl --help'\n"
            )
            return ExitCode.USAGE
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


def _check_log_file(path: str, stderr) -> None:
    # cliff would report an unwritable log file as an unexpected error.
    try:
        with open(path, 'a', encoding='utf-8'):
            pass
    except OSError as exc:
        stderr.write(
            f'hostctl: --log-file: cannot write {path} ({exc.strerror})\n'
        )
        raise SystemExit(int(exceptions.ExitCode.USAGE)) from None


def main(argv=None) -> int:
    try:
        code = HostctlApp().run(sys.argv[1:] if argv is None else list(argv))
    except SystemExit as exc:  # argparse: --version, a bad global option
        code = exc.code
    return _flush_output(code)


def _flush_output(code):
    """`code`, once the output is written; exit 2 if it cannot be.

    Python would otherwise report a failed flush at exit with a message of
    its own and exit 120. A reader that went away (``| head``) is no
    error: what it read is what it wanted.
    """
    import os

    try:
        sys.stdout.flush()
    except BrokenPipeError:
        pass
    except OSError as exc:
        sys.stderr.write(
            f'hostctl: cannot write the output ({exc.strerror})\n'
        )
        code = ExitCode.USAGE
    else:
        return code
    # Nothing more to write: keep the interpreter's own flush quiet.
    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (OSError, ValueError):  # not a file (a test's stream)
        pass
    return code


if __name__ == '__main__':
    sys.exit(startup.console())
