"""hostctl's commands, as cliff's command manager, without plugin discovery.

The commands are hostctl's entry points (setup.cfg, ``hostctl.commands``),
read by `hostctl.startup` from the installed metadata; each is imported
only when it runs. `SUMMARIES` is the static table of their one-line
descriptions, so that ``hostctl --help`` lists every command without
importing any (a unit test checks it against the entry points and the
commands' docstrings; a command missing from it is loaded to ask).
"""

from __future__ import annotations

from hostctl import startup

COMMANDS = 'hostctl.commands'

#: Each command's one-line help, as its docstring's first line says it.
SUMMARIES = {
    'wait': "Wait until a resource's fields have the values given with --for.",
    'watch': 'Print a JSON line for each change of services, hypervisors, '
    'servers.',
    'service-list': 'List compute services, with their state and '
    'forced-down flag.',
    'service-force-down': 'Mark a service forced down, as when its host has '
    'failed.',
    'service-disable': 'Disable a service: no new servers are scheduled to '
    'its host.',
    'service-enable': 'Enable a service again.',
    'host-show': 'Show a compute host: services, hypervisors, servers, and a '
    'verdict.',
    'host-down': 'Take a failed host out: force its nova-compute down, then '
    'disable it.',
    'host-up': 'Bring a repaired host back: unset forced down, wait for up, '
    'enable.',
    'hypervisor-list': 'List hypervisors, with State (up/down) and Status '
    '(enabled/disabled).',
    'hypervisor-show': 'Show a hypervisor: fixed fields, with its service '
    'and uptime.',
    'server-list': 'List servers, with Host Status: UP, UNKNOWN, DOWN, '
    'MAINTENANCE.',
    'server-show': 'Show every field of a server, Host Status included.',
    'server-fping': 'Check that servers are alive: through os-fping, or by '
    'probing them.',
    'server-monitor': 'Mark a server as monitored, or clear the mark, for '
    'server-fping.',
    'instance-rpc-ping': "Ping database instances' guest agents over RPC "
    '(admin only).',
    'check': "Sum up the cloud's health: services, hypervisors, servers, "
    'pings.',
    'host-evacuate': 'Evacuate every server of a failed host (all projects) '
    'to other hosts.',
    'host-drain': 'Empty a working host before maintenance: disable it, then '
    'migrate.',
    'migration-list': 'List migrations: evacuations, live and cold '
    'migrations, resizes.',
}


class CommandManager:
    """hostctl's commands, for cliff.app, without stevedore.

    The interface cliff's App, help and complete use of
    ``cliff.commandmanager.CommandManager``: `commands` maps each name to
    an entry point, iterated as (name, entry point) pairs; `find_command`
    loads the one to run.
    """

    convert_underscores = False

    def __init__(self, namespace: str = COMMANDS) -> None:
        self.namespace = namespace
        found = startup.metadata()
        if found is None:
            entry_points = startup.scan(namespace)
        else:
            entry_points = found.entry_points.get(namespace, [])
        self.commands = {ep.name: ep for ep in entry_points}

    def __iter__(self):
        return iter(self.commands.items())

    def add_command(self, name: str, command_class) -> None:
        self.commands[name] = _Loaded(name, command_class)

    def find_command(self, argv: list[str]):
        """(command class, name as given, the rest of argv).

        A name may be shortened while it stays unambiguous, as in cliff.
        """
        if argv and not argv[0].startswith('-'):
            given = argv[0]
            name = given if given in self.commands else None
            if name is None:
                matches = [n for n in self.commands if n.startswith(given)]
                name = matches[0] if len(matches) == 1 else None
            if name is not None:
                return self.commands[name].load(), given, argv[1:]
        raise ValueError(f'Unknown command {argv!r}')

    def summary(self, name: str) -> str:
        """The command's one-line help, from the table or the command."""
        if name in SUMMARIES:
            return SUMMARIES[name]
        doc = self.commands[name].load().__doc__ or ''
        return doc.strip().split('\n')[0]


class _Loaded:
    """A command class already at hand, looking like an entry point."""

    __slots__ = ('name', 'command_class')

    def __init__(self, name: str, command_class: type) -> None:
        self.name = name
        self.command_class = command_class

    @property
    def value(self) -> str:
        cls = self.command_class
        return f'{cls.__module__}:{cls.__qualname__}'

    def load(self):
        return self.command_class
