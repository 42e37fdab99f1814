"""hostctl check: one health verdict from the facts hostctl already reads.

A library, as the clients are (no cliff, no argparse): `gather` asks the
cloud, `summary` sums up and names what is broken, `ranges` holds the
Nagios threshold syntax and `thresholds` the verdict, and one small module
per output format (`nagios`, `prometheus`, `jsonout`) writes the result.
"""
