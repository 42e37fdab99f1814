"""The command table and formatters, found without plugin discovery."""

import configparser
import os

from importlib import metadata

import testtools

from hostctl import commandmanager
from hostctl import startup
from hostctl.commands import services

TOP = os.path.dirname(os.path.dirname(os.path.dirname(__file__)))


def setup_cfg_commands() -> dict[str, str]:
    parser = configparser.ConfigParser()
    parser.read(os.path.join(TOP, 'setup.cfg'))
    text = parser['entry_points']['hostctl.commands']
    pairs = (line.split('=', 1) for line in text.strip().splitlines())
    return {name.strip(): value.strip() for name, value in pairs}


class CommandTableTest(testtools.TestCase):
    def test_commands_are_setup_cfgs_entry_points(self):
        manager = commandmanager.CommandManager()
        found = {name: ep.value for name, ep in manager}
        self.assertEqual(
            setup_cfg_commands(),
            found,
            'the installed metadata differs from setup.cfg: reinstall '
            '(./run does when setup.cfg changes)',
        )

    def test_same_as_importlib_metadata_reads(self):
        ours = startup.metadata()
        theirs = metadata.distribution('hostctl')
        self.assertEqual(theirs.version, ours.version)
        self.assertEqual(
            sorted(
                (ep.name, ep.value)
                for ep in theirs.entry_points.select(group='hostctl.commands')
            ),
            sorted(
                (ep.name, ep.value)
                for ep in ours.entry_points['hostctl.commands']
            ),
        )

    def test_find_command_loads_only_on_demand(self):
        manager = commandmanager.CommandManager()
        self.assertIsInstance(
            manager.commands['service-list'], startup.EntryPoint
        )
        factory, name, rest = manager.find_command(['service-list', '-f'])
        self.assertIs(services.ListService, factory)
        self.assertEqual(('service-list', ['-f']), (name, rest))

    def test_an_unambiguous_prefix_finds_the_command(self):
        manager = commandmanager.CommandManager()
        factory, name, _ = manager.find_command(['service-l'])
        self.assertIs(services.ListService, factory)
        self.assertEqual('service-l', name)
        self.assertRaises(ValueError, manager.find_command, ['service'])
        self.assertRaises(ValueError, manager.find_command, ['nothing'])
        self.assertRaises(ValueError, manager.find_command, ['--debug'])


class FormattersTest(testtools.TestCase):
    def test_cliffs_own_formatters_and_no_others(self):
        for namespace, ours in startup.FORMATTERS.items():
            cliffs = {
                ep.name: ep.value
                for ep in metadata.entry_points(group=namespace)
                if ep.dist.name == 'cliff'
            }
            self.assertEqual(cliffs, ours, namespace)

    def test_formatters_are_loaded_instances(self):
        found = startup.formatters('cliff.formatter.list')
        self.assertEqual(
            ['csv', 'json', 'table', 'value', 'yaml'], sorted(found.names())
        )
        self.assertEqual('JSONFormatter', type(found['json'].obj).__name__)
        self.assertEqual(5, len(list(found)))


class SummariesTest(testtools.TestCase):
    """The static table of one-line summaries says what each command's
    docstring says, for every command (``hostctl --help`` prints it)."""

    def test_every_command_has_its_docstrings_first_line(self):
        manager = commandmanager.CommandManager()
        for name in setup_cfg_commands():
            doc = manager.commands[name].load().__doc__.strip()
            self.assertEqual(
                doc.split('\n')[0],
                commandmanager.SUMMARIES.get(name),
                f'{name}: add its line to commandmanager.SUMMARIES',
            )
        self.assertEqual(
            set(setup_cfg_commands()), set(commandmanager.SUMMARIES)
        )
