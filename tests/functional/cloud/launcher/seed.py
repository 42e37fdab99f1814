"""The servers every start boots through Nova's API (devcloud.py's docstring
lists them), settled before start returns."""

import concurrent.futures
import time

from launcher.identity import Keystone
from launcher.nova import Nova
from launcher.settings import (
    IMAGE,
    NETWORKS,
    NOWHERE_FLAVOR,
    SEED_SERVERS,
    TIMEOUTS,
    USERS,
    DevCloudError,
    say,
)


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
