"""Run Nova on loopback for the local dev cloud, all in one process.

Run by the nova venv's python, started and stopped by devcloud.py:

    <venv>/bin/python nova_server.py --config-file nova.conf \
        --port 18774 --control-port 18775 --computes compute1,compute10 \
        --nodename compute10=compute10.example.org \
        --network live:UUID:127.0.10.0/24 --state-dir DIR

What runs here is Nova's own code: the compute API (the paste pipeline of
the wheel's api-paste.ini, keystonemiddleware included) served over HTTP,
and in-process nova-conductor, nova-scheduler and one nova-compute per
host on the fake virt driver.  What Nova talks to is stood in for by the
fixtures that the nova wheel ships in nova/tests for its functional tests:
sqlite databases for the API DB and cells v2 (cell0, cell1), the
oslo.messaging fake:// transport, placement in-process (PlacementFixture),
and the glance, cinder and neutron stubs.  The neutron stub is given two
shared networks on loopback addresses.  The package novacloud/ beside
this file holds those parts, one module per job (see its __init__).

A second HTTP server on --control-port (loopback only) lets the launcher
steer what a real cloud would need a broken machine for:

    GET  /ready                      200 once every compute has reported
    GET  /heartbeat                  which hosts have their heartbeat stopped
    POST /heartbeat/HOST/stop        stop HOST's service-group reporting and
                                     age its last heartbeat, so Nova reports
                                     the nova-compute service down at once
    POST /heartbeat/HOST/start       resume reporting, with one report
                                     right away: up again when it returns
    POST /compute/HOST/restart       stop HOST's nova-compute and start a
                                     new one on the same fake hypervisor,
                                     as a restart of the service would
                                     (init_host runs again)

Runs until SIGTERM or SIGINT; SIGUSR2 writes every thread's stack to
stderr (the launcher's logs/nova.out).
"""

import argparse
import faulthandler
import ipaddress
import os
import signal
import sys
import time

# Nova must run on native threads, not eventlet: this has to be set before
# anything imports nova.
os.environ["OS_NOVA_DISABLE_EVENTLET_PATCHING"] = "1"


def _parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config-file", required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--control-port", type=int, required=True)
    parser.add_argument(
        "--computes",
        default="compute1,compute2,compute3",
        help="comma-separated names of the nova-compute hosts to run",
    )
    parser.add_argument(
        "--nodename",
        action="append",
        default=[],
        metavar="HOST=NODE",
        help="give HOST's hypervisor the node name NODE (default: HOST)",
    )
    parser.add_argument(
        "--network",
        action="append",
        default=[],
        metavar="NAME:UUID:CIDR",
        help="a shared network of the neutron stub, on loopback (repeatable)",
    )
    parser.add_argument(
        "--state-dir",
        required=True,
        help="where the sqlite databases and other state go",
    )
    args = parser.parse_args(argv)
    if not ipaddress.ip_address(args.host).is_loopback:
        parser.error("--host must be a loopback address")
    args.computes = [c for c in args.computes.split(",") if c]
    networks = {}
    for spec in args.network:
        try:
            name, net_id, cidr = spec.split(":")
            cidr = ipaddress.ip_network(cidr)
        except ValueError:
            parser.error(f"--network {spec}: not NAME:UUID:CIDR")
        if not cidr.is_loopback:
            parser.error(f"--network {spec}: not a loopback range")
        networks[name] = (net_id, cidr)
    args.networks = networks
    nodenames = {}
    for spec in args.nodename:
        host, _, node = spec.partition("=")
        if host not in args.computes or not node:
            parser.error(f"--nodename {spec}: not HOST=NODE for a host of --computes")
        nodenames[host] = node
    args.nodenames = nodenames
    return args


def _prepare_process(args):
    """Set what must be set before nova, oslo or fixtures are imported."""
    # The database fixtures put their sqlite files in a NestedTempfile
    # directory under tempfile's default: keep them in our state dir.
    tmp = os.path.join(os.path.abspath(args.state_dir), "tmp")
    os.makedirs(tmp, exist_ok=True)
    os.environ["TMPDIR"] = tmp
    import tempfile

    tempfile.tempdir = None
    # oslo.config parses the process's argv unless told otherwise; leave it
    # nothing of ours.
    sys.argv = sys.argv[:1]
    # As nova's own entry points do, first of all: native threads, and
    # eventlet barred (nova.tests.functional checks it was not imported).
    from nova import monkey_patch

    monkey_patch.patch()


def _serve_api(args, log):
    """Nova's compute API (its paste pipeline) over HTTP on loopback."""
    import socketserver
    from wsgiref import simple_server

    from nova.api.openstack import wsgi_app
    from oslo_config import cfg
    from paste import deploy

    CONF = cfg.CONF
    wsgi_app._setup_service(CONF.host, "osapi_compute")
    application = deploy.loadapp(
        f"config:{CONF.wsgi.api_paste_config}", name="osapi_compute"
    )

    class Server(socketserver.ThreadingMixIn, simple_server.WSGIServer):
        daemon_threads = True
        allow_reuse_address = True
        request_queue_size = 64

    class Handler(simple_server.WSGIRequestHandler):
        def log_message(self, format, *a):
            # nova's request_log middleware logs every request already.
            pass

    server = Server((args.host, args.port), Handler)
    server.set_app(application)
    return server


def main(argv=None):
    args = _parse_args(sys.argv[1:] if argv is None else argv)
    started = time.monotonic()
    _prepare_process(args)

    from nova import config, objects
    from oslo_log import log as logging

    objects.register_all()
    config.parse_args(
        ["nova"],
        default_config_files=[os.path.abspath(args.config_file)],
        configure_db=False,
        init_rpc=False,
    )
    logging.setup(config.CONF, "nova")

    # Only now, with the process set up: these import nova at their top.
    from novacloud.cloud import LOG as log
    from novacloud.cloud import DevCloud
    from novacloud.control import serve_control

    cloud = DevCloud(args.computes, args.networks, args.nodenames)

    def _stop(signum, frame):
        # Everything this process has is thrown away with it (the launcher
        # empties the run dir on the next start): no graceful shutdown of
        # each service, which takes seconds, just leave.
        log.info("devcloud: signal %d, exiting", signum)
        logging_shutdown()
        os._exit(0)

    import logging as std_logging

    logging_shutdown = std_logging.shutdown
    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    # `kill -USR2 PID` writes every thread's stack to nova.out: what to
    # look at when Nova stops answering.
    faulthandler.register(signal.SIGUSR2, all_threads=True)

    with cloud:
        api = _serve_api(args, log)
        control = serve_control(args, cloud, log)
        msg = (
            f"nova serving on http://{args.host}:{args.port}/ (control on port "
            f"{args.control_port}, computes {','.join(args.computes)}, "
            f"set up in {time.monotonic() - started:.1f}s)"
        )
        log.info("devcloud: %s", msg)
        print(msg, file=sys.stderr, flush=True)
        try:
            api.serve_forever(poll_interval=0.2)
        finally:
            control.shutdown()
            api.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
