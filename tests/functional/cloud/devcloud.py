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

import argparse
import concurrent.futures
import hashlib
import ipaddress
import json
import os
import pathlib
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

HERE = pathlib.Path(__file__).resolve().parent
REPO = HERE.parents[2]
TROVE_SERVER = HERE / "trove_server.py"
HOST = "127.0.0.1"
REGION = "RegionOne"
DOMAIN = "default"

ALL_SERVICES = ("keystone", "nova", "trove")
DEFAULT_PORTS = {
    "keystone": 15000,
    "nova": 18774,
    "nova_control": 18775,
    "trove": 18779,
}
# compute1 is a prefix of compute10, and compute10's hypervisor has an FQDN
# for a name, distinct from its service host: what exact-name matching in
# hostctl must tell apart.
COMPUTE_HOSTS = ("compute1", "compute2", "compute3", "compute10")
HYPERVISOR_HOSTNAMES = {host: host for host in COMPUTE_HOSTS} | {
    "compute10": "compute10.example.org"
}
REPORT_INTERVAL = 2
SERVICE_DOWN_TIME = 60

# Local test credentials: this cloud only ever listens on loopback.
USERS = {
    "admin": {"name": "admin", "password": "devcloud-admin", "project": "admin"},
    "member": {"name": "member", "password": "devcloud-member", "project": "demo"},
}
SERVICE_USERS = {"nova": "devcloud-nova", "trove": "devcloud-trove"}
CLOUD_NAMES = {"admin": "devcloud-admin", "member": "devcloud-member"}

# The images and networks the nova stubs know (see nova_server.py).
IMAGE = "155d900f-4e14-4e4c-a73d-069cbf4541e6"
NETWORKS = {
    "live": {"id": "5e0b8d9c-6a2f-4c1e-9a43-0d0c1a7e1001", "cidr": "127.0.10.0/24"},
    "dead": {"id": "5e0b8d9c-6a2f-4c1e-9a43-0d0c1a7e1002", "cidr": "127.0.66.0/24"},
}
NOWHERE_FLAVOR = {
    "id": "devcloud-nowhere",
    "name": "devcloud.nowhere",
    "trait": "CUSTOM_DEVCLOUD_NOWHERE",
}
# name, owner, host, network role, fixed IP
SEED_SERVERS = (
    ("web-1", "admin", "compute1", "live", "127.0.10.11"),
    ("web-2", "admin", "compute2", "live", "127.0.10.12"),
    ("db-1", "admin", "compute3", "live", "127.0.10.13"),
    ("cache-1", "admin", "compute3", "dead", "127.0.66.11"),
    ("nonet-1", "admin", "compute2", "no-network", None),
    ("batch-1", "admin", "compute10", "live", "127.0.10.14"),
    ("broken-1", "admin", None, "no-host", None),
    ("app-1", "member", None, "live", "127.0.10.21"),
)
# Bump when the keystone bootstrap changes, to drop cached databases.
KEYSTONE_STATE_VERSION = "1"
MARKER = ".devcloud"

TIMEOUTS = {
    "keystone": 60,
    "nova": 180,
    "trove": 180,
    "servers": 120,
    "trove_seed": 180,
}


class DevCloudError(Exception):
    """A failure to report in one line, with the log that tells more."""

    def __init__(self, message, log=None):
        super().__init__(message)
        self.log = log


_T0 = time.monotonic()


def say(message):
    print(
        f"devcloud: [{time.monotonic() - _T0:5.1f}s] {message}",
        file=sys.stderr,
        flush=True,
    )


# --- settings ---------------------------------------------------------------


class Settings:
    def __init__(self, args=None):
        env = os.environ
        self.run_dir = pathlib.Path(
            env.get("HOSTCTL_CLOUD_DIR") or REPO / ".cloud"
        ).resolve()
        self.venvs_dir = pathlib.Path(
            env.get("HOSTCTL_CLOUD_VENVS")
            or pathlib.Path.home() / ".cache/hostctl/cloud/venvs"
        ).resolve()
        self.ports = {}
        for name, default in DEFAULT_PORTS.items():
            value = getattr(args, f"{name}_port", None) if args else None
            if value is None:
                value = env.get(f"HOSTCTL_CLOUD_{name.upper()}_PORT")
            self.ports[name] = int(value or default)

    @property
    def logs(self):
        return self.run_dir / "logs"

    @property
    def pids(self):
        return self.run_dir / "pids"

    @property
    def state_file(self):
        return self.run_dir / "state.json"

    @property
    def cache_dir(self):
        return self.venvs_dir / "_state"

    def url(self, name, path=""):
        return f"http://{HOST}:{self.ports[name]}{path}"

    @property
    def auth_url(self):
        return self.url("keystone", "/v3")

    @property
    def compute_url(self):
        return self.url("nova", "/v2.1")

    @property
    def database_url_template(self):
        return self.url("trove", "/v1.0/$(project_id)s")

    def venv(self, name):
        return self.venvs_dir / name

    def python(self, name):
        return self.venv(name) / "bin" / "python"


def _load_state(settings):
    try:
        return json.loads(settings.state_file.read_text())
    except (OSError, ValueError):
        return None


def _write_json(path, data):
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
    os.replace(tmp, path)


# --- HTTP on loopback -------------------------------------------------------

# No proxy, whatever the environment says: every target is on loopback.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.text = body.decode("utf-8", "replace")
        try:
            self.json = json.loads(self.text) if self.text else None
        except ValueError:
            self.json = None

    def expect(self, *statuses, what=""):
        if self.status not in statuses:
            raise DevCloudError(f"{what}: HTTP {self.status}: {self.text[:500]}")
        return self


def http(method, url, body=None, token=None, headers=None, timeout=30):
    host = urllib.parse.urlsplit(url).hostname
    if not ipaddress.ip_address(host).is_loopback:
        raise DevCloudError(f"refusing a request to {url}: not loopback")
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("Accept", "application/json")
    if data is not None:
        request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("X-Auth-Token", token)
    for key, value in (headers or {}).items():
        request.add_header(key, value)
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            return Response(response.status, response.headers, response.read())
    except urllib.error.HTTPError as exc:
        return Response(exc.code, exc.headers, exc.read())
    except (OSError, urllib.error.URLError) as exc:
        raise DevCloudError(f"{method} {url}: {getattr(exc, 'reason', exc)}") from exc


def answers(url, ok=lambda status: status < 500):
    try:
        return ok(http("GET", url, timeout=5).status)
    except DevCloudError:
        return False


# --- processes --------------------------------------------------------------


def _start_ticks(pid):
    """The start time of a process, to tell it from a later one."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            stat = f.read()
        return int(stat.rsplit(")", 1)[1].split()[19])
    except (OSError, ValueError, IndexError):
        return None


def _group_alive(pgid):
    """Whether any process of the group is still running (not a zombie)."""
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    if not os.path.isdir("/proc"):
        return True
    # killpg also finds zombies, which stay until whoever adopted them
    # reaps them: they run nothing, so they do not count.
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[2]) == pgid and fields[0] not in ("Z", "X"):
            return True
    return False


def _service_env():
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.lower().endswith("_proxy") and not k.startswith(("OS_", "PYTHON"))
    }
    env["NO_PROXY"] = env["no_proxy"] = "127.0.0.1,localhost"
    env["PYTHONUNBUFFERED"] = "1"
    return env


class Services:
    """The processes of one run dir: started here or found in pids/."""

    def __init__(self, settings):
        self.settings = settings
        self.procs = {}

    def spawn(self, name, argv, log_name=None):
        settings = self.settings
        out = settings.logs / f"{log_name or name}.out"
        with open(out, "ab") as f:
            proc = subprocess.Popen(
                [str(a) for a in argv],
                stdin=subprocess.DEVNULL,
                stdout=f,
                stderr=subprocess.STDOUT,
                cwd=settings.run_dir,
                env=_service_env(),
                start_new_session=True,
            )
        self.procs[name] = proc
        _write_json(
            settings.pids / (f"{name}.json"),
            {
                "name": name,
                "pid": proc.pid,
                "start_ticks": _start_ticks(proc.pid),
                "argv": [str(a) for a in argv],
                "out": str(out),
            },
        )
        return proc

    def records(self):
        found = []
        if self.settings.pids.is_dir():
            for path in sorted(self.settings.pids.glob("*.json")):
                try:
                    found.append((path, json.loads(path.read_text())))
                except (OSError, ValueError):
                    path.unlink(missing_ok=True)
        return found

    def _ours(self, record):
        """Whether the group recorded is still there and still ours."""
        pid = record["pid"]
        ticks = _start_ticks(pid)
        if ticks is not None and record.get("start_ticks") not in (None, ticks):
            return False  # the pid is someone else's now: ours is gone
        return _group_alive(pid)

    def _signal_and_wait(self, records, sig, wait):
        for record in records:
            try:
                os.killpg(record["pid"], sig)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + wait
        left = list(records)
        while left and time.monotonic() < deadline:
            time.sleep(0.1)
            for proc in self.procs.values():
                proc.poll()  # reap our own children
            left = [r for r in left if _group_alive(r["pid"])]
        return left

    def stop_all(self, quiet=False, grace=10.0):
        """Stop every recorded process group; True if none is left.

        SIGTERM to every group at once, SIGKILL to what is left after
        `grace` seconds.
        """
        found = self.records()
        running = [record for _, record in found if self._ours(record)]
        if not quiet:
            for record in running:
                say(f"stopping {record['name']} (process group {record['pid']})")
        left = self._signal_and_wait(running, signal.SIGTERM, grace)
        for record in left:
            say(f"{record['name']} did not stop within {grace:.0f}s: killing it")
        left = self._signal_and_wait(left, signal.SIGKILL, 5.0)
        for record in left:
            say(
                f"could not stop {record['name']}: "
                f"process group {record['pid']} is still there"
            )
        gone = {r["name"] for r in left}
        for path, record in found:
            if record["name"] not in gone:
                path.unlink(missing_ok=True)
        return self._sweep() and not left

    def _sweep(self):
        """End any process left that runs from this run dir; True if none."""
        marker = str(self.settings.run_dir) + os.sep
        left = []
        for entry in os.listdir("/proc") if os.path.isdir("/proc") else []:
            if not entry.isdigit() or int(entry) == os.getpid():
                continue
            try:
                with open(f"/proc/{entry}/cmdline", "rb") as f:
                    cmdline = f.read().replace(b"\0", b" ").decode("utf-8", "replace")
            except OSError:
                continue
            if marker in cmdline and "devcloud.py" not in cmdline:
                left.append((int(entry), cmdline))
        for pid, cmdline in left:
            say(f"ending leftover process {pid}: {cmdline[:120]}")
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if left:
            time.sleep(0.5)
            return all(_start_ticks(pid) is None for pid, _ in left)
        return True


def wait_until(what, check, proc, timeout, log):
    deadline = time.monotonic() + timeout
    while True:
        if proc is not None and proc.poll() is not None:
            raise DevCloudError(
                f"{what} exited with status {proc.returncode} while starting", log
            )
        if check():
            return
        if time.monotonic() > deadline:
            raise DevCloudError(f"{what} not ready after {timeout}s", log)
        time.sleep(0.2)


def run_logged(argv, log, env=None, what=None):
    with open(log, "ab") as f:
        f.write(("\n$ " + " ".join(str(a) for a in argv) + "\n").encode())
        f.flush()
        result = subprocess.run(
            [str(a) for a in argv],
            stdin=subprocess.DEVNULL,
            stdout=f,
            stderr=subprocess.STDOUT,
            env=env,
            check=False,
        )
    if result.returncode:
        what = what or os.path.basename(str(argv[0]))
        raise DevCloudError(f"{what} failed with status {result.returncode}", log)


def check_ports_free(settings, names):
    for name in names:
        port = settings.ports[name]
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            # As the servers do: old connections in TIME_WAIT do not count.
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                s.bind((HOST, port))
            except OSError:
                option = name.replace("_", "-")
                raise DevCloudError(
                    f"port {port} ({name}) is in use on {HOST}; choose another "
                    f"with --{option}-port or HOSTCTL_CLOUD_{name.upper()}_PORT"
                ) from None


# --- venvs ------------------------------------------------------------------


def requirement_files(name):
    files = [HERE / "requirements" / (f"{name}.txt")]
    extra = HERE / (f"{name}_requirements.txt")
    if extra.exists():
        files.append(extra)
    return files


def _venv_stamp(name):
    digest = hashlib.sha256(sys.version.encode())
    for path in requirement_files(name):
        digest.update(path.read_bytes())
    return digest.hexdigest()


def ensure_venv(settings, name):
    venv = settings.venv(name)
    stamp_file = venv / "devcloud.stamp"
    stamp = _venv_stamp(name)
    python = settings.python(name)
    if (
        python.exists()
        and stamp_file.exists()
        and stamp_file.read_text().strip() == stamp
    ):
        return "reused"
    settings.venvs_dir.mkdir(parents=True, exist_ok=True)
    log = settings.venvs_dir / (f"{name}.install.log")
    started = time.monotonic()
    if not python.exists():
        if venv.exists():
            shutil.rmtree(venv)
        run_logged(
            [sys.executable, "-m", "venv", venv], log, what=f"creating the {name} venv"
        )
    argv = [python, "-m", "pip", "install", "--disable-pip-version-check"]
    for path in requirement_files(name):
        argv += ["-r", path]
    run_logged(argv, log, what=f"installing the {name} venv")
    stamp_file.write_text(stamp + "\n")
    return f"installed in {time.monotonic() - started:.0f}s"


def ensure_venvs(settings, names):
    with concurrent.futures.ThreadPoolExecutor(len(names)) as pool:
        futures = {name: pool.submit(ensure_venv, settings, name) for name in names}
        for name, future in futures.items():
            say(f"venv {name}: {future.result()}")


# --- keystone ---------------------------------------------------------------


def _keystone_conf(settings):
    kdir = settings.run_dir / "keystone"
    return "\n".join(
        [
            "[DEFAULT]",
            f"log_file = {settings.logs / 'keystone.log'}",
            "use_stderr = false",
            "",
            "[database]",
            f"connection = sqlite:///{kdir / 'keystone.db'}",
            "",
            "[token]",
            "provider = fernet",
            "expiration = 43200",
            "",
            "[fernet_tokens]",
            f"key_repository = {kdir / 'fernet-keys'}",
            "",
            "[fernet_receipts]",
            f"key_repository = {kdir / 'fernet-keys'}",
            "",
            "[credential]",
            f"key_repository = {kdir / 'credential-keys'}",
            "",
            # Without the in-process cache each token validation costs about
            # 0.7 s on sqlite; with it a few milliseconds.
            "[cache]",
            "enabled = true",
            "backend = oslo_cache.dict",
            "expiration_time = 600",
            "",
            # Local test passwords: the cheapest bcrypt cost keeps every
            # authentication fast.
            "[identity]",
            "password_hash_rounds = 4",
            "",
        ]
    )


def prepare_keystone(settings):
    """Write keystone.conf; make its database and keys, or copy cached ones.

    db_sync, fernet_setup, credential_setup and bootstrap take some seconds;
    their result depends only on the venv, the port and the admin password,
    so it is kept in <venvs>/_state/ and copied on later starts.
    """
    kdir = settings.run_dir / "keystone"
    kdir.mkdir(parents=True)
    conf = kdir / "keystone.conf"
    conf.write_text(_keystone_conf(settings))
    key = hashlib.sha256(
        json.dumps(
            [
                KEYSTONE_STATE_VERSION,
                (settings.venv("keystone") / "devcloud.stamp").read_text(),
                settings.auth_url,
                USERS["admin"],
                REGION,
            ]
        ).encode()
    ).hexdigest()[:16]
    cached = settings.cache_dir / (f"keystone-{key}")
    parts = ("keystone.db", "fernet-keys", "credential-keys")
    if (cached / "complete").exists():
        for part in parts:
            if (cached / part).is_dir():
                shutil.copytree(cached / part, kdir / part)
            else:
                shutil.copy2(cached / part, kdir / part)
        return conf, "cached database"

    import grp
    import pwd

    manage = settings.venv("keystone") / "bin" / "keystone-manage"
    log = settings.logs / "keystone-manage.log"
    env = _service_env()
    owner = [
        "--keystone-user",
        pwd.getpwuid(os.getuid()).pw_name,
        "--keystone-group",
        grp.getgrgid(os.getgid()).gr_name,
    ]
    base = [manage, "--config-file", conf]
    # The key repositories do not touch the database: make them meanwhile.
    with concurrent.futures.ThreadPoolExecutor(3) as pool:
        jobs = [
            pool.submit(run_logged, base + argv, log, env, what)
            for argv, what in (
                (["db_sync"], "keystone-manage db_sync"),
                (["fernet_setup"] + owner, "keystone-manage fernet_setup"),
                (["credential_setup"] + owner, "keystone-manage credential_setup"),
            )
        ]
        for job in jobs:
            job.result()
    env = dict(env, OS_BOOTSTRAP_PASSWORD=USERS["admin"]["password"])
    run_logged(
        base
        + [
            "bootstrap",
            "--bootstrap-username",
            USERS["admin"]["name"],
            "--bootstrap-project-name",
            USERS["admin"]["project"],
            "--bootstrap-role-name",
            "admin",
            "--bootstrap-service-name",
            "keystone",
            "--bootstrap-region-id",
            REGION,
            "--bootstrap-admin-url",
            settings.auth_url,
            "--bootstrap-public-url",
            settings.auth_url,
            "--bootstrap-internal-url",
            settings.auth_url,
        ],
        log,
        env,
        "keystone-manage bootstrap",
    )

    tmp = settings.cache_dir / (f"keystone-{key}.tmp{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    for part in parts:
        if (kdir / part).is_dir():
            shutil.copytree(kdir / part, tmp / part)
        else:
            shutil.copy2(kdir / part, tmp / part)
    (tmp / "complete").write_text("")
    shutil.rmtree(cached, ignore_errors=True)
    os.replace(tmp, cached)
    return conf, "bootstrapped"


class Keystone:
    """Just enough of the identity API to seed it, over loopback."""

    def __init__(self, auth_url):
        self.auth_url = auth_url
        self.admin_token = None

    def token(self, user, password, project, domain=DOMAIN):
        body = {
            "auth": {
                "identity": {
                    "methods": ["password"],
                    "password": {
                        "user": {
                            "name": user,
                            "password": password,
                            "domain": {"id": domain},
                        }
                    },
                },
                "scope": {"project": {"name": project, "domain": {"id": domain}}},
            }
        }
        response = http("POST", self.auth_url + "/auth/tokens", body).expect(
            201, what=f"keystone: authenticating {user}"
        )
        return response.headers["X-Subject-Token"], response.json["token"]

    def login_admin(self):
        admin = USERS["admin"]
        self.admin_token, _ = self.token(
            admin["name"], admin["password"], admin["project"]
        )

    def _call(self, method, path, body=None, ok=(200,)):
        return http(method, self.auth_url + path, body, token=self.admin_token).expect(
            *ok, what=f"keystone: {method} {path}"
        )

    def _find(self, collection, **query):
        path = f"/{collection}?{urllib.parse.urlencode(query)}"
        items = self._call("GET", path).json[collection.split("/")[-1]]
        return items[0] if items else None

    def ensure(self, collection, singular, query, body):
        found = self._find(collection, **query)
        if found:
            return found
        return self._call("POST", "/" + collection, {singular: body}, ok=(201,)).json[
            singular
        ]

    def ensure_project(self, name):
        return self.ensure(
            "projects",
            "project",
            {"name": name},
            {
                "name": name,
                "domain_id": DOMAIN,
                "description": f"devcloud project {name}",
            },
        )

    def ensure_user(self, name, password, project):
        return self.ensure(
            "users",
            "user",
            {"name": name},
            {
                "name": name,
                "password": password,
                "domain_id": DOMAIN,
                "default_project_id": project["id"],
            },
        )

    def grant(self, project, user, role):
        self._call(
            "PUT",
            f"/projects/{project['id']}/users/{user['id']}/roles/{role['id']}",
            ok=(204,),
        )

    def ensure_endpoints(self, service_type, name, url):
        service = self.ensure(
            "services",
            "service",
            {"type": service_type},
            {"type": service_type, "name": name, "description": f"devcloud {name}"},
        )
        for interface in ("public", "internal"):
            found = self._find(
                "endpoints", service_id=service["id"], interface=interface
            )
            if found and found["url"] != url:
                self._call(
                    "PATCH",
                    f"/endpoints/{found['id']}",
                    {"endpoint": {"url": url}},
                )
            elif not found:
                self._call(
                    "POST",
                    "/endpoints",
                    {
                        "endpoint": {
                            "service_id": service["id"],
                            "interface": interface,
                            "url": url,
                            "region_id": REGION,
                        }
                    },
                    ok=(201,),
                )
        return service


def seed_keystone(settings):
    keystone = Keystone(settings.auth_url)
    keystone.login_admin()
    roles = {
        name: keystone._find("roles", name=name)
        for name in ("admin", "member", "reader", "service")
    }
    if not roles["service"]:
        roles["service"] = keystone.ensure(
            "roles", "role", {"name": "service"}, {"name": "service"}
        )
    projects = {
        name: keystone.ensure_project(name) for name in ("admin", "demo", "service")
    }
    member = USERS["member"]
    user = keystone.ensure_user(member["name"], member["password"], projects["demo"])
    keystone.grant(projects["demo"], user, roles["member"])
    for name, password in SERVICE_USERS.items():
        user = keystone.ensure_user(name, password, projects["service"])
        keystone.grant(projects["service"], user, roles["admin"])
        keystone.grant(projects["service"], user, roles["service"])
    keystone.ensure_endpoints("compute", "nova", settings.compute_url)
    keystone.ensure_endpoints("database", "trove", settings.database_url_template)
    return {name: project["id"] for name, project in projects.items()}


def start_keystone(settings, services):
    conf, how = prepare_keystone(settings)
    say(f"keystone: {how}")
    proc = services.spawn(
        "keystone",
        [
            settings.python("keystone"),
            HERE / "keystone_server.py",
            "--config-file",
            conf,
            "--host",
            HOST,
            "--port",
            settings.ports["keystone"],
        ],
    )
    wait_until(
        "keystone",
        lambda: answers(settings.auth_url, ok=lambda status: status == 200),
        proc,
        TIMEOUTS["keystone"],
        settings.logs / "keystone.out",
    )
    say(f"keystone: serving on {settings.auth_url}")
    projects = seed_keystone(settings)
    say("keystone: seeded projects, users and catalogue")
    return projects


# --- nova -------------------------------------------------------------------


def _nova_conf(settings):
    ndir = settings.run_dir / "nova"
    paste = settings.venv("nova") / "etc" / "nova" / "api-paste.ini"
    return "\n".join(
        [
            "[DEFAULT]",
            "host = devcloud",
            f"state_path = {ndir}",
            f"instances_path = {ndir / 'instances'}",
            f"log_file = {settings.logs / 'nova.log'}",
            "use_stderr = false",
            "debug = false",
            "compute_driver = fake.FakeDriver",
            # Heartbeats every 2 s: a stopped heartbeat shows within seconds.
            f"report_interval = {REPORT_INTERVAL}",
            f"service_down_time = {SERVICE_DOWN_TIME}",
            "periodic_enable = false",
            "manager_shutdown_timeout = 0",
            # The API, conductor, scheduler and three computes share these
            # pools in one process: more threads than one service would need.
            "default_thread_pool_size = 40",
            "cell_worker_thread_pool_size = 20",
            "max_concurrent_builds = 10",
            "max_concurrent_snapshots = 10",
            "graceful_shutdown_timeout = 1",
            "",
            # The database fixtures of nova_server.py put the databases in
            # sqlite files of their own; Nova still reads the connection's kind
            # from here.
            "[database]",
            "connection = sqlite://",
            "sqlite_synchronous = false",
            "",
            "[api_database]",
            "connection = sqlite://",
            "sqlite_synchronous = false",
            "",
            "[api]",
            "response_validation = warn",
            "",
            "[wsgi]",
            f"api_paste_config = {paste}",
            "",
            "[keystone_authtoken]",
            f"www_authenticate_uri = {settings.auth_url}",
            f"auth_url = {settings.auth_url}",
            "auth_type = password",
            "username = nova",
            f"password = {SERVICE_USERS['nova']}",
            "project_name = service",
            f"user_domain_id = {DOMAIN}",
            f"project_domain_id = {DOMAIN}",
            f"region_name = {REGION}",
            "interface = public",
            "",
            "[oslo_messaging_notifications]",
            "driver = noop",
            "",
            "[oslo_concurrency]",
            f"lock_path = {ndir / 'locks'}",
            "",
            # A dev cloud: tests may boot what they like.
            "[quota]",
            "instances = -1",
            "cores = -1",
            "ram = -1",
            "",
        ]
    )


def start_nova(settings, services):
    ndir = settings.run_dir / "nova"
    ndir.mkdir(parents=True)
    conf = ndir / "nova.conf"
    conf.write_text(_nova_conf(settings))
    return services.spawn(
        "nova",
        [
            settings.python("nova"),
            HERE / "nova_server.py",
            "--config-file",
            conf,
            "--host",
            HOST,
            "--port",
            settings.ports["nova"],
            "--control-port",
            settings.ports["nova_control"],
            "--computes",
            ",".join(COMPUTE_HOSTS),
            *(
                arg
                for host, node in HYPERVISOR_HOSTNAMES.items()
                if node != host
                for arg in ("--nodename", f"{host}={node}")
            ),
            *(
                arg
                for name, net in NETWORKS.items()
                for arg in ("--network", f"{name}:{net['id']}:{net['cidr']}")
            ),
            "--state-dir",
            ndir,
        ],
    )


def wait_nova(settings, proc):
    log = settings.logs / "nova.out"
    wait_until(
        "nova",
        lambda: (
            answers(settings.url("nova", "/"), ok=lambda status: status == 200)
            and answers(
                settings.url("nova_control", "/ready"), ok=lambda status: status == 200
            )
        ),
        proc,
        TIMEOUTS["nova"],
        log,
    )
    hosts = ", ".join(COMPUTE_HOSTS)
    say(f"nova: serving on {settings.compute_url}, computes {hosts} up")


class Nova:
    def __init__(self, settings, token):
        self.url = settings.compute_url
        self.token = token

    def call(self, method, path, body=None, version="2.74", ok=(200,)):
        return http(
            method,
            self.url + path,
            body,
            token=self.token,
            headers={"OpenStack-API-Version": f"compute {version}"},
        ).expect(*ok, what=f"nova: {method} {path}")


def seed_nova(settings, projects):
    keystone = Keystone(settings.auth_url)
    tokens = {
        role: keystone.token(user["name"], user["password"], user["project"])[0]
        for role, user in USERS.items()
    }
    admin = Nova(settings, tokens["admin"])
    # A flavor no host can take: a server of it fails to schedule and is
    # left in ERROR with no host.
    admin.call(
        "POST",
        "/flavors",
        {
            "flavor": {
                "id": NOWHERE_FLAVOR["id"],
                "name": NOWHERE_FLAVOR["name"],
                "ram": 64,
                "vcpus": 1,
                "disk": 0,
            }
        },
    )
    admin.call(
        "POST",
        f"/flavors/{NOWHERE_FLAVOR['id']}/os-extra_specs",
        {"extra_specs": {f"trait:{NOWHERE_FLAVOR['trait']}": "required"}},
    )

    def boot(name, owner, host, role, address):
        server = {"name": name, "imageRef": IMAGE, "flavorRef": "1"}
        if role in NETWORKS:
            server["networks"] = [{"uuid": NETWORKS[role]["id"], "fixed_ip": address}]
        else:
            server["networks"] = "none"
        if role == "no-host":
            server["flavorRef"] = NOWHERE_FLAVOR["id"]
        if host:
            server["host"] = host
        created = (
            Nova(settings, tokens[owner])
            .call("POST", "/servers", {"server": server}, ok=(202,))
            .json["server"]
        )
        return created["id"], role

    # Booting in parallel overlaps the API's work with the builds.
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        roles = dict(pool.map(lambda spec: boot(*spec), SEED_SERVERS))

    deadline = time.monotonic() + TIMEOUTS["servers"]
    while True:
        listed = admin.call(
            "GET", "/servers/detail?all_tenants=1", version="2.16"
        ).json["servers"]
        ours = [s for s in listed if s["id"] in roles]
        settled = all(s["status"] in ("ACTIVE", "ERROR") for s in ours)
        if settled and len(ours) == len(roles):
            break
        if time.monotonic() > deadline:
            states = ", ".join(f"{s['name']} {s['status']}" for s in ours)
            raise DevCloudError(
                f"seed servers not ACTIVE after {TIMEOUTS['servers']}s: {states}",
                settings.logs / "nova.log",
            )
        time.sleep(0.3)

    servers = []
    for server in sorted(ours, key=lambda s: s["name"]):
        role = roles[server["id"]]
        expected = "ERROR" if role == "no-host" else "ACTIVE"
        if server["status"] != expected:
            fault = server.get("fault", {}).get("message", "")
            raise DevCloudError(
                f"seed server {server['name']} is {server['status']}, "
                f"not {expected}: {fault}",
                settings.logs / "nova.log",
            )
        servers.append(
            {
                "id": server["id"],
                "name": server["name"],
                "project_id": server["tenant_id"],
                "host": server.get("OS-EXT-SRV-ATTR:host"),
                "addresses": [
                    a["addr"] for net in server["addresses"].values() for a in net
                ],
                "status": server["status"],
                "role": role,
            }
        )
    say(f"nova: seeded {len(servers)} servers")
    return servers


# --- trove ------------------------------------------------------------------


def trove_present():
    return TROVE_SERVER.exists()


def start_trove(settings, services, projects):
    tdir = settings.run_dir / "trove"
    tdir.mkdir(parents=True)
    config = settings.run_dir / "trove.json"
    _write_json(
        config,
        {
            "host": HOST,
            "port": settings.ports["trove"],
            "run_dir": str(settings.run_dir),
            "auth_url": settings.auth_url,
            "service_user": "trove",
            "service_password": SERVICE_USERS["trove"],
            "service_project": "service",
            "admin_project_id": projects["admin"],
            "demo_project_id": projects["demo"],
            "log_file": str(settings.logs / "trove.log"),
            # The host its stand-in Nova reports for the instances' servers.
            "compute_host": COMPUTE_HOSTS[0],
        },
    )
    (settings.run_dir / "trove-seed.json").unlink(missing_ok=True)
    return services.spawn(
        "trove",
        [settings.python("trove"), TROVE_SERVER, "--config", config],
    )


def wait_trove(settings, proc):
    log = settings.logs / "trove.out"
    wait_until(
        "trove",
        lambda: answers(settings.url("trove", "/")),
        proc,
        TIMEOUTS["trove"],
        log,
    )
    say(f"trove: serving on {settings.url('trove', '/')}")
    seed = settings.run_dir / "trove-seed.json"

    def seeded():
        try:
            return "instances" in json.loads(seed.read_text())
        except (OSError, ValueError):
            return False

    wait_until(
        f"trove seed ({seed.name})",
        seeded,
        proc,
        TIMEOUTS["trove_seed"],
        settings.logs / "trove.log",
    )
    instances = json.loads(seed.read_text())["instances"]
    say(f"trove: seeded {len(instances)} instances")
    return instances


# --- outputs ----------------------------------------------------------------


def write_clouds_yaml(settings):
    lines = ["# Written by devcloud.py start; local test credentials.", "clouds:"]
    for role, user in USERS.items():
        lines += [
            f"  {CLOUD_NAMES[role]}:",
            "    auth:",
            f"      auth_url: {settings.auth_url}",
            f"      username: {user['name']}",
            f"      password: {user['password']}",
            f"      project_name: {user['project']}",
            f"      user_domain_id: {DOMAIN}",
            f"      project_domain_id: {DOMAIN}",
            "    auth_type: password",
            f"    region_name: {REGION}",
            "    interface: public",
            "    identity_api_version: 3",
        ]
    path = settings.run_dir / "clouds.yaml"
    path.write_text("\n".join(lines) + "\n")
    return path


def write_cloud_json(settings, services, projects, servers, instances, started):
    clouds_yaml = write_clouds_yaml(settings)
    me = [sys.executable, str(pathlib.Path(__file__).resolve())]
    info = {
        "auth_url": settings.auth_url,
        "clouds_yaml": str(clouds_yaml),
        "clouds": dict(CLOUD_NAMES),
        "region": REGION,
        "compute_url": settings.compute_url,
        "database_url_template": settings.database_url_template,
        "projects": projects,
        "users": {role: dict(user) for role, user in USERS.items()},
        "hosts": list(COMPUTE_HOSTS) if "nova" in services.procs else [],
        "hypervisor_hostnames": dict(HYPERVISOR_HOSTNAMES)
        if "nova" in services.procs
        else {},
        "networks": NETWORKS if "nova" in services.procs else {},
        "servers": servers,
        "instances": instances,
        "heartbeat": {
            "control_url": settings.url("nova_control"),
            "report_interval": REPORT_INTERVAL,
            "service_down_time": SERVICE_DOWN_TIME,
            "stop": me + ["heartbeat", "stop"],
            "start": me + ["heartbeat", "start"],
        }
        if "nova" in services.procs
        else {},
        "compute": {
            "control_url": settings.url("nova_control"),
            "restart": me + ["compute", "restart"],
        }
        if "nova" in services.procs
        else {},
        "services": {
            name: {
                "url": settings.url(name, "/"),
                "port": settings.ports[name],
                "pid": proc.pid,
                "log": str(settings.logs / (f"{name}.log")),
            }
            for name, proc in services.procs.items()
        },
        "run_dir": str(settings.run_dir),
        "started_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "start_seconds": round(time.monotonic() - started, 1),
    }
    _write_json(settings.run_dir / "cloud.json", info)
    return info


# --- commands ---------------------------------------------------------------


def cmd_start(args):
    settings = Settings(args)
    wanted = [s.strip() for s in args.services.split(",") if s.strip()]
    unknown = set(wanted) - set(ALL_SERVICES)
    if unknown or "keystone" not in wanted:
        raise DevCloudError(
            f"--services: a comma list of {', '.join(ALL_SERVICES)}, keystone included"
        )
    if "trove" in wanted and not trove_present():
        say(f"warning: {TROVE_SERVER} does not exist yet: starting without Trove")
        wanted.remove("trove")
    started = time.monotonic()

    services = Services(settings)
    if services.records():
        say(f"stopping the cloud already running from {settings.run_dir}")
        if not services.stop_all(quiet=True):
            raise DevCloudError("could not stop the running cloud")
    ports = (
        ["keystone"]
        + (["nova", "nova_control"] if "nova" in wanted else [])
        + (["trove"] if "trove" in wanted else [])
    )
    check_ports_free(settings, ports)

    ensure_venvs(settings, wanted)

    # A fresh run dir each start: the cloud's state is cheap to remake.
    # Only a directory this script made (it has the marker) is emptied.
    marker = settings.run_dir / MARKER
    if settings.run_dir.exists() and any(settings.run_dir.iterdir()):
        if not marker.exists():
            raise DevCloudError(
                f"{settings.run_dir} is not empty and was not made by devcloud.py; set "
                "HOSTCTL_CLOUD_DIR to another directory"
            )
        for entry in settings.run_dir.iterdir():
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry)
            else:
                entry.unlink()
    settings.run_dir.mkdir(parents=True, exist_ok=True)
    marker.write_text("made by devcloud.py; emptied by each start\n")
    settings.logs.mkdir()
    settings.pids.mkdir()
    _write_json(
        settings.state_file,
        {"ports": settings.ports, "services": wanted, "run_dir": str(settings.run_dir)},
    )

    try:
        procs = {}
        # Nova needs Keystone only once requests come: it sets itself up
        # meanwhile.  Trove is told the project IDs, so it waits.
        if "nova" in wanted:
            procs["nova"] = start_nova(settings, services)
        projects = start_keystone(settings, services)
        if "trove" in wanted:
            procs["trove"] = start_trove(settings, services, projects)
        servers, instances = [], {}
        if "nova" in procs:
            wait_nova(settings, procs["nova"])
            servers = seed_nova(settings, projects)
        if "trove" in procs:
            instances = wait_trove(settings, procs["trove"])
        info = write_cloud_json(
            settings, services, projects, servers, instances, started
        )
    except BaseException as exc:
        say("start failed: stopping what it started")
        for name, proc in services.procs.items():
            if proc.poll() is not None:
                out = settings.logs / f"{name}.out"
                say(f"{name} had exited with status {proc.returncode} (see {out})")
        services.stop_all(quiet=True)
        if isinstance(exc, DevCloudError) and exc.log is None:
            exc.log = settings.logs
        raise
    cloud_json = settings.run_dir / "cloud.json"
    say(f"cloud up in {info['start_seconds']:.1f}s: {cloud_json}")
    say(f'for a shell: eval "$(python3 {os.path.relpath(__file__)} env)"')
    return 0


def cmd_install(args):
    """Build the service venvs and nothing else, so that a later start
    needs no network (it may run in a namespace that has only loopback)."""
    ensure_venvs(Settings(args), list(ALL_SERVICES))
    return 0


def cmd_stop(args):
    settings = Settings(args)
    services = Services(settings)
    if not services.records():
        ok = services._sweep()
        say(f"nothing running from {settings.run_dir}")
        return 0 if ok else 1
    if services.stop_all():
        say(f"stopped; no process of {settings.run_dir} is left")
        return 0
    raise DevCloudError("some processes could not be stopped (see above)")


def cmd_status(args):
    settings = Settings(args)
    services = Services(settings)
    records = services.records()
    if not records:
        print(f"not running (run dir {settings.run_dir})")
        return 3
    state = _load_state(settings) or {}
    ports = state.get("ports", settings.ports)
    checks = {"keystone": "/v3", "nova": "/", "trove": "/"}
    all_ok = True
    for _, record in records:
        name = record["name"]
        running = services._ours(record)
        url = f"http://{HOST}:{ports[name]}{checks.get(name, '/')}"
        answering = running and answers(url)
        all_ok = all_ok and answering
        state = "running" if running else "DEAD"
        answer = "answers" if answering else "does not answer"
        print(f"{name:<9} {state:<8} pid {record['pid']:<7} {url} {answer}")
    cloud_json = settings.run_dir / "cloud.json"
    print(
        "cloud.json:",
        cloud_json if cloud_json.exists() else "not written (start not finished?)",
    )
    return 0 if all_ok else 1


def cmd_env(args):
    settings = Settings(args)
    role = "member" if args.member else "admin"
    print(f"export OS_CLIENT_CONFIG_FILE={settings.run_dir / 'clouds.yaml'}")
    print(f"export OS_CLOUD={CLOUD_NAMES[role]}")
    print(f"export HOSTCTL_CLOUD_JSON={settings.run_dir / 'cloud.json'}")
    if not (settings.run_dir / "clouds.yaml").exists():
        say("warning: the cloud is not started (no clouds.yaml yet)")
    return 0


def _control(settings, path, what):
    """POST to nova_server.py's control endpoint; raise if it refuses."""
    state = _load_state(settings)
    if not state or "nova" not in state.get("services", []):
        raise DevCloudError(f"nova is not running from {settings.run_dir}")
    url = f"http://{HOST}:{state['ports']['nova_control']}{path}"
    try:
        response = http("POST", url, body={}, timeout=120)
    except DevCloudError as exc:
        raise DevCloudError(
            f"nova control endpoint: {exc}", settings.logs / "nova.log"
        ) from exc
    if response.status != 200:
        error = (response.json or {}).get("error", response.text)
        raise DevCloudError(
            f"{what}: {error}",
            None if response.status == 404 else settings.logs / "nova.log",
        )


def cmd_heartbeat(args):
    settings = Settings(args)
    host = urllib.parse.quote(args.host, safe="")
    _control(
        settings,
        f"/heartbeat/{host}/{args.action}",
        f"heartbeat {args.action} {args.host}",
    )
    if args.action == "stop":
        say(f"{args.host}: heartbeat stopped; nova-compute there is down now")
    else:
        say(f"{args.host}: heartbeat resumed; nova-compute there is up again")
    return 0


def cmd_compute(args):
    settings = Settings(args)
    host = urllib.parse.quote(args.host, safe="")
    _control(
        settings, f"/compute/{host}/{args.action}", f"compute {args.action} {args.host}"
    )
    say(f"{args.host}: nova-compute restarted")
    return 0


def _parser():
    parser = argparse.ArgumentParser(
        prog="devcloud.py",
        description="A local OpenStack cloud on 127.0.0.1 for hostctl.",
        epilog="What it seeds, where things go and the keys of cloud.json: "
        "the docstring at the top of this file.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    start = sub.add_parser("start", help="install if needed, start, seed")
    start.add_argument(
        "--services",
        default=",".join(ALL_SERVICES),
        help="comma list, keystone included (default: all)",
    )
    for name in DEFAULT_PORTS:
        start.add_argument(
            "--" + name.replace("_", "-") + "-port", type=int, dest=f"{name}_port"
        )
    sub.add_parser("install", help="build the service venvs, start nothing")
    sub.add_parser("stop", help="stop everything started from the run dir")
    sub.add_parser("status", help="what runs and answers")
    env = sub.add_parser("env", help="print exports for a shell")
    env.add_argument(
        "--member", action="store_true", help="the non-admin cloud as OS_CLOUD"
    )
    heartbeat = sub.add_parser(
        "heartbeat", help="stop or start a compute host's heartbeat"
    )
    heartbeat.add_argument("action", choices=("stop", "start"))
    heartbeat.add_argument("host")
    compute = sub.add_parser(
        "compute", help="restart a compute host's nova-compute service"
    )
    compute.add_argument("action", choices=("restart",))
    compute.add_argument("host")
    return parser


def main(argv=None):
    args = _parser().parse_args(argv)
    command = {
        "start": cmd_start,
        "install": cmd_install,
        "stop": cmd_stop,
        "status": cmd_status,
        "env": cmd_env,
        "heartbeat": cmd_heartbeat,
        "compute": cmd_compute,
    }[args.command]
    try:
        return command(args)
    except DevCloudError as exc:
        print(f"devcloud: error: {exc}", file=sys.stderr)
        if exc.log:
            print(f"devcloud: see {exc.log}", file=sys.stderr)
            try:
                tail = (
                    pathlib.Path(exc.log).read_text(errors="replace").splitlines()[-15:]
                )
            except OSError:  # a directory, or no log yet
                tail = []
            for line in tail:
                print(f"    | {line}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
