"""Moving every server off a host: host-evacuate and host-drain.

Plan, then act, then report. `plan` decides, changing nothing, what would
be done and refuses what is unsafe; `act` sends one request per server, a
bounded number at once; `follow` waits for the servers to land, polling in
bulk; `run` puts them together for the commands.
"""

#: Refuse to evacuate when more than this share (%) of computes are down.
DEFAULT_MAX_DOWN = 50

#: With --wait and no --timeout: the deadline of the whole command (s).
DEFAULT_WAIT = 600.0

#: Requests under way at once.
DEFAULT_CONCURRENCY = 10
