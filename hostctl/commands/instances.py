"""Database instances: is each guest agent reachable over RPC?"""

from __future__ import annotations

from hostctl import exceptions
from hostctl import values
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
            type=values.nonblank,
            help='Instance name or ID (repeat for several).',
        )
        parser.add_argument(
            '--all',
            action='store_true',
            help='Ping every instance of every project.',
        )
        parser.add_argument(
            '--host',
            metavar='<host>',
            type=values.nonblank,
            help='Ping the instances whose server runs on this compute host '
            '(every project).',
        )
        base.add_concurrency_argument(parser, 50, 'Pings')
        return parser

    def take_action(self, parsed_args):
        pings = self.database.instances.rpc_ping_all(
            self._targets(parsed_args),
            timeout=self.app.options.timeout or DEFAULT_TIMEOUT,
            concurrency=parsed_args.concurrency,
        )
        self.outcome = base.check_outcome(
            [p.alive for p in pings if p.failure is None],
            [p.failure for p in pings if p.failure is not None],
            'guests',
        )
        return fields.rows(pings, fields.RPC_PING)

    def _targets(self, parsed_args):
        chosen = [parsed_args.all, parsed_args.host, parsed_args.instances]
        if sum(1 for c in chosen if c) != 1:
            raise exceptions.UsageError(
                'give instance names or IDs, --all, or --host (one of them)'
            )
        instances = self.database.instances
        if parsed_args.all:
            return instances.list_all()
        if parsed_args.host:
            # The exact service host: compute1 is never compute10.
            host = self.compute.hosts.resolve(parsed_args.host)
            return instances.list_on_host(host)
        return instances.resolve(parsed_args.instances)
