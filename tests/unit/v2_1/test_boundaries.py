"""Microversion boundaries live in hostctl/v2_1/, each written once."""

import os
import re

import testtools

import hostctl

TOP = os.path.dirname(hostctl.__file__)
# A version as code writes it: (2, 53) or a string literal '2.53'.
VERSION = re.compile(r"\(2, (\d+)\)|'2\.(\d+)'")
# The floor and the ceiling, and docstrings' examples, are not boundaries.
NOT_BOUNDARIES = {'1', '104'}


def versions_in(path):
    with open(path) as f:
        for number, line in enumerate(f, 1):
            code = line.split('#', 1)[0]
            if '"""' in code or code.lstrip().startswith(("'2.", ':param')):
                continue
            for match in VERSION.finditer(code):
                minor = match.group(1) or match.group(2)
                if minor not in NOT_BOUNDARIES and '->' not in code:
                    yield minor, f'{os.path.relpath(path, TOP)}:{number}'


def sources():
    for root, _, files in os.walk(TOP):
        for name in files:
            if name.endswith('.py'):
                yield os.path.join(root, name)


class BoundaryTest(testtools.TestCase):
    def test_each_boundary_is_written_once_in_v2_1(self):
        seen = {}
        for path in sources():
            for minor, where in versions_in(path):
                seen.setdefault(minor, []).append(where)
        for minor, places in sorted(seen.items()):
            self.assertEqual(1, len(places), f'2.{minor}: {places}')
            self.assertTrue(places[0].startswith('v2_1/'), places[0])

    def test_the_scan_finds_what_it_looks_for(self):
        # The test above proves nothing if the scan finds nothing.
        found = {m for p in sources() for m, _ in versions_in(p)}
        self.assertTrue({'11', '16', '26', '33', '35', '53'} <= found, found)
