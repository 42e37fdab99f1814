"""The loopback control endpoint (see nova_server.py's docstring)."""

import json
import threading
from http import server as http_server


def serve_control(args, cloud, log):
    """The loopback control endpoint (see the module docstring)."""

    class Handler(http_server.BaseHTTPRequestHandler):
        def log_message(self, format, *a):
            log.info("devcloud control: " + format, *a)

        def _reply(self, status, body):
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
            if self.path == "/ready":
                try:
                    up = cloud.all_up()
                except Exception as exc:  # noqa: BLE001 - any failure: not ready
                    log.warning("devcloud: readiness check failed: %s", exc)
                    up = False
                self._reply(
                    200 if up else 503, {"ready": up, "computes": cloud.compute_hosts}
                )
            elif self.path == "/heartbeat":
                self._reply(
                    200,
                    {
                        "stopped": sorted(cloud.heartbeats.paused),
                        "computes": cloud.compute_hosts,
                    },
                )
            else:
                self._reply(404, {"error": "no such path"})

        def do_POST(self):
            parts = self.path.strip("/").split("/")
            actions = {
                ("heartbeat", "stop"): cloud.heartbeats.stop,
                ("heartbeat", "start"): cloud.heartbeats.start,
                ("compute", "restart"): cloud.restart_compute,
            }
            action = actions.get((parts[0], parts[-1])) if len(parts) == 3 else None
            if action is None:
                self._reply(404, {"error": "no such path"})
                return
            host = parts[1]
            if host not in cloud.compute_hosts:
                self._reply(
                    404,
                    {
                        "error": f"no compute host {host!r}",
                        "computes": cloud.compute_hosts,
                    },
                )
                return
            try:
                action(host)
            except Exception as exc:
                log.exception("devcloud: %s %s failed", self.path, host)
                self._reply(500, {"error": str(exc)})
                return
            self._reply(
                200,
                {
                    "host": host,
                    parts[0]: parts[2],
                    "stopped": sorted(cloud.heartbeats.paused),
                },
            )

    server = http_server.ThreadingHTTPServer((args.host, args.control_port), Handler)
    server.daemon_threads = True
    thread = threading.Thread(
        target=server.serve_forever, name="devcloud-control", daemon=True
    )
    thread.start()
    return server
