"""Trove's real API for the local cloud, with guests that answer, fail or say nothing.

Run with the Python of a venv that has ``trove`` installed::

    python tests/functional/cloud/trove_server.py --config RUN_DIR/trove.json

trove.json holds ``host``, ``port``, ``run_dir``, ``auth_url`` (Keystone v3),
``service_user``, ``service_password``, ``service_project``,
``admin_project_id``, ``demo_project_id``, ``log_file`` and, optionally,
``compute_host`` (the host name the stand-in Nova reports for every server).

In ``run_dir`` the script writes ``trove.conf``, ``trove-api-paste.ini`` (Trove's
own, shipped with the package) and the sqlite database ``trove.sqlite``; it
brings the schema up to date with Trove's migrations, seeds a datastore and
the instances (see trove_seed), starts their guests (see trove_guests), writes
``trove-seed.json`` and serves the API the way ``trove-api`` does: the paste
pipeline with keystonemiddleware's auth_token, Trove's context and policy,
on the WSGI server trove-api uses (eventlet's, a green thread per request),
until SIGTERM.

Like every Trove service, the process is monkey-patched by eventlet; that is
what lets the guests' RPC servers (Trove's helper uses the eventlet executor)
and the API share the in-process ``fake://`` message transport.  Only loopback
addresses are allowed as network targets: the script refuses any other
``host`` or ``auth_url`` and the process refuses to connect anywhere else.
"""

import warnings

# Trove runs on eventlet, which warns at import that it is deprecated.
warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")

import eventlet

eventlet.monkey_patch()

import argparse
import ipaddress
import json
import os
import signal
import socket
import sys
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
if HERE not in sys.path:
    # Trove imports the stand-in clients by name from its configuration.
    sys.path.insert(0, HERE)

REQUIRED_KEYS = (
    "host",
    "port",
    "run_dir",
    "auth_url",
    "service_user",
    "service_password",
    "service_project",
    "admin_project_id",
    "demo_project_id",
    "log_file",
)

# Seconds a call to a guest waits for its answer: rpc_ping uses
# agent_call_low_timeout (trove.guestagent.api.API.rpc_ping).
AGENT_TIMEOUT = 1


class ConfigError(Exception):
    pass


# -- loopback only -----------------------------------------------------------


def _is_loopback_name(host):
    """An IP literal on loopback, or "localhost"; no name is looked up."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _check_target(address):
    if isinstance(address, tuple) and address:
        host = address[0]
        try:
            loopback = ipaddress.ip_address(str(host).split("%")[0]).is_loopback
        except ValueError:
            loopback = False
        if not loopback:
            raise PermissionError(
                f"the local cloud only reaches loopback addresses, not {host!r}"
            )


def guard_loopback():
    """Refuse, in this whole process, any connection that leaves loopback.

    Green sockets wrap the standard ones, so guarding the standard class
    guards both.  Unix sockets (addresses that are not tuples) pass.
    """
    original = eventlet.patcher.original("socket").socket
    connect, connect_ex, sendto = original.connect, original.connect_ex, original.sendto

    def guarded_connect(self, address):
        _check_target(address)
        return connect(self, address)

    def guarded_connect_ex(self, address):
        _check_target(address)
        return connect_ex(self, address)

    def guarded_sendto(self, data, *args):
        _check_target(args[-1])
        return sendto(self, data, *args)

    original.connect = guarded_connect
    original.connect_ex = guarded_connect_ex
    original.sendto = guarded_sendto


# -- configuration -------------------------------------------------------------


def load_config(path):
    with open(path) as f:
        config = json.load(f)
    missing = [key for key in REQUIRED_KEYS if key not in config]
    if missing:
        raise ConfigError(f"{path} lacks {', '.join(missing)}")
    if not _is_loopback_name(config["host"]):
        raise ConfigError(f"host {config['host']!r} is not a loopback address")
    auth_host = urllib.parse.urlsplit(config["auth_url"]).hostname or ""
    if not _is_loopback_name(auth_host):
        raise ConfigError(f"auth_url {config['auth_url']!r} is not on loopback")
    config["port"] = int(config["port"])
    config["run_dir"] = os.path.abspath(config["run_dir"])
    return config


def _ini(sections):
    lines = []
    for section, options in sections.items():
        lines.append(f"[{section}]")
        lines.extend(f"{key} = {value}" for key, value in options.items())
        lines.append("")
    return "\n".join(lines)


def write_trove_conf(config, paste_path, db_path):
    """trove.conf for the local cloud; returns its path."""
    sections = {
        "DEFAULT": {
            "bind_host": config["host"],
            "bind_port": config["port"],
            "trove_api_workers": 1,
            "api_paste_config": paste_path,
            "log_file": config["log_file"],
            "use_stderr": "false",
            "transport_url": "fake://",
            "control_exchange": "trove",
            "agent_call_low_timeout": AGENT_TIMEOUT,
            # Functional tests ask often; Trove's rate limits would refuse them.
            "http_get_rate": 100000,
            "http_post_rate": 100000,
            "http_put_rate": 100000,
            "http_delete_rate": 100000,
            "http_mgmt_post_rate": 100000,
            # The services Trove would call besides its guests (trove_standins).
            "remote_nova_client": "trove_standins.nova_client",
            "remote_neutron_client": "trove_standins.neutron_client",
            "remote_cinder_client": "trove_standins.cinder_client",
            "remote_swift_client": "trove_standins.unavailable_client",
            "remote_glance_client": "trove_standins.unavailable_client",
            "remote_trove_client": "trove_standins.unavailable_client",
        },
        "database": {"connection": f"sqlite:///{db_path}"},
        "oslo_messaging_notifications": {"driver": "noop"},
        "profiler": {"enabled": "false"},
        # Trove's service user validates the tokens it is sent.  (Trove's
        # [service_credentials] are left unset: only the clients replaced
        # by the stand-ins would use them.)
        "keystone_authtoken": {
            "auth_type": "password",
            "auth_url": config["auth_url"],
            "www_authenticate_uri": config["auth_url"],
            "username": config["service_user"],
            "password": config["service_password"],
            "project_name": config["service_project"],
            "user_domain_name": "Default",
            "project_domain_name": "Default",
            "interface": "public",
            "service_token_roles_required": "true",
        },
    }
    path = os.path.join(config["run_dir"], "trove.conf")
    _write(path, _ini(sections))
    return path


def write_api_paste(config):
    """Trove's own api-paste.ini, its health check file moved into run_dir."""
    shipped = os.path.join(sys.prefix, "etc", "trove", "api-paste.ini")
    if not os.path.exists(shipped):
        raise ConfigError(f"Trove's api-paste.ini is not at {shipped}")
    with open(shipped) as f:
        text = f.read()
    text = text.replace(
        "/etc/trove/healthcheck_disable",
        os.path.join(config["run_dir"], "trove-healthcheck-disable"),
    )
    path = os.path.join(config["run_dir"], "trove-api-paste.ini")
    _write(path, text)
    return path


def _write(path, text):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, path)


# -- start-up ----------------------------------------------------------------


def start_trove(conf_path):
    """What trove-api does before it serves: config, logging, RPC.

    The database is configured later, by trove_seed.sync_schema: Trove maps
    its models by reading the tables, so they must exist first.
    """
    from oslo_log import log as logging
    from trove import rpc
    from trove.common import cfg, debug_utils, notification
    from trove.instance import models as inst_models

    cfg.parse_args(["trove-api", "--config-file", conf_path])
    logging.setup(cfg.CONF, "trove")
    debug_utils.setup()
    rpc.init(cfg.CONF)
    notification.DBaaSAPINotification.register_notify_callback(
        inst_models.persist_instance_fault
    )
    cfg.set_api_config_defaults()


def serve(config, paste_path):
    """Serve Trove's paste app until SIGTERM or SIGINT.

    The server is the one trove-api runs (eventlet.wsgi, a green thread per
    request).  Trove's own service wrapper is not used: its shutdown waits on
    the pool its server runs in and ends in an AssertionError.  On a signal
    the server stops accepting, lets the requests under way finish, and
    returns.
    """
    import eventlet.wsgi
    import greenlet
    from oslo_log import log as logging
    from trove.common import pastedeploy

    app = pastedeploy.paste_deploy_app(paste_path, "trove", {})
    family = socket.getaddrinfo(config["host"], config["port"])[0][0]
    sock = eventlet.listen((config["host"], config["port"]), family=family)
    server = eventlet.spawn(
        eventlet.wsgi.server,
        sock,
        app,
        custom_pool=eventlet.GreenPool(1000),
        log=logging.getLogger("eventlet.wsgi"),
    )

    def on_signal(signo, frame):
        # Signal handlers may run anywhere, even inside the hub: only
        # schedule the stop here.
        eventlet.spawn_n(server.kill)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        server.wait()
    except greenlet.GreenletExit:
        pass  # stopped by a signal, requests under way answered
    sock.close()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", required=True, help="path of trove.json")
    args = parser.parse_args(argv)
    began = time.monotonic()
    guard_loopback()
    try:
        config = load_config(args.config)
    except (OSError, ValueError, ConfigError) as e:
        print(f"trove_server: {e}", file=sys.stderr)
        return 2
    os.makedirs(config["run_dir"], exist_ok=True)
    seed_path = os.path.join(config["run_dir"], "trove-seed.json")
    if os.path.exists(seed_path):
        os.remove(seed_path)  # never let a reader take the last run's ids
    paste_path = write_api_paste(config)
    db_path = os.path.join(config["run_dir"], "trove.sqlite")
    start_trove(write_trove_conf(config, paste_path, db_path))

    import trove_guests
    import trove_seed
    import trove_standins
    from oslo_log import log as logging

    log = logging.getLogger("trove_server")
    trove_standins.COMPUTE_HOST = config.get(
        "compute_host", trove_standins.COMPUTE_HOST
    )
    trove_seed.sync_schema()
    seeded, behaviours = trove_seed.seed(
        config["admin_project_id"], config["demo_project_id"]
    )
    guests = trove_guests.Guests(behaviours)
    guests.start()
    _write(
        seed_path,
        json.dumps({"instances": seeded}, indent=2, sort_keys=True) + "\n",
    )
    log.info(
        "Set up in %.1f s; serving the Trove API on http://%s:%s/.",
        time.monotonic() - began,
        config["host"],
        config["port"],
    )
    try:
        serve(config, paste_path)
    finally:
        guests.stop()
    log.info("Trove API stopped.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
