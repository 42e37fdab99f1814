"""Moving every server off a host: host-evacuate and host-drain.

Plan, then act, then report. `plan` decides, changing nothing, what would
be done and refuses what is unsafe; `act` sends one request per server, a
bounded number at once; `follow` waits for the servers to land, polling in
bulk; `run` puts them together for the commands.
"""
