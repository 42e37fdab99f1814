"""start, install, stop, status and env."""

import os
import shutil
import time

from launcher import keystone, nova, outputs, seed, trove, venvs
from launcher.processes import Services, check_ports_free
from launcher.loopback import answers
from launcher.settings import (
    ALL_SERVICES,
    CLOUD_NAMES,
    DEVCLOUD,
    HOST,
    MARKER,
    TROVE_SERVER,
    DevCloudError,
    Settings,
    load_state,
    say,
    write_json,
)


def cmd_start(args):
    settings = Settings(args)
    wanted = [s.strip() for s in args.services.split(",") if s.strip()]
    unknown = set(wanted) - set(ALL_SERVICES)
    if unknown or "keystone" not in wanted:
        raise DevCloudError(
            f"--services: a comma list of {', '.join(ALL_SERVICES)}, keystone included"
        )
    if "trove" in wanted and not trove.trove_present():
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

    venvs.ensure_venvs(settings, wanted)

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
    write_json(
        settings.state_file,
        {"ports": settings.ports, "services": wanted, "run_dir": str(settings.run_dir)},
    )

    try:
        procs = {}
        # Nova needs Keystone only once requests come: it sets itself up
        # meanwhile.  Trove is told the project IDs, so it waits.
        if "nova" in wanted:
            procs["nova"] = nova.start_nova(settings, services)
        projects = keystone.start_keystone(settings, services)
        if "trove" in wanted:
            procs["trove"] = trove.start_trove(settings, services, projects)
        servers, instances = [], {}
        if "nova" in procs:
            nova.wait_nova(settings, procs["nova"])
            servers = seed.seed_nova(settings, projects)
        if "trove" in procs:
            instances = trove.wait_trove(settings, procs["trove"])
        info = outputs.write_cloud_json(
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
    say(f'for a shell: eval "$(python3 {os.path.relpath(DEVCLOUD)} env)"')
    return 0


def cmd_install(args):
    """Build the service venvs and nothing else, so that a later start
    needs no network (it may run in a namespace that has only loopback)."""
    venvs.ensure_venvs(Settings(args), list(ALL_SERVICES))
    return 0


def cmd_stop(args):
    settings = Settings(args)
    services = Services(settings)
    if not services.records():
        ok = services.sweep()
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
    state = load_state(settings) or {}
    ports = state.get("ports", settings.ports)
    checks = {"keystone": "/v3", "nova": "/", "trove": "/"}
    all_ok = True
    for _, record in records:
        name = record["name"]
        running = services.ours(record)
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
