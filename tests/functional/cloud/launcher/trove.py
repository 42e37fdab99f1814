"""Trove (when trove_server.py exists): its config, its process, its seed."""

import json

from launcher.loopback import answers
from launcher.processes import wait_until
from launcher.settings import (
    COMPUTE_HOSTS,
    HOST,
    SERVICE_USERS,
    TIMEOUTS,
    TROVE_SERVER,
    say,
    write_json,
)


def trove_present():
    return TROVE_SERVER.exists()


def start_trove(settings, services, projects):
    tdir = settings.run_dir / "trove"
    tdir.mkdir(parents=True)
    config = settings.run_dir / "trove.json"
    write_json(
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
