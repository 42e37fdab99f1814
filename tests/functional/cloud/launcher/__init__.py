"""The local cloud's launcher, one module per job.

devcloud.py is its command line and its manual (what it starts, seeds and
writes to cloud.json).  settings says what the cloud is made of;
processes, venvs and loopback are the plumbing; keystone (with identity),
nova (with seed) and trove start one service each; outputs writes
clouds.yaml and cloud.json; commands, control and cli are the commands.
Stdlib only: it runs on the system python3, before any venv exists.
"""
