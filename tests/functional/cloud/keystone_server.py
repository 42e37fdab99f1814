"""Serve Keystone's WSGI application on loopback for the local dev cloud.

Run by the keystone venv's python, started and stopped by devcloud.py:

    <venv>/bin/python keystone_server.py --config-file keystone.conf \
        --host 127.0.0.1 --port 15000

The database, the key repositories and the bootstrap are prepared by the
launcher with keystone-manage before this runs; this only serves.  It runs
until SIGTERM or SIGINT.
"""

import argparse
import ipaddress
import logging
import os
import signal
import socketserver
import sys
import time
from wsgiref import simple_server


class _Server(socketserver.ThreadingMixIn, simple_server.WSGIServer):
    daemon_threads = True
    allow_reuse_address = True
    # A burst of parallel clients (the launcher seeds in parallel) must not
    # be refused.
    request_queue_size = 64


class _Handler(simple_server.WSGIRequestHandler):
    def log_message(self, format, *args):
        logging.getLogger("access").info("%s " + format, self.address_string(), *args)


def _parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config-file", required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args(argv)
    if not ipaddress.ip_address(args.host).is_loopback:
        parser.error("--host must be a loopback address")
    return args


def main(argv=None):
    args = _parse_args(sys.argv[1:] if argv is None else argv)

    # oslo.config parses the process's own argv when keystone configures
    # itself: leave it nothing of ours to choke on.
    sys.argv = sys.argv[:1]
    os.environ["OS_KEYSTONE_CONFIG_DIR"] = ""
    os.environ["OS_KEYSTONE_CONFIG_FILES"] = os.path.abspath(args.config_file)

    # Keystone logs through oslo.log into the log_file of its config; the
    # access lines of this server go to stderr, which the launcher sends
    # to a log file beside it.
    logging.basicConfig(
        level=logging.INFO,
        stream=sys.stderr,
        format="%(asctime)s %(name)s %(message)s",
    )

    started = time.monotonic()
    from keystone.server import wsgi as keystone_wsgi

    application = keystone_wsgi.initialize_public_application()

    server = _Server((args.host, args.port), _Handler)
    server.set_app(application)

    def _stop(signum, frame):
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    print(
        f"keystone serving on http://{args.host}:{args.port}/ "
        f"(loaded in {time.monotonic() - started:.1f}s)",
        file=sys.stderr,
        flush=True,
    )
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
