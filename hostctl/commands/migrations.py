"""migration-list: follow evacuations and migrations, by host or server."""

from __future__ import annotations

import re

from hostctl import models
from hostctl import values
from hostctl.commands import base
from hostctl.commands import fields

TYPES = ('evacuation', 'live-migration', 'migration', 'resize')

_AGO = re.compile(r'(\d+)([smhd])')
_SECONDS = {'s': 1, 'm': 60, 'h': 3600, 'd': 86400}


class ListMigration(base.Lister):
    """List migrations: evacuations, live and cold migrations, resizes.

    Follow an evacuation or a drain, or find the finished ('done')
    evacuations that keep a repaired host's forced_down flag from being
    cleared. --host is a host's service host name or hypervisor hostname
    (exactly, as the host commands take it), and matches the source or the
    destination host.
    Newest first from compute API 2.59; --since needs 2.59 or later.
    """

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument(
            '--host',
            metavar='<host>',
            type=values.nonblank,
            help='Only migrations from or to this host (exact name).',
        )
        parser.add_argument(
            '--server',
            metavar='<server>',
            type=values.nonblank,
            help='Only migrations of this server (name or ID, any project).',
        )
        parser.add_argument(
            '--type',
            choices=TYPES,
            help='Only migrations of this type.',
        )
        parser.add_argument(
            '--status',
            metavar='<status>',
            type=values.nonblank,
            help='Only migrations in this status (e.g. done, completed, '
            'running, error).',
        )
        parser.add_argument(
            '--since',
            metavar='<time>',
            type=since,
            help='Only migrations changed at or after this time: ISO 8601 '
            '(UTC unless it says otherwise), or an age such as 30m, 2h, 1d.',
        )
        base.add_long_argument(parser)
        return parser

    def take_action(self, parsed_args):
        compute, host = self.compute, parsed_args.host
        if host is not None:
            # Nova matches service hosts exactly and lists nothing for any
            # other name: a hypervisor hostname, or a typo, would read as
            # "no migrations". Named exactly as the host commands do.
            host = compute.hosts.resolve(host)
        server = parsed_args.server
        if server is not None and not models.looks_like_uuid(server):
            # An ID is taken as it is: a deleted server has migrations too.
            server = compute.servers.get(server, all_projects=True).id
        found = compute.migrations.list(
            host=host,
            server_id=server,
            migration_type=parsed_args.type,
            status=parsed_args.status,
            since=parsed_args.since,
        )
        return fields.rows(found, fields.MIGRATION, long=parsed_args.long)


def since(text: str) -> str:
    """An ISO 8601 time or an age ('30m') -> UTC, as Nova takes it."""
    import argparse
    import datetime

    utc = datetime.timezone.utc
    ago = _AGO.fullmatch(text.strip())
    try:
        if ago:
            delta = datetime.timedelta(seconds=int(ago[1]) * _SECONDS[ago[2]])
            when = datetime.datetime.now(utc) - delta
        else:
            when = datetime.datetime.fromisoformat(text.strip())
    except (ValueError, OverflowError):
        raise argparse.ArgumentTypeError(
            f'invalid time {text!r}: give ISO 8601 (2026-12-01T05:00:00Z) '
            'or an age such as 30m, 2h, 1d'
        ) from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=utc)
    return when.astimezone(utc).strftime('%Y-%m-%dT%H:%M:%SZ')
