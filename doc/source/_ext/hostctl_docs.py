"""Sphinx extension: the parts of hostctl's manual that come from its code.

Directives
    hostctl-global-options   the global options, from hostctl's own parser
                             (cliff's autoprogram-cliff, without the exit
                             code epilog, which has its own section)
    hostctl-exit-codes       the exit code table, from hostctl.exceptions
    hostctl-microversions    each compute operation and the microversions it
                             works in, from the client's ``requires``

Check
    When the ``reference`` document is resolved, every command that
    setup.cfg declares must have its own section there, listing every option
    and argument its parser has, and every global option must be listed:
    anything missing is a warning, and ``./run docs`` makes warnings errors.
"""

from __future__ import annotations

import argparse
import configparser
import importlib
import os

from cliff import sphinxext
from docutils import nodes
from docutils import statemachine
from docutils.parsers import rst
from sphinx import addnodes
from sphinx.util import logging

LOG = logging.getLogger(__name__)

TOP = os.path.abspath(
    os.path.join(os.path.dirname(__file__), '..', '..', '..')
)
NAMESPACE = 'hostctl.commands'
APP = 'hostctl.shell.HostctlApp'
REFERENCE = 'reference'


def _parse_rst(directive, lines, source):
    content = statemachine.StringList()
    for line in lines:
        content.append(line, source)
    node = nodes.section()
    directive.state.nested_parse(content, 0, node)
    return node.children


def _list_table(header, rows, widths):
    lines = [
        '.. list-table::',
        '   :header-rows: 1',
        '   :widths: ' + ' '.join(str(w) for w in widths),
        '',
    ]
    for row in [header, *rows]:
        for i, cell in enumerate(row):
            lines.append(('   * - ' if i == 0 else '     - ') + str(cell))
    return lines


class GlobalOptions(sphinxext.AutoprogramCliffDirective):
    """autoprogram-cliff for hostctl's application, epilog left out."""

    required_arguments = 0

    def run(self):
        self.arguments = [APP]
        return super().run()

    def _load_app(self):
        app = super()._load_app()
        # `hostctl --help` ends with the exit codes as plain text; the
        # manual has them as a table of their own (hostctl-exit-codes).
        app.parser.epilog = None
        return app


class ExitCodes(rst.Directive):
    has_content = False

    def run(self):
        from hostctl import exceptions

        rows = [
            (f'``{int(code)}``', code.name, meaning)
            for code, meaning in exceptions.EXIT_CODE_HELP.items()
        ]
        missing = set(exceptions.ExitCode) - set(exceptions.EXIT_CODE_HELP)
        if missing:
            raise self.error(f'exit codes without help: {sorted(missing)}')
        builder = self.state.document.settings.env.app.builder.name
        if builder == 'man':
            # A three-column table is cramped in a terminal; a list reads.
            lines = []
            for code, name, meaning in rows:
                lines += [
                    f'{code} ({name})',
                    f'   {meaning[0].upper()}{meaning[1:]}.',
                ]
        else:
            lines = _list_table(('Code', 'Name', 'Meaning'), rows, (8, 22, 70))
        return _parse_rst(self, lines, '<hostctl.exceptions>')


class Microversions(rst.Directive):
    has_content = False

    def run(self):
        import pkgutil

        from hostctl import v2_1
        from hostctl.v2_1 import base

        rows = []
        # Every module of the compute client, so that a new one cannot be
        # left out of the table.
        for info in sorted(pkgutil.iter_modules(v2_1.__path__)):
            module = importlib.import_module(f'hostctl.v2_1.{info.name}')
            for cls in vars(module).values():
                if not (
                    isinstance(cls, type) and issubclass(cls, base.Manager)
                ):
                    continue
                for method in vars(cls).values():
                    versions = getattr(method, 'versions', None)
                    if versions is None:
                        continue
                    row = (method.what, base.span(*versions))
                    if row not in rows:
                        rows.append(row)
        if not rows:
            raise self.error('no client method declares a microversion range')
        return _parse_rst(
            self,
            _list_table(('Operation', 'Compute API versions'), rows, (60, 40)),
            '<hostctl.v2_1>',
        )


def declared_commands() -> dict[str, str]:
    """The commands setup.cfg declares: name -> 'module:Class'."""
    config = configparser.ConfigParser()
    config.read(os.path.join(TOP, 'setup.cfg'))
    declared = {}
    for line in config['entry_points'][NAMESPACE].strip().splitlines():
        name, _, target = line.partition('=')
        declared[name.strip()] = target.strip()
    return declared


def _expected_options(parser, ignored) -> set[str]:
    expected = set()
    for action in parser._actions:
        # Hidden from --help (cliff hides --variable), so from the manual.
        if action.help == argparse.SUPPRESS:
            continue
        if any(s in ignored for s in action.option_strings):
            continue
        if action.option_strings:
            expected.update(action.option_strings)
        else:
            expected.add((action.metavar or action.dest).strip('<>[]() '))
    return expected


def _listed_options(node) -> set[str]:
    listed = set()
    for desc in node.findall(addnodes.desc):
        if desc.get('objtype') != 'option':
            continue
        for name in desc.findall(addnodes.desc_name):
            listed.add(name.astext())
    return listed


def check_reference(app, doctree, docname):
    if docname != REFERENCE:
        return
    ignored = set(app.config.autoprogram_cliff_ignored)
    sections = {}
    for section in doctree.findall(nodes.section):
        title = section.next_node(nodes.title)
        if title is not None:
            sections.setdefault(title.astext(), section)
    problems = []
    for name, target in sorted(declared_commands().items()):
        if name not in sections:
            problems.append(f'command {name!r} (setup.cfg) is not listed')
            continue
        module, _, cls = target.partition(':')
        command = getattr(importlib.import_module(module), cls)(None, None)
        parser = command.get_parser(f'hostctl {name}')
        missing = _expected_options(parser, ignored) - _listed_options(
            sections[name]
        )
        if missing:
            problems.append(
                f'command {name!r} lacks {", ".join(sorted(missing))}'
            )
    module, _, cls = APP.rpartition('.')
    hostctl_app = getattr(importlib.import_module(module), cls)()
    missing = _expected_options(hostctl_app.parser, ignored) - _listed_options(
        doctree
    )
    if missing:
        problems.append(
            f'global options missing: {", ".join(sorted(missing))}'
        )
    for problem in problems:
        LOG.warning('command reference: %s', problem, location=docname)


def setup(app):
    app.add_directive('hostctl-global-options', GlobalOptions)
    app.add_directive('hostctl-exit-codes', ExitCodes)
    app.add_directive('hostctl-microversions', Microversions)
    app.connect('doctree-resolved', check_reference)
    return {'parallel_read_safe': True, 'parallel_write_safe': True}
