import sys

from hostctl import startup

sys.exit(startup.console())
