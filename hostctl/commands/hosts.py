"""A compute host as a whole: show it, take it down, bring it back up."""

from __future__ import annotations

from hostctl import exceptions
from hostctl import values
from hostctl.commands import base
from hostctl.commands import fields


class _HostCommand(base.ShowOne):
    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        base.add_host_argument(parser)
        return parser

    def document(self, host, steps=None):
        """(headers, values) of a host, and the steps taken if any."""
        note = self.compute.servers.host_status_note(list(host.servers))
        if note:
            base.LOG.warning(note)
        counts = {}
        for server in host.servers:
            counts[server.hypervisor_hostname] = (
                counts.get(server.hypervisor_hostname, 0) + 1
            )
        hypervisors = fields.rows(host.hypervisors, fields.HOST_HYPERVISOR)
        hypervisors = (
            (*hypervisors[0], 'Servers'),
            [
                (*row, counts.get(h.hypervisor_hostname, 0))
                for h, row in zip(
                    host.hypervisors, hypervisors[1], strict=True
                )
            ],
        )
        headers = ['Host', 'Verdict', 'Reason', 'Services', 'Hypervisors']
        values = [
            host.name,
            host.verdict.state,
            host.verdict.reason,
            fields.Table(fields.rows(host.services, fields.HOST_SERVICE)),
            fields.Table(hypervisors),
        ]
        headers.append('Servers')
        values.append(
            fields.Table(fields.rows(host.servers, fields.HOST_SERVER))
        )
        if steps is not None:
            headers.append('Actions')
            values.append(fields.Table(fields.rows(steps, fields.HOST_STEP)))
        return tuple(headers), tuple(values)


class ShowHost(_HostCommand):
    """Show a compute host: services, hypervisors, servers, and a verdict.

    The verdict reads the host's nova-compute as Nova does for Host Status:
    up; unknown (not reporting); down (forced down); maintenance
    (disabled); fenced (forced down and disabled, as host-down leaves it).
    Servers are listed from every project. A fixed number of requests,
    whatever the number of servers.
    """

    def take_action(self, parsed_args):
        return self.document(self.compute.hosts.show(parsed_args.host))


class DownHost(_HostCommand):
    """Take a failed host out: force its nova-compute down, then disable it.

    In this order, which works on a dead host (disabling first does not,
    since Nova's Train release). The disabled reason starts with
    "hostctl host-down <time>", which host-up looks for. Asking again
    changes nothing and says so. If disabling fails after the force-down,
    the host is left forced down and enabled, nothing is undone, and the
    exit code is 8. Needs compute API 2.11 or later.
    """

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument(
            '--reason',
            metavar='<text>',
            type=values.reason,
            help='Why, added to the disabled reason after the marker.',
        )
        parser.add_argument(
            '--no-disable',
            action='store_true',
            help='Only force the service down; do not disable it.',
        )
        return parser

    def take_action(self, parsed_args):
        if parsed_args.reason and parsed_args.no_disable:
            # Only the disabled reason would keep it; forced_down has none.
            raise exceptions.UsageError(
                '--reason is written into the disabled reason, and '
                '--no-disable leaves the service enabled: give one or the '
                'other'
            )
        change = self.compute.hosts.down(
            parsed_args.host,
            reason=parsed_args.reason,
            disable=not parsed_args.no_disable,
        )
        _note_steps(change)
        return self.document(change.host, change.steps)


class UpHost(_HostCommand):
    """Bring a repaired host back: unset forced down, wait for up, enable.

    Clears the forced-down flag, waits (one deadline) until nova-compute
    reports, and only then enables the service, and only if host-down
    disabled it (or --enable). If it does not report in time (--timeout), the
    host stays disabled and the exit code is 8. If Nova refuses because
    evacuations from the host are not cleaned up yet, nova-compute on the
    host must be restarted first (exit code 9).
    """

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        base.add_deadline_argument(
            parser,
            'How long to wait, at most, for nova-compute to report up '
            '(0: do not wait, and so do not enable)',
            default=300.0,
        )
        parser.add_argument(
            '--enable',
            action='store_true',
            help='Enable the service even if it was disabled for another '
            'reason than host-down.',
        )
        return parser

    def take_action(self, parsed_args):
        change = self.compute.hosts.up(
            parsed_args.host,
            timeout=parsed_args.deadline,
            enable=parsed_args.enable,
        )
        _note_steps(change)
        return self.document(change.host, change.steps)


def _note_steps(change) -> None:
    # What was done goes to stderr (silenced by -q); stdout is the host.
    name = change.host.name
    if all(step.result != 'done' for step in change.steps):
        base.LOG.info('%s: nothing changed', name)
    for step in change.steps:
        detail = f' ({step.detail})' if step.detail else ''
        words = {'unchanged': 'nothing to do'}.get(step.result, step.result)
        base.LOG.info('%s: %s: %s%s', name, step.action, words, detail)
