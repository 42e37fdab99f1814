"""Start-up and exit: what a run of hostctl does beyond its command.

Runbooks run hostctl many times in a row, and every run pays for every
module it imports and for the interpreter's exit. What this module does,
and what it saves in a warm ``service-list`` (one 2-core machine):

- **hostctl's version and entry points, read from its .dist-info**
  (`metadata`), where importlib.metadata would search sys.path: 1.6 ms.
- **The commands' entry points, without stevedore's discovery**
  (`hostctl.commandmanager`): only the command that runs is imported, so
  ``hostctl service-list --help`` never imports keystoneauth, requests,
  openstacksdk or another command; ``hostctl --help`` lists the commands
  from the static table of their summaries, importing none of them.
- **cliff's formatters by name** (`FORMATTERS`), not by scanning every
  distribution's entry points.
- **Deferred imports**: the API clients, keystoneauth and openstacksdk
  are imported where they are used (clientmanager, hostctl.session), and
  a warm run imports neither openstacksdk nor YAML (hostctl.resolved).
- **The garbage collector rests through start-up** (`starting`,
  `started`): the objects imports make live as long as the run, and the
  collector's 80 passes over them freed nothing. It is off until the
  session exists, then what exists is frozen (no later pass walks it) and
  it collects again, however long the command runs (``watch``): 5 ms.
- **wcwidth is imported while the first request is in flight**
  (`WHILE_WAITING`): 3 ms.
- **A quick exit** (`exiting`, `_leave`): Python's exit walks every
  object once more and then frees every module, for a process about to
  end. Freezing the objects spares the walk (20 ms); ending the process
  after the last exit handler spares the rest (4 ms). Exit handlers,
  threads and flushing happen as before.

What it does not do: put stand-in modules into ``sys.modules`` to keep a
library's imports from running; that breaks silently when the library
changes. cliff imports stevedore and importlib.metadata, and hostctl
lets it.
"""

from __future__ import annotations

import functools
import gc
import importlib
import os
import sys
from typing import NamedTuple

DISTRIBUTION = 'hostctl'

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
    """An entry point as cliff uses one: a name, 'module:attr', load()."""

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


class Metadata(NamedTuple):
    version: str
    entry_points: dict[str, list[EntryPoint]]


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
    would give the same after searching sys.path (1.9 ms against 0.25).
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


def formatters(namespace: str) -> Formatters:
    """cliff's formatters for `namespace`, in place of stevedore's scan."""
    return Formatters(
        {
            name: _Extension(name, EntryPoint(name, value).load()())
            for name, value in FORMATTERS[namespace].items()
        }
    )


class _Extension(NamedTuple):
    """A loaded formatter, as stevedore hands one to cliff."""

    name: str
    obj: object


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


def scan(namespace: str) -> list[EntryPoint]:
    """Every installed distribution's entry points in `namespace`."""
    from importlib import metadata as importlib_metadata

    return [
        EntryPoint(ep.name, ep.value)
        for ep in importlib_metadata.entry_points(group=namespace)
    ]


#: Imported in a thread while the first request is in flight (`started`).
#: prettytable imports wcwidth (some 30 modules of Unicode tables, 5 ms)
#: to draw its first table, after the answer has come; imported while
#: the main thread only waits, it is off a warm run's path. Should a
#: release stop using it, the thread imports it for nothing.
WHILE_WAITING = ('wcwidth',)

_state: dict = {'starting': False, 'thread': None, 'code': None}


def console() -> int:
    """The ``hostctl`` executable (setup.cfg's console script).

    `hostctl.shell.main`, with this module's start-up and exit around it:
    it imports the cliff app only once the garbage collector is at rest.
    """
    starting()
    from hostctl import shell

    code = shell.main()
    exiting(code)
    return code


def starting() -> None:
    """hostctl's executable starts: the garbage collector rests, and the
    exit will skip the interpreter's teardown (`_leave`)."""
    if gc.isenabled():
        gc.disable()
        _state['starting'] = True
    import atexit

    # Exit handlers run last registered first: registered before any
    # library is imported, this one runs after all of theirs. Not when a
    # handler is there already (a coverage hook, a sitecustomize's): it
    # would run after this one, that is, never.
    if getattr(atexit, '_ncallbacks', lambda: 1)() == 0:
        atexit.register(_leave)


def started() -> None:
    """The session exists and the command's first request is next.

    Freeze what start-up made and collect again, so that a command that
    runs for days (``watch``) is collected as usual; and import
    `WHILE_WAITING` in a thread, while the main one waits for answers.
    Does nothing unless `starting` ran, so a process that imports hostctl
    (the tests) keeps its own settings.
    """
    if not _state['starting']:
        return
    _state['starting'] = False
    gc.freeze()
    gc.enable()
    import threading

    thread = threading.Thread(
        target=_import_quietly,
        args=WHILE_WAITING,
        name='hostctl-imports',
        daemon=True,
    )
    thread.start()
    _state['thread'] = thread


def _import_quietly(*names: str) -> None:
    for name in names:
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001 -- the main thread's import will say
            pass


def exiting(code) -> None:
    """The command is over and its exit code is `code`.

    The import thread, if any, is let finish; the objects that exist are
    frozen, so that no collection walks them again; and `_leave` is told
    the code to leave with.
    """
    thread = _state['thread']
    if thread is not None:
        thread.join()
    gc.freeze()
    if isinstance(code, int):
        _state['code'] = int(code)


def _leave() -> None:
    """The last exit handler: end the process without the teardown.

    After the other exit handlers (logging's flush among them) and after
    the interpreter has joined every thread that is not a daemon, what is
    left of an exit is freeing every module and object one by one, for a
    process that is about to end: about 4 ms of a warm run. The standard
    streams are flushed, and the process ends with the command's code.
    Only when `exiting` was given a code: an exception that escaped, or a
    code that is not a number, leaves Python's own exit to handle it.
    """
    code = _state['code']
    if code is None:
        return
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(code)
