"""What cliff finds through plugins, found without the plugin machinery.

cliff discovers commands, output formatters and command hooks through
stevedore, which reads the entry points of every installed distribution
(importlib.metadata) and imports every command module before any runs.
Importing the two costs about 45 ms and the scan about 15 ms, more than
half of ``hostctl <command> --help``. hostctl has no plugins: its commands
are its own and its formatters are cliff's. So:

- the command table is hostctl's own entry points (setup.cfg
  ``[entry_points] hostctl.commands``, which installing hostctl writes into
  its metadata), read from that one file, each command imported only when
  it runs;
- the formatters are cliff's own classes, named in `FORMATTERS`;
- cliff is imported with stevedore and importlib.metadata deferred
  (`deferred_imports`): cliff's modules bind them at import time but use
  them only for the discovery above, so they load only if something does.

Each of these falls back to the full machinery when hostctl is not
installed (run from a source tree without metadata).
"""

from __future__ import annotations

import contextlib
import functools
import importlib
import os
import sys
import types

DISTRIBUTION = 'hostctl'
COMMANDS = 'hostctl.commands'

#: cliff's formatters by namespace, as cliff's own entry points name them.
FORMATTERS = {
    'cliff.formatter.list': {
        'csv': 'cliff.formatters.commaseparated:CSVLister',
        'json': 'cliff.formatters.json_format:JSONFormatter',
        'table': 'cliff.formatters.table:TableFormatter',
        'value': 'cliff.formatters.value:ValueFormatter',
        'yaml': 'cliff.formatters.yaml_format:YAMLFormatter',
    },
    'cliff.formatter.show': {
        'json': 'cliff.formatters.json_format:JSONFormatter',
        'shell': 'cliff.formatters.shell:ShellFormatter',
        'table': 'cliff.formatters.table:TableFormatter',
        'value': 'cliff.formatters.value:ValueFormatter',
        'yaml': 'cliff.formatters.yaml_format:YAMLFormatter',
    },
}


class EntryPoint:
    """An entry point as cliff uses one: a name, 'module:attr', load().

    (Plain classes here, not dataclasses: each dataclass costs start-up.)
    """

    __slots__ = ('name', 'value')

    def __init__(self, name: str, value: str) -> None:
        self.name = name
        self.value = value

    def __repr__(self) -> str:
        return f'EntryPoint({self.name!r}, {self.value!r})'

    def load(self):
        module, _, attr = self.value.partition(':')
        found = importlib.import_module(module.strip())
        for part in attr.strip().split('.') if attr.strip() else ():
            found = getattr(found, part)
        return found


class Metadata:
    __slots__ = ('version', 'entry_points')

    def __init__(
        self, version: str, entry_points: dict[str, list[EntryPoint]]
    ) -> None:
        self.version = version
        self.entry_points = entry_points


def _dist_info() -> str | None:
    """hostctl's .dist-info directory, first on sys.path as Python finds it."""
    prefix = DISTRIBUTION + '-'
    for entry in sys.path:
        try:
            names = os.listdir(entry or '.')
        except OSError:
            continue
        for name in names:
            if name.startswith(prefix) and name.endswith('.dist-info'):
                return os.path.join(entry or '.', name)
    return None


def _read_version(path: str) -> str | None:
    with open(path, encoding='utf-8') as f:
        for line in f:
            if not line.strip():
                break  # the end of the headers
            if line.startswith('Version:'):
                return line.partition(':')[2].strip()
    return None


def _read_entry_points(path: str) -> dict[str, list[EntryPoint]]:
    groups: dict[str, list[EntryPoint]] = {}
    group = None
    with open(path, encoding='utf-8') as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith(('#', ';')):
                continue
            if line.startswith('[') and line.endswith(']'):
                group = groups.setdefault(line[1:-1].strip(), [])
            elif group is not None and '=' in line:
                name, _, value = line.partition('=')
                group.append(EntryPoint(name.strip(), value.strip()))
    return groups


@functools.cache
def metadata() -> Metadata | None:
    """hostctl's installed version and entry points, or None.

    Read from the two files of the .dist-info directory; importlib.metadata
    would give the same, after about 25 ms of importing.
    """
    path = _dist_info()
    if path is not None:
        try:
            version = _read_version(os.path.join(path, 'METADATA'))
            entry_points = _read_entry_points(
                os.path.join(path, 'entry_points.txt')
            )
        except (OSError, UnicodeDecodeError):
            version = None
        if version:
            return Metadata(version, entry_points)
    # Not installed as a wheel would be (an egg, or not at all).
    from importlib import metadata as importlib_metadata

    try:
        found = importlib_metadata.distribution(DISTRIBUTION)
    except importlib_metadata.PackageNotFoundError:
        return None
    entry_points: dict[str, list[EntryPoint]] = {}
    for ep in found.entry_points:
        entry_points.setdefault(ep.group, []).append(
            EntryPoint(ep.name, ep.value)
        )
    return Metadata(found.version, entry_points)


def version() -> str:
    found = metadata()
    return found.version if found is not None else 'unknown'


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
        found = metadata()
        if found is None:
            entry_points = _scan(namespace)
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


def _scan(namespace: str) -> list[EntryPoint]:
    """Every installed distribution's entry points in `namespace`."""
    from importlib import metadata as importlib_metadata

    return [
        EntryPoint(ep.name, ep.value)
        for ep in importlib_metadata.entry_points(group=namespace)
    ]


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


def formatters(namespace: str) -> Formatters:
    """cliff's formatters for `namespace`, in place of stevedore's scan."""
    return Formatters(
        {
            name: _Extension(name, EntryPoint(name, value).load()())
            for name, value in FORMATTERS[namespace].items()
        }
    )


class _Extension:
    """A loaded formatter, as stevedore hands one to cliff."""

    __slots__ = ('name', 'obj')

    def __init__(self, name: str, obj: object) -> None:
        self.name = name
        self.obj = obj


class Formatters:
    """The part of stevedore's ExtensionManager that cliff's display uses."""

    def __init__(self, extensions: dict[str, _Extension]) -> None:
        self._extensions = extensions

    def names(self) -> list[str]:
        return list(self._extensions)

    def __iter__(self):
        return iter(self._extensions.values())

    def __getitem__(self, name: str) -> _Extension:
        return self._extensions[name]


class _Deferred(types.ModuleType):
    """A module's stand-in: any use but those named imports the module."""

    def __init__(self, name: str, **names) -> None:
        super().__init__(name)
        self.__dict__.update(names)

    def __getattr__(self, attr):
        if attr.startswith('__'):
            # The import system asks for __path__ and the like; that is
            # not a use of the module.
            raise AttributeError(attr)
        return getattr(_load(self.__name__), attr)


class _DeferredName:
    """A class or function of a deferred module, as cliff takes it at
    import time: called, it is the real one; subscripted (an annotation in
    a class body), it stays itself."""

    def __init__(self, module: str, name: str) -> None:
        self._module = module
        self._name = name

    def __call__(self, *args, **kwargs):
        real = getattr(_load(self._module), self._name)
        return real(*args, **kwargs)

    def __getitem__(self, item):
        return self


def _load(name: str) -> types.ModuleType:
    """The real module, with every stand-in out of its way."""
    for key, module in list(sys.modules.items()):
        if isinstance(module, _Deferred):
            del sys.modules[key]
    return importlib.import_module(name)


@contextlib.contextmanager
def deferred_imports():
    """Import cliff inside this block with its discovery modules deferred.

    What cliff's modules take from them at import time (cliff 4.x):
    ``import stevedore`` and ``stevedore.ExtensionManager[...]`` in class
    annotations (complete, display), ``from stevedore import extension``
    and ``from importlib.metadata import packages_distributions``
    (command); and ``import logging.handlers`` (app), which it never uses.
    Anything else asked of a stand-in imports the real module, so a cliff
    that uses them in a new way is slower, not broken. The stand-ins leave
    sys.modules when the block ends: later imports get the real modules.
    """
    deferred = (
        'stevedore',
        'stevedore.extension',
        'importlib.metadata',
        'logging.handlers',
    )
    if any(name in sys.modules for name in deferred):
        yield  # already paid for (a test process, a library user)
        return
    extension = _Deferred(
        'stevedore.extension',
        ExtensionManager=_DeferredName(
            'stevedore.extension', 'ExtensionManager'
        ),
    )
    placed = {
        'stevedore': _Deferred(
            'stevedore',
            extension=extension,
            ExtensionManager=_DeferredName('stevedore', 'ExtensionManager'),
        ),
        'stevedore.extension': extension,
        'importlib.metadata': _Deferred(
            'importlib.metadata',
            packages_distributions=_DeferredName(
                'importlib.metadata', 'packages_distributions'
            ),
        ),
        'logging.handlers': _Deferred('logging.handlers'),
    }
    sys.modules.update(placed)
    try:
        yield
    finally:
        for name, module in placed.items():
            if sys.modules.get(name) is module:
                del sys.modules[name]
