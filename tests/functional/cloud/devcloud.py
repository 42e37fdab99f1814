#!/usr/bin/env python3
"""devcloud: a real local OpenStack cloud on 127.0.0.1 for hostctl's tests.

Keystone 30.0.0, Nova 34.0.0 and (when tests/functional/cloud/trove_server.py
exists) Trove 26.0.0, the real projects installed from PyPI, each in its own
venv, serving on loopback only.  Run with the system python3 (3.11, stdlib
only):

    python3 tests/functional/cloud/devcloud.py start   # install, start, seed
    eval "$(python3 tests/functional/cloud/devcloud.py env)"
    python3 tests/functional/cloud/devcloud.py status
    python3 tests/functional/cloud/devcloud.py heartbeat stop compute3
    python3 tests/functional/cloud/devcloud.py heartbeat start compute3
    python3 tests/functional/cloud/devcloud.py compute restart compute3
    python3 tests/functional/cloud/devcloud.py stop    # idempotent

``start --services keystone`` brings up Keystone alone (``keystone,nova``:
no Trove).  ``start`` on a running cloud stops it first: every start is a
fresh cloud (new databases, servers and IDs; only the admin project's ID,
from the cached Keystone bootstrap, stays).

Code
    This file is the command line and this docstring its manual; the work
    is done by the package launcher/ beside it, one module per job
    (settings, processes, venvs, loopback, keystone, identity, nova, seed,
    trove, outputs, commands, control, cli), all stdlib.  Nova itself runs
    from nova_server.py with the package novacloud/ (in the nova venv).

Where things go
    venvs       ${HOSTCTL_CLOUD_VENVS:-~/.cache/hostctl/cloud/venvs}/{keystone,
                nova,trove}, made from requirements/<name>.txt (trove also
                from trove_requirements.txt if present) and reused while a
                stamp of those files matches; install logs beside them;
                <venvs>/_state/ caches a bootstrapped Keystone database.
    run dir     ${HOSTCTL_CLOUD_DIR:-<repo>/.cloud}: configs, databases,
                cloud.json, clouds.yaml, pids/, logs/<service>.log (the
                service's own log) and logs/<service>.out (its stdout and
                stderr).
    ports       127.0.0.1 only: keystone 15000, nova 18774, nova's control
                endpoint 18775, trove 18779; change with --keystone-port,
                --nova-port, --nova-control-port, --trove-port or
                HOSTCTL_CLOUD_{KEYSTONE,NOVA,NOVA_CONTROL,TROVE}_PORT.

Processes
    Each service runs in its own process group, recorded in pids/; ``stop``
    ends each group (SIGTERM, then SIGKILL) and then checks that no process
    naming the run dir is left.  A failed ``start`` stops what it started
    and names the log to read.

What it seeds
    Keystone: projects admin, demo and service; users admin (admin role on
    admin), member (member role on demo, nothing more), and the service
    users nova and trove (admin and service roles on service); catalogue
    entries identity, compute (http://127.0.0.1:18774/v2.1) and database
    (http://127.0.0.1:18779/v1.0/$(project_id)s), region RegionOne, public
    and internal interfaces.
    Nova: nova-compute on compute1, compute2, compute3 and compute10 (fake
    virt driver), and servers booted through the API, all settled before
    start returns.  compute1 is a prefix of compute10, and compute10's
    hypervisor is named compute10.example.org (the others' hypervisor
    hostname is their host name): a host matched by prefix, or a service
    host confused with a hypervisor hostname, shows.
        web-1   admin   compute1  live      127.0.10.11
        web-2   admin   compute2  live      127.0.10.12
        db-1    admin   compute3  live      127.0.10.13
        cache-1 admin   compute3  dead      127.0.66.11
        nonet-1 admin   compute2  no network at all
        batch-1 admin   compute10 live      127.0.10.14
        broken-1 admin  no host   ERROR: its flavor asks for a trait no
                                  host has, so scheduling fails
        app-1   member  (the scheduler's pick)  live  127.0.10.21
    "live" addresses (127.0.10.0/24) are meant to answer, "dead" ones
    (127.0.66.0/24) are the range the ping tests blackhole.
    Trove: whatever trove_server.py seeds (its trove-seed.json).

Heartbeats
    ``heartbeat stop HOST`` stops HOST's nova-compute service-group reports
    and ages its last heartbeat past service_down_time, so Nova reports the
    service down and its servers' host_status UNKNOWN at once;
    ``heartbeat start HOST`` resumes the reports (every report_interval,
    2 s) and reports right away: the service is up again when it returns.
    Both go to nova_server.py's control endpoint.

Moving servers
    Evacuation (host forced down first), live migration and cold migration
    with confirmResize work through Nova's API as on a real cloud (the
    neutron stand-in binds ports to the new host).  After an evacuation,
    Nova refuses to clear the failed host's forced_down ("Unable to force
    up host ... as `done` evacuation migration records remain ...") until
    its nova-compute has been restarted: ``compute restart HOST`` stops
    that service and starts a new one on the same fake hypervisor, whose
    start-up destroys the evacuated servers there and marks their
    migrations `completed`; Nova then lets forced_down go.

    What Nova does here, for whoever waits on it: a move settles in 1 to
    3 s.  An evacuation goes REBUILD (rebuilding, rebuild_spawning), then
    the server is ACTIVE (SHUTOFF from 2.95) with no task while still on
    the failed host, and only then on its new host with its migration
    `done`; a live migration leaves the server ACTIVE on its new host a
    moment before its migration is `completed`; a cold migration goes
    RESIZE to VERIFY_RESIZE on the new host, then confirmResize makes it
    ACTIVE and the migration `confirmed`.  Wait on the host and the
    migration record, not the status alone.  Evacuating from a host whose
    compute is up: 400 "Compute service of HOST is still in use."  A
    stopped heartbeat counts as down as well as forced_down.  Which host
    the scheduler picks (app-1's too) varies from start to start.

cloud.json (in the run dir), read by the functional tests and the demo
    auth_url              Keystone v3 URL
    clouds_yaml           path of clouds.yaml (clouds devcloud-admin and
                          devcloud-member: password auth, region, interface
                          public, identity_api_version 3)
    clouds                {"admin": "devcloud-admin",
                           "member": "devcloud-member"}
    region                "RegionOne"
    compute_url           http://127.0.0.1:18774/v2.1
    database_url_template http://127.0.0.1:18779/v1.0/$(project_id)s
    projects              {"admin": id, "demo": id, "service": id}
    users                 {"admin": {"name", "password", "project"},
                           "member": {...}}
    hosts                 ["compute1", "compute2", "compute3", "compute10"]
    hypervisor_hostnames  {host: hypervisor hostname}: each host's own name,
                          but "compute10": "compute10.example.org"
    networks              {"live": {"id", "cidr"}, "dead": {"id", "cidr"}}
    servers               [{"id", "name", "project_id", "host" (null if
                           none), "addresses" [ip, ...], "status", "role"
                           ("live", "dead", "no-network" or "no-host")}]
    instances             Trove's seed {"answering": {"id", "name",
                           "project_id"}, "silent": ..., "failing": ...,
                           and any more it seeds (now "demo", the demo
                           project's)}, or {} without Trove
    heartbeat             {"control_url", "report_interval",
                           "service_down_time", "stop": argv, "start": argv}
                           (argv lists end with HOST to fill in)
    compute               {"control_url", "restart": argv} (ends with HOST)
    services              {name: {"url", "port", "pid", "log"}}
    run_dir, started_at, start_seconds
"""

import pathlib
import sys

# The launcher package sits beside this file: importable however this file
# is run (python3 path/to/devcloud.py, or imported by a test).
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))

from launcher.cli import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
