"""Keystone: its configuration, a bootstrapped database (cached), its process."""

import concurrent.futures
import hashlib
import json
import os
import shutil

from launcher.identity import seed_keystone
from launcher.processes import run_logged, service_env, wait_until
from launcher.settings import (
    HERE,
    HOST,
    KEYSTONE_STATE_VERSION,
    REGION,
    TIMEOUTS,
    USERS,
    say,
)
from launcher.loopback import answers


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
    env = service_env()
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
