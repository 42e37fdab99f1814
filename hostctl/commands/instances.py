"""Database instances: is each guest agent reachable over RPC?"""

from __future__ import annotations

from hostctl import exceptions
from hostctl.commands import base
from hostctl.commands import fields

# Trove's own agent timeout (agent_call_low_timeout) is 15 s by default;
# hostctl waits longer, so that Trove, not hostctl, decides a guest is
# silent and says so.
DEFAULT_TIMEOUT = 60.0


class RpcPingInstance(base.CheckLister):
    """Ping database instances' guest agents over RPC (admin only).

    Exit 0 when every guest answered, 3 when any did not, and the error's
    own code when a guest could not be checked at all.
    """

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument(
            'instances',
            metavar='<instance>',
            nargs='*',
            type=base.nonblank,
            help='Instance name or ID (repeat for several).',
        )
        parser.add_argument(
            '--all',
            action='store_true',
            help='Ping every instance of every project.',
        )
        base.add_concurrency_argument(parser, 50, 'Pings')
        return parser

    def take_action(self, parsed_args):
        if bool(parsed_args.all) == bool(parsed_args.instances):
            raise exceptions.UsageError(
                'give instance names or IDs, or --all (not both)'
            )
        instances = self.database.instances
        targets = (
            instances.list_all()
            if parsed_args.all
            else instances.resolve(parsed_args.instances)
        )
        pings = instances.rpc_ping_all(
            targets,
            timeout=self.app.options.timeout or DEFAULT_TIMEOUT,
            concurrency=parsed_args.concurrency,
        )
        self.outcome = base.check_outcome(
            [p.alive for p in pings if p.failure is None],
            [p.failure for p in pings if p.failure is not None],
            'guests',
        )
        return fields.rows(pings, fields.RPC_PING)
