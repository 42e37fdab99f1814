"""Move every server off a host: host-evacuate and host-drain."""

from __future__ import annotations

from hostctl import moves
from hostctl import values
from hostctl.commands import base
from hostctl.commands import fields


class _MoveLister(base.CheckLister):
    """Shared arguments and the report: one row per server, exit code."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        base.add_host_argument(parser, 'The host to empty')
        parser.add_argument(
            '--target-host',
            metavar='<host>',
            type=values.nonblank,
            help='Move every server to this host (default: the scheduler '
            'chooses, server by server).',
        )
        parser.add_argument(
            '--dry-run',
            action='store_true',
            help='Run the preflight and show what would be moved; change '
            'nothing.',
        )
        parser.add_argument(
            '--wait',
            action='store_true',
            help='Wait until every server has arrived (or failed).',
        )
        # kubectl's shape: --wait, and --timeout the one deadline of the
        # whole command (which implies --wait).
        base.add_deadline_argument(
            parser,
            'With --wait: seconds for the whole command, at most (default: '
            f'{moves.DEFAULT_WAIT:.0f}); implies --wait',
        )
        base.add_concurrency_argument(
            parser, moves.DEFAULT_CONCURRENCY, 'Requests'
        )
        return parser

    def show_moves(self, outcome):
        from hostctl.moves import run

        self.outcome = run.exit_code(outcome)
        log = base.LOG.info if not self.outcome else base.LOG.warning
        log('%s', run.summary(outcome))
        return fields.rows(outcome.moves, fields.MOVE)

    @staticmethod
    def announce(plan) -> None:
        base.LOG.info('%s', plan.verdict)
        for note in plan.notes:
            base.LOG.warning('%s', note)


class EvacuateHost(_MoveLister):
    """Evacuate every server of a failed host (all projects) to other hosts.

    First a preflight, which changes nothing and refuses, saying what to
    do: the host's nova-compute must be down (forced down with host-down,
    or not reporting), another enabled, up compute must exist (or the
    target host must be one), and no more than --max-down percent of the
    compute services may be down (more looks like a network partition).
    Then one evacuation per server, --concurrency at a time; a server in a
    state Nova cannot evacuate is a row marked skipped, with why. From
    compute API 2.95 an evacuated server arrives stopped (SHUTOFF); pin
    --os-compute-api-version 2.94 to keep its state.

    One row per server. Exit 0 when every server was accepted (with
    --wait: arrived), 8 when some were not; Ctrl-C stops sending, shows
    what was sent, and exits 8.
    """

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument(
            '--max-down',
            metavar='<percent>',
            type=values.percent,
            default=moves.DEFAULT_MAX_DOWN,
            help='Refuse when more than this share of the compute services '
            f'are down (default: {moves.DEFAULT_MAX_DOWN}).',
        )
        parser.add_argument(
            '--ignore-max-down',
            action='store_true',
            help='Evacuate even when more than --max-down percent of the '
            'computes are down (said on stderr).',
        )
        parser.add_argument(
            '--on-shared-storage',
            action='store_true',
            help="The servers' disks are on shared storage (compute API "
            'before 2.14 only; later, Nova finds out itself).',
        )
        return parser

    def take_action(self, parsed_args):
        from hostctl.moves import run

        plan = run.plan_evacuation(
            self.compute,
            parsed_args.host,
            target=parsed_args.target_host,
            max_down=parsed_args.max_down,
            override=parsed_args.ignore_max_down,
        )
        self.announce(plan)
        if parsed_args.dry_run:
            return self.show_moves(run.dry_run(plan))
        return self.show_moves(
            run.evacuate(
                self.compute,
                plan,
                wait=_deadline(parsed_args),
                concurrency=parsed_args.concurrency,
                on_shared_storage=parsed_args.on_shared_storage,
            )
        )


class DrainHost(_MoveLister):
    """Empty a working host before maintenance: disable it, then migrate.

    The host's nova-compute is disabled first (so nothing new lands
    there), its reason "hostctl host-drain <time>: emptied for
    maintenance", then every running server is live-migrated away (block
    migration chosen by Nova, compute API 2.25+), or with --cold migrated
    and the resize confirmed. A stopped (SHUTOFF) server is cold-migrated,
    and its row says so; a cold migration is always followed until
    confirmed. host-up (which knows the mark) or service-enable brings the
    host back.

    One row per server. Exit 0 when every server was accepted (with
    --wait: arrived), 8 when some were not.
    """

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument(
            '--cold',
            action='store_true',
            help='Cold-migrate every server (it is shut down and started '
            'on the new host), then confirm the resize.',
        )
        return parser

    def take_action(self, parsed_args):
        from hostctl.moves import run

        plan = run.plan_drain(
            self.compute,
            parsed_args.host,
            target=parsed_args.target_host,
            cold=parsed_args.cold,
        )
        self.announce(plan)
        if parsed_args.dry_run:
            return self.show_moves(run.dry_run(plan))
        return self.show_moves(
            run.drain(
                self.compute,
                plan,
                wait=_deadline(parsed_args),
                concurrency=parsed_args.concurrency,
            )
        )


def _deadline(parsed_args) -> float | None:
    """Seconds to wait for the whole command, or None not to wait."""
    if parsed_args.deadline is not None:
        return parsed_args.deadline
    return moves.DEFAULT_WAIT if parsed_args.wait else None
