"""What start leaves for the tests: clouds.yaml and cloud.json."""

import sys
import time

from launcher.settings import (
    CLOUD_NAMES,
    COMPUTE_HOSTS,
    DEVCLOUD,
    DOMAIN,
    HYPERVISOR_HOSTNAMES,
    NETWORKS,
    REGION,
    REPORT_INTERVAL,
    SERVICE_DOWN_TIME,
    USERS,
    write_json,
)


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
    me = [sys.executable, str(DEVCLOUD)]
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
    write_json(settings.run_dir / "cloud.json", info)
    return info
