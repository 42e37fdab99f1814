"""The in-process Nova of the local cloud, one module per job.

Imported by nova_server.py (in the nova venv) only after it has set up the
process (native threads, config): these modules import nova at the top.
cloud is the fixture that sets everything up and starts the services;
cells, neutron and heartbeats are what it uses in place of Nova's own
test fixtures or beside them; control is the launcher's endpoint.
"""
