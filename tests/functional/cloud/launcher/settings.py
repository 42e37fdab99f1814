"""What the cloud is made of (hosts, users, ports, seeds) and where it lives."""

import json
import os
import pathlib
import sys
import time

# The directory of devcloud.py and the services' scripts.
HERE = pathlib.Path(__file__).resolve().parent.parent
DEVCLOUD = HERE / "devcloud.py"
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


# --- where things go ---------------------------------------------------------


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


def load_state(settings):
    try:
        return json.loads(settings.state_file.read_text())
    except (OSError, ValueError):
        return None


def write_json(path, data):
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
    os.replace(tmp, path)
