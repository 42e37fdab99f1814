"""Compute services: list them, force a host down, disable and enable."""

from __future__ import annotations

from hostctl import values
from hostctl.commands import base
from hostctl.commands import fields


class ListService(base.Lister):
    """List compute services, with their state and forced-down flag."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument(
            '--host', metavar='<host>', help='Only services on this host.'
        )
        parser.add_argument(
            '--binary',
            metavar='<binary>',
            type=values.nonblank,
            help='Only services of this binary, for example nova-compute.',
        )
        return parser

    def take_action(self, parsed_args):
        services = self.compute.services.list(
            host=parsed_args.host, binary=parsed_args.binary
        )
        return fields.rows(services, fields.SERVICE)


class ForceDownService(base.ShowOne):
    """Mark a service forced down, as when its host has failed.

    Tell the cloud at once that a host is down (fenced or powered off), so
    that its servers can be evacuated; --unset lets the service report up
    again once the host is back. Needs compute API 2.11 or later.
    """

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        base.add_service_arguments(parser)
        parser.add_argument(
            '--unset',
            action='store_true',
            help='Clear the forced-down flag instead of setting it.',
        )
        return parser

    def take_action(self, parsed_args):
        forced_down = not parsed_args.unset
        change = self.compute.services.force_down(
            parsed_args.host, parsed_args.binary, forced_down=forced_down
        )
        state = 'already forced down' if forced_down else 'not forced down'
        _note_unchanged(change, parsed_args, state)
        return fields.show(change.service, fields.SERVICE)


class DisableService(base.ShowOne):
    """Disable a service: no new servers are scheduled to its host.

    Servers on a host whose nova-compute is disabled show Host Status
    MAINTENANCE.
    """

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        base.add_service_arguments(parser)
        parser.add_argument(
            '--reason',
            metavar='<reason>',
            type=values.reason,
            help='Why the service is disabled (shown in service-list).',
        )
        return parser

    def take_action(self, parsed_args):
        change = self.compute.services.disable(
            parsed_args.host, parsed_args.binary, reason=parsed_args.reason
        )
        _note_unchanged(change, parsed_args, 'already disabled')
        return fields.show(change.service, fields.SERVICE)


class EnableService(base.ShowOne):
    """Enable a service again."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        base.add_service_arguments(parser)
        return parser

    def take_action(self, parsed_args):
        change = self.compute.services.enable(
            parsed_args.host, parsed_args.binary
        )
        _note_unchanged(change, parsed_args, 'already enabled')
        return fields.show(change.service, fields.SERVICE)


def _note_unchanged(change, parsed_args, state: str) -> None:
    # Runbooks repeat themselves: asking for the state a service is already
    # in succeeds, and says so on stderr (silenced by -q).
    if not change.changed:
        base.LOG.info(
            '%s %s was %s; nothing changed',
            parsed_args.host,
            parsed_args.binary,
            state,
        )
