"""Watching the cloud: what ``hostctl watch`` and ``hostctl wait`` run.

Nova sends no notification when a compute host merely stops reporting
(down is computed when read), so whoever wants to know must poll, and poll
cheaply. `poller` sends a poll's few requests and keeps the last picture,
`records` turns models into comparable records and differences into
events, `engine` is the loop (intervals, outages, stopping), `webhook`
hands events to a consumer over HTTP, and `conditions` is ``wait --for``.
None of them prints: the commands do.
"""
