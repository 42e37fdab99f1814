"""Are servers alive? server-fping, and the "monitored" mark it can use."""

from __future__ import annotations

from hostctl import exceptions
from hostctl import values
from hostctl.commands import base
from hostctl.commands import fields

# fping waits 500 ms for a first answer; a guest across a busy network may
# need longer, and a second is still short enough for a runbook.
DEFAULT_PROBE_TIMEOUT = 1.0
VIA = ('auto', 'api', 'probe')
# Probes per address: each silent one costs a --probe-timeout, so a huge
# count would be a wait without end, not a more careful check.
MAX_COUNT = 100
ADDRESS_TYPES = ('any', 'fixed', 'floating')


class FpingServer(base.CheckLister):
    """Check that servers are alive: through os-fping, or by probing them.

    Where the cloud still serves the os-fping API (compute API 2.35 and
    older) Nova checks the servers. Where it does not (Nova answers 410
    Gone today), hostctl probes the servers' own addresses from here:
    ICMP echo, or a TCP connection with --tcp. A server is alive when any
    of its addresses answers. --probe-timeout bounds each probe (default:
    1 s); the global --timeout bounds the API requests.

    Exit 0 when every server checked is alive, 3 when any is not.
    """

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        _add_selection_arguments(parser)
        _add_probing_arguments(parser)
        base.add_long_argument(parser)
        return parser

    def take_action(self, parsed_args):
        from hostctl.ping import check

        checks = check.check(
            self.compute,
            _selection(parsed_args),
            parsed_args.via,
            _probing(parsed_args),
        )
        if not checks and parsed_args.host:
            # An emptied host (evacuated, say) has nothing to check, which
            # is not "every server on it alive".
            left = ' left after --exclude' if parsed_args.exclude else ''
            raise exceptions.NotFound(
                f'no server{left} on host {parsed_args.host} (in any '
                'project); nothing to check'
            )
        self.outcome = base.check_outcome(
            [c.alive for c in checks], [], 'servers'
        )
        if parsed_args.long:
            checks = base.with_project_names(
                self.identity, checks, 'project_id'
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
            'server',
            metavar='<server>',
            type=values.nonblank,
            help='Server name or ID.',
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
        server, changed = servers.set_monitored(
            server, monitored=not parsed_args.unset
        )
        if not changed:
            state = (
                'was not monitored'
                if parsed_args.unset
                else 'is already monitored'
            )
            base.LOG.warning('%s %s; nothing changed', server.name, state)
        return fields.show(server, fields.MONITOR)


def _add_selection_arguments(parser) -> None:
    parser.add_argument(
        'servers',
        metavar='<server>',
        nargs='*',
        type=values.nonblank,
        help='Server name or ID (repeat for several; default: every '
        'server of the project).',
    )
    base.add_all_projects_argument(parser)
    parser.add_argument(
        '--host',
        metavar='<host>',
        type=values.nonblank,
        help='Only the servers on this host, in every project (its exact '
        'service host name, or its hypervisor hostname).',
    )
    parser.add_argument(
        '--include',
        metavar='<id,...>',
        action='append',
        help='Only these server IDs (comma-separated, repeatable); an ID '
        'not found is an error.',
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
        help="Only servers tagged 'monitored' (see server-monitor; compute "
        'API 2.26 or later).',
    )
    parser.add_argument(
        '--via',
        choices=VIA,
        default='auto',
        help='auto: the os-fping API where the cloud serves it, '
        'probing otherwise (default); api: only the API; probe: only '
        'probing.',
    )


def _add_probing_arguments(parser) -> None:
    parser.add_argument(
        '--tcp',
        metavar='<port>',
        type=values.port,
        help='Probe this TCP port instead of ICMP echo: a connection '
        'accepted or refused is an answer.',
    )
    parser.add_argument(
        '--address-type',
        choices=ADDRESS_TYPES,
        default='any',
        help='Which addresses to probe (default: any).',
    )
    parser.add_argument(
        '--network',
        metavar='<name>',
        action='append',
        type=values.nonblank,
        help='Only addresses on this network (repeatable); a network no '
        'server checked is on is an error.',
    )
    parser.add_argument(
        '--count',
        metavar='<count>',
        type=_probe_count,
        default=1,
        help='Probes per address before it counts as silent; each '
        f'waits up to --probe-timeout (default: 1, at most {MAX_COUNT}).',
    )
    parser.add_argument(
        '--probe-timeout',
        metavar='<seconds>',
        type=values.positive_seconds,
        default=DEFAULT_PROBE_TIMEOUT,
        help='How long each probe waits for an answer (default: '
        f'{DEFAULT_PROBE_TIMEOUT:g}); the global --timeout bounds the API '
        'requests.',
    )
    base.add_concurrency_argument(parser, 1000, 'Probes', 10000)


def _selection(parsed_args):
    from hostctl.ping import selection

    return selection.Selection(
        servers=tuple(parsed_args.servers),
        all_projects=parsed_args.all_projects,
        include=selection.server_ids('--include', parsed_args.include),
        exclude=selection.server_ids('--exclude', parsed_args.exclude),
        monitored=parsed_args.monitored,
        host=parsed_args.host,
    )


def _probing(parsed_args):
    from hostctl.ping import check

    port = parsed_args.tcp

    def make_transport():
        from hostctl.ping import probe

        return probe.TcpTransport(port) if port else probe.IcmpTransport()

    return check.Probing(
        make_transport=make_transport,
        count=parsed_args.count,
        timeout=parsed_args.probe_timeout,
        concurrency=parsed_args.concurrency,
        address_type=parsed_args.address_type,
        networks=tuple(parsed_args.network or ()),
    )


def _probe_count(text: str) -> int:
    import argparse

    count = values.positive_int(text)
    if count > MAX_COUNT:
        raise argparse.ArgumentTypeError(
            f'invalid count {text!r}: at most {MAX_COUNT} probes per address'
        )
    return count
