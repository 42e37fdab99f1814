"""Servers, with the status of their host (Host Status)."""

from __future__ import annotations

from hostctl import values
from hostctl.commands import base
from hostctl.commands import fields


class ListServer(base.Lister):
    """List servers, with Host Status: UP, UNKNOWN, DOWN, MAINTENANCE."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        base.add_all_projects_argument(parser)
        parser.add_argument(
            '--host', metavar='<host>', help='Only servers on this host.'
        )
        parser.add_argument(
            '--status',
            metavar='<status>',
            type=values.nonblank,
            help='Only servers in this status (ACTIVE, ERROR, ...).',
        )
        parser.add_argument(
            '--name',
            metavar='<regex>',
            type=values.nonblank,
            help='Only servers whose name matches this regular expression.',
        )
        base.add_project_argument(parser, 'servers')
        parser.add_argument(
            '--limit',
            metavar='<count>',
            type=values.positive_int,
            help='List at most this many servers (default: all, page by '
            'page).',
        )
        base.add_long_argument(parser)
        return parser

    def take_action(self, parsed_args):
        project = parsed_args.project
        servers = self.compute.servers.list(
            all_projects=parsed_args.all_projects,
            host=parsed_args.host,
            status=parsed_args.status,
            name=parsed_args.name,
            project=project and self.identity.projects.resolve(project),
            limit=parsed_args.limit,
        )
        _note_host_status(self.compute, servers)
        if parsed_args.long:
            servers = base.with_project_names(self.identity, servers)
        return fields.rows(servers, fields.SERVER, parsed_args.long)


class ShowServer(base.ShowOne):
    """Show every field of a server, Host Status included."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument(
            'server',
            metavar='<server>',
            type=values.nonblank,
            help='Server name or ID.',
        )
        base.add_all_projects_argument(parser)
        return parser

    def take_action(self, parsed_args):
        server = self.compute.servers.get(
            parsed_args.server, all_projects=parsed_args.all_projects
        )
        _note_host_status(self.compute, [server])
        return fields.show_all(server, fields.SERVER)


def _note_host_status(compute, servers) -> None:
    # Once per command, not per row: the column stays, empty, and stderr
    # says why, so a script reading -f json is not misled.
    note = compute.servers.host_status_note(servers)
    if note:
        base.LOG.warning(note)
