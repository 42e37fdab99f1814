"""What every hostctl command shares: error reporting and arguments."""

from __future__ import annotations

import contextlib
import logging

from cliff import command
from cliff import lister
from cliff import show

from hostctl import startup
from hostctl import exceptions
from hostctl import values
from hostctl.commands import fields

LOG = logging.getLogger('hostctl')

# Formats that print a value's text: a value the API did not give would
# print as "None" there, so it is blank, as in a table. json and yaml keep
# null.
TEXT_FORMATS = frozenset({'csv', 'value', 'shell'})


def _blank_empty(values, parsed_args):
    if parsed_args.formatter not in TEXT_FORMATS:
        return values
    return tuple(_text(v) for v in values)


def _text(value):
    # A nested structure (host-show's tables, hypervisor-show's extra
    # keys) as JSON, which a script can read, not as Python's repr.
    if value is None or value is fields.EMPTY:
        return ''
    if isinstance(value, fields.Table | fields.Structured):
        import json

        return json.dumps(value.machine_readable(), sort_keys=True)
    return value


class _Reporting(command.Command):
    """Turns any error into one line on stderr and its exit code.

    cliff would log the error and exit 1 whatever it was; runbooks need to
    tell "not found" from "cloud unreachable", so the code comes from
    `exceptions.exit_code_for`. --debug adds the traceback, not a new code.
    """

    def run(self, parsed_args):
        try:
            return super().run(parsed_args)
        except Exception as exc:
            return int(self.report(exc))

    def report(self, exc: Exception) -> exceptions.ExitCode:
        """Say what went wrong in one line on stderr; its exit code."""
        exc = self.explain(exc)
        if self.app.options.debug:
            LOG.exception('traceback, as --debug asked:')
        self.app.stderr.write(f'hostctl: {self.describe(exc)}\n')
        if _unknown_column(exc):
            return exceptions.ExitCode.USAGE
        return exceptions.exit_code_for(exc)

    def explain(self, exc: Exception) -> Exception:
        """`exc`, or a better error where the session knows its real cause
        (an unscoped token's missing catalogue, say)."""
        manager = getattr(self.app, 'client_manager', None)
        return exc if manager is None else manager.explain(exc)

    def describe(self, exc: Exception) -> str:
        """The words for an error that ends a command."""
        exc = self.explain(exc)
        if _unknown_column(exc):
            # cliff's -c check, after the command has run.
            return f'-c: {exc}'.replace('No recognized', 'no such')
        if isinstance(exc, exceptions.HostctlError):
            return str(exc)
        rerun = '' if self.app.options.debug else ' (rerun with --debug)'
        return f'unexpected error: {exc.__class__.__name__}: {exc}{rerun}'

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        name = f' {self.cmd_name}' if self.cmd_name else ''
        exceptions.one_line_errors(parser, f"'hostctl help{name}'")
        return parser

    def _load_hooks(self):
        # cliff asks stevedore for hook plugins; hostctl has none.
        self._hooks = []

    def get_epilog(self):
        # cliff would name the plugin that provides the command, at the cost
        # of reading every installed distribution's metadata (about 0.1 s of
        # each --help); every hostctl command is hostctl's own.
        return self._epilog or ''

    @property
    def compute(self):
        return self.app.client_manager.compute

    @property
    def database(self):
        return self.app.client_manager.database

    @property
    def identity(self):
        return self.app.client_manager.identity


@contextlib.contextmanager
def _writing():
    """Output that cannot be written is the user's to fix (exit 2); a
    reader that went away (``| head``) took what it wanted."""
    try:
        yield
    except BrokenPipeError:
        pass
    except OSError as exc:
        raise exceptions.UsageError(
            f'cannot write the output ({exc.strerror})'
        ) from exc


def _unknown_column(exc: Exception) -> bool:
    return isinstance(exc, ValueError) and str(exc).startswith(
        'No recognized column names'
    )


class Command(_Reporting):
    """A command that writes its own output (check's formats)."""


class Lister(_Reporting, lister.Lister):
    def _load_formatter_plugins(self):
        return startup.formatters(self.formatter_namespace)

    def produce_output(self, parsed_args, column_names, data):
        rows = (_blank_empty(row, parsed_args) for row in data)
        with _writing():
            return super().produce_output(parsed_args, column_names, rows)


class CheckLister(Lister):
    """A Lister whose rows are checks: the exit code says how they went.

    take_action sets `self.outcome` (see `check_outcome`); the rows are
    printed first either way, so a script gets both the table and the code.
    """

    outcome = exceptions.ExitCode.OK

    def run(self, parsed_args):
        code = super().run(parsed_args)
        return code or int(self.outcome)


def check_outcome(alive, failures, what: str) -> exceptions.ExitCode:
    """The exit code of a bulk check, and one stderr line about it.

    `alive` holds True/False per checked target; `failures` the errors of
    targets that could not be checked. Failures win over "not alive": a
    runbook must not read "dead" where hostctl could not look.
    """
    total = len(alive) + len(failures)
    if failures:
        codes = {f.exit_code for f in failures}
        LOG.warning(
            '%d of %d %s could not be checked', len(failures), total, what
        )
        if not alive and len(codes) == 1:
            return codes.pop()
        return exceptions.ExitCode.PARTIAL
    dead = sum(1 for a in alive if not a)
    if dead:
        LOG.warning('%d of %d %s not alive', dead, total, what)
        return exceptions.ExitCode.NOT_ALIVE
    return exceptions.ExitCode.OK


class ShowOne(_Reporting, show.ShowOne):
    def _load_formatter_plugins(self):
        return startup.formatters(self.formatter_namespace)

    def produce_output(self, parsed_args, column_names, data):
        values = _blank_empty(data, parsed_args)
        with _writing():
            return super().produce_output(parsed_args, column_names, values)


def with_project_names(identity, items, attr: str = 'tenant_id') -> list:
    """`items` with project_name set from the identity service's names for
    their `attr` (one listing, cached; empty where it will not list)."""
    import dataclasses

    items = list(items)
    if not items:
        return items
    names = identity.projects.names_or_none()
    return [
        dataclasses.replace(i, project_name=names.get(getattr(i, attr)))
        for i in items
    ]


def add_project_argument(parser, what: str) -> None:
    parser.add_argument(
        '--project',
        metavar='<project>',
        type=values.nonblank,
        help=f'Only {what} of this project, by name or ID (implies '
        '--all-projects).',
    )


def add_service_arguments(parser) -> None:
    parser.add_argument(
        'host',
        metavar='<host>',
        type=values.nonblank,
        help='The host: its service host name or hypervisor hostname, '
        'exactly.',
    )
    parser.add_argument(
        'binary',
        metavar='<binary>',
        type=values.nonblank,
        help='Service binary, for example nova-compute.',
    )


def add_host_argument(parser, what: str = 'The host') -> None:
    """A compute host, named as hostctl.v2_1.hosts resolves it."""
    parser.add_argument(
        'host',
        metavar='<host>',
        type=values.nonblank,
        help=f'{what}: its service host name or hypervisor hostname, '
        'exactly (a short name matches its FQDN when only one fits).',
    )


def add_long_argument(parser) -> None:
    parser.add_argument(
        '--long',
        action='store_true',
        help='Show more columns.',
    )


def add_all_projects_argument(parser) -> None:
    parser.add_argument(
        '--all-projects',
        action='store_true',
        help='Look in every project (admin only).',
    )


def add_concurrency_argument(
    parser, default: int, what: str, maximum: int = 1000
) -> None:
    # A bound: a typo (or an unset variable's neighbour) must not open a
    # million sockets or threads against the operator's own cloud.
    def concurrency(text: str) -> int:
        import argparse

        value = values.positive_int(text)
        if value > maximum:
            raise argparse.ArgumentTypeError(
                f'invalid count {text!r}: at most {maximum:,}'
            )
        return value

    parser.add_argument(
        '--concurrency',
        metavar='<count>',
        type=concurrency,
        default=default,
        help=f'{what} under way at once (default: {default:,}; at most '
        f'{maximum:,}).',
    )


def add_deadline_argument(parser, what: str, default=None) -> None:
    # dest 'deadline': --timeout here is the whole command's, not the
    # global --timeout of each request.
    after = f' (default: {default:g})' if default is not None else ''
    parser.add_argument(
        '--timeout',
        dest='deadline',
        metavar='<seconds>',
        type=values.seconds,
        default=default,
        help=f'{what}{after}.',
    )


def add_interval_argument(parser, default: float) -> None:
    parser.add_argument(
        '--interval',
        metavar='<seconds>',
        type=values.positive_seconds,
        default=default,
        help=f'Seconds between polls (default: {default:g}).',
    )
