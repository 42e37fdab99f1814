"""HTTP to the cloud's services, on loopback only, with the stdlib."""

import ipaddress
import json
import urllib.error
import urllib.parse
import urllib.request

from launcher.settings import DevCloudError

# No proxy, whatever the environment says: every target is on loopback.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.text = body.decode("utf-8", "replace")
        try:
            self.json = json.loads(self.text) if self.text else None
        except ValueError:
            self.json = None

    def expect(self, *statuses, what=""):
        if self.status not in statuses:
            raise DevCloudError(f"{what}: HTTP {self.status}: {self.text[:500]}")
        return self


def http(method, url, body=None, token=None, headers=None, timeout=30):
    host = urllib.parse.urlsplit(url).hostname
    if not ipaddress.ip_address(host).is_loopback:
        raise DevCloudError(f"refusing a request to {url}: not loopback")
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("Accept", "application/json")
    if data is not None:
        request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("X-Auth-Token", token)
    for key, value in (headers or {}).items():
        request.add_header(key, value)
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            return Response(response.status, response.headers, response.read())
    except urllib.error.HTTPError as exc:
        return Response(exc.code, exc.headers, exc.read())
    except (OSError, urllib.error.URLError) as exc:
        raise DevCloudError(f"{method} {url}: {getattr(exc, 'reason', exc)}") from exc


def answers(url, ok=lambda status: status < 500):
    try:
        return ok(http("GET", url, timeout=5).status)
    except DevCloudError:
        return False
