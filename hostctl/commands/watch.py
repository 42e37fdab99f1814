"""hostctl watch: one JSON line on stdout per change in the cloud."""

from __future__ import annotations

import json

from hostctl import values
from hostctl.commands import base
from hostctl.commands import fields

TABLES = {
    'service': fields.SERVICE,
    'hypervisor': fields.HYPERVISOR,
    'server': fields.SERVER,
}


class Watch(base.Command):
    """Print a JSON line for each change of services, hypervisors, servers.

    Servers' Host Status above all. Each event: time (UTC), kind, event
    (initial, added, changed, removed), id, name, host, and changes
    ({field: {"old": ..., "new": ...}}); server events carry host_status.
    The first poll reports everything as it is (unless --no-initial). An
    unreachable cloud is an event ("kind": "cloud"), and so is its return;
    polling goes on. Ends at --count, --timeout, SIGINT or SIGTERM, with
    exit 0.
    """

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        for kind in TABLES:
            parser.add_argument(
                f'--{kind}s',
                action='store_true',
                help=f'Watch {kind}s (with none of these three: all).',
            )
        parser.add_argument(
            '--host',
            metavar='<host>',
            help='Only what is on this host: its service host name or '
            'hypervisor hostname, exactly.',
        )
        base.add_interval_argument(parser, 2.0)
        parser.add_argument(
            '--count',
            metavar='<polls>',
            type=values.positive_int,
            help='Stop after this many polls.',
        )
        base.add_deadline_argument(
            parser, 'Stop after this many seconds; 0 polls once'
        )
        parser.add_argument(
            '--webhook',
            metavar='<url>',
            help='Also POST each event, as JSON, to this URL.',
        )
        parser.add_argument(
            '--no-initial',
            action='store_true',
            help='Report only changes, not the picture of the first poll.',
        )
        return parser

    def take_action(self, parsed_args):
        from hostctl.watch import engine, poller, webhook

        kinds = [k for k in TABLES if getattr(parsed_args, f'{k}s')]
        host = parsed_args.host
        if host is not None:
            host = self.compute.hosts.resolve(host)
        polls = poller.Poller(
            self.compute, TABLES, kinds or list(TABLES), host
        )
        hook = _webhook(parsed_args.webhook, webhook)
        loop = engine.Engine(
            polls,
            self._printer(hook),
            interval=parsed_args.interval,
            count=parsed_args.count,
            timeout=parsed_args.deadline,
            initial=not parsed_args.no_initial,
            warn=base.LOG.warning,
        )
        try:
            with loop.stopped_by_signals():
                loop.run()
        except BrokenPipeError:
            # The reader has gone (| head -3): done, as `yes | head` is.
            _silence(self.app.stdout)
        finally:
            if hook is not None:
                hook.close()

    def _printer(self, hook):
        out = self.app.stdout

        def emit(event):
            # One write per line, flushed: a reader never sees half.
            out.write(json.dumps(event) + '\n')
            out.flush()
            if hook is not None:
                hook.send(event)

        return emit


def _silence(stream) -> None:
    # What is still buffered would fail again when Python flushes it at
    # exit; the documented way out is to point the descriptor elsewhere.
    import os

    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), stream.fileno())
    except (OSError, ValueError, AttributeError):
        pass


def _webhook(url, webhook):
    if url is None:
        return None
    from urllib.parse import urlsplit

    from hostctl import exceptions

    parts = urlsplit(url)
    if parts.scheme not in ('http', 'https') or not parts.netloc:
        raise exceptions.UsageError(
            f'--webhook {url!r}: give an http:// or https:// URL'
        )
    return webhook.Webhook(url, warn=base.LOG.warning).start()
