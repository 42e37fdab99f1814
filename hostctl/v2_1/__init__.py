"""The compute (Nova) API v2.1 client.

MAX_VERSION is the newest microversion hostctl is tested against: Nova
34.0.0 serves 2.1 to 2.104. hostctl never asks a cloud for more than that,
so a newer cloud cannot change a response under our feet.
"""

MIN_VERSION = (2, 1)
MAX_VERSION = (2, 104)
