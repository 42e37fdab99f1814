"""heartbeat and compute: steer a running Nova through nova_server.py's
control endpoint, as a broken machine would."""

import urllib.parse

from launcher.loopback import http
from launcher.processes import Services
from launcher.settings import HOST, DevCloudError, Settings, load_state, say


def _control(settings, path, what):
    """POST to nova_server.py's control endpoint; raise if it refuses."""
    state = load_state(settings)
    running = {record["name"] for _, record in Services(settings).records()}
    if not state or "nova" not in running:
        raise DevCloudError(f"nova is not running from {settings.run_dir}")
    url = f"http://{HOST}:{state['ports']['nova_control']}{path}"
    try:
        response = http("POST", url, body={}, timeout=120)
    except DevCloudError as exc:
        raise DevCloudError(
            f"nova control endpoint: {exc}", settings.logs / "nova.log"
        ) from exc
    if response.status != 200:
        error = (response.json or {}).get("error", response.text)
        raise DevCloudError(
            f"{what}: {error}",
            None if response.status == 404 else settings.logs / "nova.log",
        )


def cmd_heartbeat(args):
    settings = Settings(args)
    host = urllib.parse.quote(args.host, safe="")
    _control(
        settings,
        f"/heartbeat/{host}/{args.action}",
        f"heartbeat {args.action} {args.host}",
    )
    if args.action == "stop":
        say(f"{args.host}: heartbeat stopped; nova-compute there is down now")
    else:
        say(f"{args.host}: heartbeat resumed; nova-compute there is up again")
    return 0


def cmd_compute(args):
    settings = Settings(args)
    host = urllib.parse.quote(args.host, safe="")
    _control(
        settings, f"/compute/{host}/{args.action}", f"compute {args.action} {args.host}"
    )
    say(f"{args.host}: nova-compute restarted")
    return 0
