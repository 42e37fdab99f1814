"""hostctl wait: until a resource's fields say what is wanted."""

from __future__ import annotations

from hostctl.commands import base
from hostctl.commands import fields

# kind -> the field table whose columns --for names.
TABLES = {
    'service': fields.SERVICE,
    'hypervisor': fields.HYPERVISOR_SHOW,
    'host': fields.HOST,
    'server': fields.SERVER,
    'instance': fields.RPC_PING,
}


class Wait(base.Command):
    """Wait until a resource's fields have the values given with --for.

    Kinds and their names: service <host> <binary>, hypervisor
    <name-or-id>, server <name-or-id>, host <host> (the verdict of
    host-show: up, unknown, down, maintenance, fenced), instance
    <name-or-id> (a database guest, checked with rpc_ping). FIELD is a
    column of that kind's table ("Host Status", or host_status); several
    --for must all hold. Exit 0 when they do, 10 when --timeout passes
    first (the last values seen on stderr), or the error's own code.
    """

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument(
            'kind',
            choices=sorted(TABLES),
            help='What to wait for.',
        )
        parser.add_argument(
            'names',
            metavar='<name>',
            nargs='+',
            help='Its name or ID; for a service, <host> <binary>.',
        )
        parser.add_argument(
            '--for',
            dest='conditions',
            metavar='<field>=<value>',
            action='append',
            required=True,
            help='A condition, e.g. state=down or "Host Status=UP" '
            '(repeat: all must hold).',
        )
        base.add_deadline_argument(
            parser, 'Give up after this many seconds; 0 checks once', 300.0
        )
        base.add_interval_argument(parser, 2.0)
        base.add_all_projects_argument(parser)
        return parser

    def take_action(self, parsed_args):
        from hostctl.commands import instances
        from hostctl.watch import conditions
        from hostctl.watch import targets

        kind = parsed_args.kind
        wanted = conditions.parse(parsed_args.conditions, TABLES[kind], kind)
        what, fetch = targets.target(
            kind,
            parsed_args.names,
            self.app.client_manager,
            all_projects=parsed_args.all_projects,
            timeout=self.app.options.timeout or instances.DEFAULT_TIMEOUT,
        )
        item = conditions.wait(
            fetch,
            wanted,
            what=what,
            timeout=parsed_args.deadline,
            interval=parsed_args.interval,
            warn=base.LOG.warning,
            bound=targets.bounded_by_deadline(self.app.client_manager.session),
        )
        met = ', '.join(f'{c.field.header}={c.value(item)}' for c in wanted)
        self.app.stdout.write(f'{what}: {met}\n')
