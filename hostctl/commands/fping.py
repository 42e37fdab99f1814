"""Are servers alive? server-fping, and the "monitored" mark it can use."""

from __future__ import annotations

from hostctl import exceptions
from hostctl import fping
from hostctl.commands import base
from hostctl.commands import fields

# fping waits 500 ms for a first answer; a guest across a busy network may
# need longer, and a second is still short enough for a runbook.
DEFAULT_PROBE_TIMEOUT = 1.0


class FpingServer(base.CheckLister):
    """Check that servers are alive: through os-fping, or by probing them.

    Where the cloud still serves the os-fping API (compute API 2.35 and
    older) Nova checks the servers. Where it does not (Nova answers 410
    Gone today), hostctl probes the servers' own addresses from here:
    ICMP echo, or a TCP connection with --tcp. A server is alive when any
    of its addresses answers. The global --timeout bounds each probe
    (default: 1 s).

    Exit 0 when every server checked is alive, 3 when any is not.
    """

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument(
            'servers',
            metavar='<server>',
            nargs='*',
            help='Server name or ID (repeat for several; default: every '
            'server of the project).',
        )
        base.add_all_projects_argument(parser)
        parser.add_argument(
            '--include',
            metavar='<id,...>',
            action='append',
            help='Only these server IDs (comma-separated, repeatable).',
        )
        parser.add_argument(
            '--exclude',
            metavar='<id,...>',
            action='append',
            help='All but these server IDs (comma-separated, repeatable; '
            'ignored with --include).',
        )
        parser.add_argument(
            '--monitored',
            action='store_true',
            help=f'Only servers tagged {fping.MONITORED_TAG!r} (see '
            'server-monitor; compute API 2.26 or later).',
        )
        parser.add_argument(
            '--via',
            choices=('auto', 'api', 'probe'),
            default='auto',
            help='auto: the os-fping API where the cloud serves it, '
            'probing otherwise (default); api: only the API; probe: only '
            'probing.',
        )
        parser.add_argument(
            '--tcp',
            metavar='<port>',
            type=base.port,
            help='Probe this TCP port instead of ICMP echo: a connection '
            'accepted or refused is an answer.',
        )
        parser.add_argument(
            '--address-type',
            choices=fping.ADDRESS_TYPES,
            default='any',
            help='Which addresses to probe (default: any).',
        )
        parser.add_argument(
            '--network',
            metavar='<name>',
            action='append',
            help='Only addresses on this network (repeatable).',
        )
        parser.add_argument(
            '--count',
            metavar='<count>',
            type=base.positive_int,
            default=1,
            help='Probes per address before it counts as silent; each '
            'waits up to --timeout (default: 1).',
        )
        base.add_concurrency_argument(parser, 1000, 'Probes')
        base.add_long_argument(parser)
        return parser

    def take_action(self, parsed_args):
        selection = fping.Selection(
            servers=tuple(parsed_args.servers),
            all_projects=parsed_args.all_projects,
            include=fping.server_ids('--include', parsed_args.include),
            exclude=fping.server_ids('--exclude', parsed_args.exclude),
            monitored=parsed_args.monitored,
        )
        if selection.servers and (
            selection.include or selection.exclude or selection.monitored
        ):
            raise exceptions.UsageError(
                'name servers, or select them with --include, --exclude '
                'and --monitored, not both'
            )
        port = parsed_args.tcp

        def make_transport():
            from hostctl import probe

            return probe.TcpTransport(port) if port else probe.IcmpTransport()

        probing = fping.Probing(
            make_transport=make_transport,
            count=parsed_args.count,
            timeout=self.app.options.timeout or DEFAULT_PROBE_TIMEOUT,
            concurrency=parsed_args.concurrency,
            address_type=parsed_args.address_type,
            networks=tuple(parsed_args.network or ()),
        )
        checks = fping.check(self.compute, selection, parsed_args.via, probing)
        self.outcome = base.check_outcome(
            [c.alive for c in checks], [], 'servers'
        )
        return fields.rows(checks, fields.FPING, parsed_args.long)


class MonitorServer(base.ShowOne):
    """Mark a server as monitored, or clear the mark, for server-fping.

    The mark is the server tag 'monitored' (compute API 2.26 or later);
    server-fping --monitored checks only the servers that carry it.
    """

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument(
            'server', metavar='<server>', help='Server name or ID.'
        )
        parser.add_argument(
            '--unset',
            action='store_true',
            help='Clear the mark instead of setting it.',
        )
        base.add_all_projects_argument(parser)
        return parser

    def take_action(self, parsed_args):
        servers = self.compute.servers
        server = servers.get(
            parsed_args.server, all_projects=parsed_args.all_projects
        )
        tag = fping.MONITORED_TAG
        if parsed_args.unset:
            if not servers.remove_tag(server.id, tag):
                base.LOG.warning('%s was not monitored', server.name)
            monitored = False
        elif tag in (server.tags or ()):
            base.LOG.warning('%s is already monitored', server.name)
            monitored = True
        else:
            servers.add_tag(server.id, tag)
            monitored = True
        return (
            ('ID', 'Name', 'Project', 'Monitored'),
            (server.id, server.name, server.tenant_id, monitored),
        )
