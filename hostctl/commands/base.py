"""What every hostctl command shares: error reporting and arguments."""

from __future__ import annotations

import logging

from cliff import command
from cliff import lister
from cliff import show

from hostctl import exceptions

LOG = logging.getLogger('hostctl')


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
            if self.app.options.debug:
                LOG.exception('traceback, as --debug asked:')
            if isinstance(exc, exceptions.HostctlError):
                message = str(exc)
            else:
                message = (
                    f'unexpected error: {exc.__class__.__name__}: {exc}'
                    + ('' if self.app.options.debug else ' (rerun with --debug)')
                )
            self.app.stderr.write(f'hostctl: {message}\n')
            return int(exceptions.exit_code_for(exc))

    def get_epilog(self):
        # cliff would name the plugin that provides the command, at the cost
        # of reading every installed distribution's metadata (about 0.1 s of
        # each --help); every hostctl command is hostctl's own.
        return self._epilog or ''

    @property
    def compute(self):
        return self.app.client_manager.compute


class Lister(_Reporting, lister.Lister):
    pass


class ShowOne(_Reporting, show.ShowOne):
    pass


def add_service_arguments(parser) -> None:
    parser.add_argument('host', metavar='<host>', help='Name of the host.')
    parser.add_argument(
        'binary',
        metavar='<binary>',
        help='Service binary, for example nova-compute.',
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


def positive_int(text: str) -> int:
    import argparse

    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(
            f'invalid count {text!r}: give a whole number above 0'
        )
    return value
