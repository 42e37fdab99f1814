"""check: one health verdict for Nagios/Icinga, Prometheus or CI."""

from __future__ import annotations

import importlib

from hostctl import values
from hostctl.commands import base

FORMATS = ('nagios', 'prometheus', 'json')
PARTS = ('services', 'hypervisors', 'servers', 'fping', 'rpc-ping')
DEFAULT_PARTS = ('services', 'hypervisors', 'servers')
# The Nagios plugin state UNKNOWN: the check could not be made.
UNKNOWN = 3
# As server-fping's default.
PROBE_TIMEOUT = 1.0


class Check(base.Command):
    """Sum up the cloud's health: services, hypervisors, servers, pings.

    Runs the checks chosen (default: --services --hypervisors --servers)
    side by side and names what is broken. --format nagios (the default)
    prints a plugin status line with performance data and exits 0 OK,
    1 WARNING, 2 CRITICAL or 3 UNKNOWN (the cloud could not be asked, or a
    bad command line); prometheus prints the text exposition format; json
    the whole result. Those two exit with hostctl's own codes: 3 when the
    verdict is CRITICAL, 8 when a part could not be checked.
    """

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        for part, what in (
            ('services', 'Compute services: up, down, forced down, disabled.'),
            ('hypervisors', 'Hypervisors: up and down.'),
            ('servers', 'Servers per Host Status, in every project.'),
            ('fping', 'Is each server alive? Probed as server-fping does.'),
            ('rpc-ping', "Does each database guest's agent answer RPC?"),
        ):
            parser.add_argument(
                f'--{part}',
                dest='parts',
                action='append_const',
                const=part,
                help=what,
            )
        parser.add_argument(
            '--host',
            metavar='<host>',
            type=values.nonblank,
            help='Only this compute host (its servers, and with --rpc-ping '
            'the guests on them): its service host or hypervisor '
            'hostname, matched exactly.',
        )
        for level, example in (
            ('warning', 'services_disabled=2'),
            ('critical', 'services_forced_down=@1:'),
        ):
            parser.add_argument(
                f'--{level}',
                metavar='<metric=range>',
                action='append',
                default=[],
                help=f'{level.capitalize()} threshold of a metric (a name in '
                'the performance data) as a Nagios range (repeatable), e.g. '
                f'{example}; ~: turns a default off.',
            )
        parser.add_argument(
            '--format',
            choices=FORMATS,
            default='nagios',
            help='nagios (default), prometheus or json.',
        )
        parser.add_argument(
            '--tcp',
            metavar='<port>',
            type=values.port,
            help='With --fping: probe this TCP port instead of ICMP echo.',
        )
        parser.add_argument(
            '--probe-timeout',
            metavar='<seconds>',
            type=values.positive_seconds,
            default=PROBE_TIMEOUT,
            help='With --fping: how long each probe waits for an answer '
            f'(default: {PROBE_TIMEOUT:g}); the global --timeout bounds the '
            'API requests.',
        )
        # The app's stdout when the error comes (the docs build has no app).
        _unknown_on_bad_command_line(parser, lambda: self.app.stdout)
        return parser

    def take_action(self, parsed_args):
        if parsed_args.format != 'nagios':
            return self._check(parsed_args)
        try:
            return self._check(parsed_args)
        except Exception as exc:
            # A plugin that cannot check says UNKNOWN, and why, on stdout.
            self.report(exc)
            from hostctl.health import nagios

            line = nagios.status_line('UNKNOWN', self.describe(exc))
            self.app.stdout.write(line + '\n')
            return UNKNOWN

    def _check(self, parsed_args):
        from hostctl.health import gather
        from hostctl.health import thresholds

        parts = tuple(
            p for p in PARTS if p in (parsed_args.parts or DEFAULT_PARTS)
        )
        limits = thresholds.build(
            parsed_args.warning, parsed_args.critical, parts
        )
        facts = gather.gather(
            self.compute, lambda: self.database, self._plan(parsed_args, parts)
        )
        verdict = thresholds.judge(facts, limits)
        writer = importlib.import_module(_MODULES[parsed_args.format])
        self.app.stdout.write(writer.render(facts, verdict, limits))
        if parsed_args.format == 'nagios':
            return int(verdict.state)
        return int(thresholds.exit_code(facts, verdict))

    def _plan(self, parsed_args, parts):
        from hostctl.health import gather

        return gather.Plan(
            parts=parts,
            host=parsed_args.host,
            probing=_probing(parsed_args),
            rpc_timeout=self.app.options.timeout or _RPC_TIMEOUT,
        )


# Each format's module, imported only when it is used.
_MODULES = {
    'nagios': 'hostctl.health.nagios',
    'prometheus': 'hostctl.health.prometheus',
    'json': 'hostctl.health.jsonout',
}
# As instance-rpc-ping: longer than Trove's own agent timeout.
_RPC_TIMEOUT = 60.0


def _probing(parsed_args):
    from hostctl.ping import check

    port = parsed_args.tcp

    def make_transport():
        from hostctl.ping import probe  # asyncio and icmplib: --fping only

        return probe.TcpTransport(port) if port else probe.IcmpTransport()

    return check.Probing(
        make_transport=make_transport, timeout=parsed_args.probe_timeout
    )


def _format_given(args) -> str:
    """The --format in a command line argparse could not parse."""
    found = 'nagios'
    args = list(args or ())
    for i, arg in enumerate(args):
        if arg == '--format' and i + 1 < len(args):
            found = args[i + 1]
        elif arg.startswith('--format='):
            found = arg.partition('=')[2]
    return found


def _unknown_on_bad_command_line(parser, stdout) -> None:
    """In nagios mode a bad command line is UNKNOWN (3), on stdout.

    The plugin guidelines give invalid arguments UNKNOWN; hostctl's usual
    2 would read as CRITICAL there and page someone about a healthy cloud
    for a typo in a command definition.
    """
    usual = parser.error
    parse_known_args = parser.parse_known_args
    given = []

    def remember(args=None, namespace=None):
        given[:] = [args]
        return parse_known_args(args, namespace)

    def error(message):
        if _format_given(given[0] if given else ()) != 'nagios':
            usual(message)
        from hostctl.health import nagios

        stdout().write(
            nagios.status_line(
                'UNKNOWN',
                f"bad command line: {message}; see 'hostctl help check'",
            )
            + '\n'
        )
        parser.exit(UNKNOWN)

    parser.parse_known_args = remember
    parser.error = error
