"""The compute (Nova) API v2.1 client.

MAX_VERSION is the newest microversion hostctl is tested against: Nova
34.0.0 serves 2.1 to 2.104. hostctl never asks a cloud for more than that,
so a newer cloud cannot change a response under our feet.
"""

MIN_VERSION = (2, 1)
MAX_VERSION = (2, 104)

# Boundaries more than one resource shares; the others live in the module
# of the one resource they concern. Each is written once (a unit test
# checks): services and hypervisors are named by UUID from 2.53.
UUID_IDS = (2, 53)
