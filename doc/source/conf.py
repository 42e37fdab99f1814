"""Sphinx configuration for hostctl's documentation.

Built by ``./run docs`` (html and the man page, warnings are errors). The
command reference is generated from the commands themselves, by cliff's
autoprogram-cliff directive, and checked against setup.cfg by the local
extension in _ext/hostctl_docs.py.
"""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '_ext'))
# The hostctl in this tree, even when the installed one is elsewhere.
sys.path.insert(0, os.path.abspath(os.path.join(HERE, '..', '..')))

project = 'hostctl'
author = 'hostctl developers'
copyright = '2026, hostctl developers'  # noqa: A001

extensions = [
    'cliff.sphinxext',
    'hostctl_docs',
]

root_doc = 'index'
exclude_patterns = []
# Every cross-reference must resolve: a dangling one is a warning, and
# warnings are errors in ./run docs.
nitpicky = True

# The command reference: `hostctl <command>`, without --help on every one.
autoprogram_cliff_application = 'hostctl'
autoprogram_cliff_ignored = ['--help']

html_theme = 'alabaster'
html_title = 'hostctl'
html_static_path = []

# One man page, hostctl(1): synopsis, global options, every command,
# exit status, environment (doc/source/reference.rst).
man_pages = [
    (
        'reference',
        'hostctl',
        'host and instance health for OpenStack operators',
        [author],
        1,
    ),
]
man_show_urls = False
