"""A counting HTTP proxy on loopback: how many requests a client sends.

One listening port per upstream service (Keystone, Nova, ...). Each
request is counted and passed on; in each answer the upstreams' base URLs
are rewritten to the proxy's, so that a client that follows the service
catalogue or a version document's links stays behind the proxy and every
request it sends is counted. Requests the services send each other (Nova
validating a token with Keystone) go direct and are not counted: the
count is the client's.

    proxy = CountingProxy({'identity': 'http://127.0.0.1:5000',
                           'compute': 'http://127.0.0.1:8774'})
    proxy.start()
    proxy.url('identity')        # give this to the client as its auth URL
    proxy.reset(); ...; proxy.count()

Loopback only: the proxy listens on 127.0.0.1 and refuses upstreams that
are not on loopback.
"""

from __future__ import annotations

import http.client
import http.server
import ipaddress
import threading
from urllib import parse

# Headers that describe one hop, not the message (RFC 9110, 7.6.1).
_HOP = {
    'connection',
    'keep-alive',
    'proxy-connection',
    'transfer-encoding',
    'te',
    'trailer',
    'upgrade',
    'content-length',
    'accept-encoding',
    'content-encoding',
}


class CountingProxy:
    def __init__(self, upstreams: dict[str, str]) -> None:
        self.upstreams = {}
        for name, url in upstreams.items():
            parts = parse.urlsplit(url)
            if not ipaddress.ip_address(parts.hostname).is_loopback:
                raise ValueError(f'{name}: {url} is not on loopback')
            self.upstreams[name] = f'{parts.scheme}://{parts.netloc}'
        self._servers: dict[str, _Server] = {}
        self._lock = threading.Lock()
        self.requests: list[tuple[str, str, str]] = []

    def start(self) -> CountingProxy:
        for name in self.upstreams:
            server = _Server(self, name)
            self._servers[name] = server
            threading.Thread(target=server.serve_forever, daemon=True).start()
        # Every upstream URL and the proxy URL that stands for it.
        self.rewrites = [
            (self.upstreams[n].encode(), self.url(n).encode())
            for n in self.upstreams
        ]
        return self

    def stop(self) -> None:
        for server in self._servers.values():
            server.shutdown()
            server.server_close()

    def url(self, name: str) -> str:
        """The proxy's base URL for upstream `name` (no trailing slash)."""
        return f'http://127.0.0.1:{self._servers[name].server_address[1]}'

    def reset(self) -> None:
        with self._lock:
            self.requests.clear()

    def count(self, name: str | None = None) -> int:
        with self._lock:
            return sum(1 for r in self.requests if name in (None, r[0]))

    def record(self, name: str, method: str, path: str) -> None:
        with self._lock:
            self.requests.append((name, method, path))

    def rewrite(self, data: bytes) -> bytes:
        for upstream, proxy in self.rewrites:
            data = data.replace(upstream, proxy)
        return data


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, proxy: CountingProxy, name: str) -> None:
        super().__init__(('127.0.0.1', 0), _Handler)
        self.proxy = proxy
        self.name = name
        self.upstream = parse.urlsplit(proxy.upstreams[name])


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'

    def log_message(self, *args) -> None:
        pass

    def _forward(self) -> None:
        server: _Server = self.server
        server.proxy.record(server.name, self.command, self.path)
        length = int(self.headers.get('Content-Length') or 0)
        body = self.rfile.read(length) if length else None
        headers = {
            k: v for k, v in self.headers.items() if k.lower() not in _HOP
        }
        headers['Host'] = server.upstream.netloc
        upstream = http.client.HTTPConnection(
            server.upstream.hostname, server.upstream.port, timeout=120
        )
        try:
            upstream.request(self.command, self.path, body, headers)
            answer = upstream.getresponse()
            data = server.proxy.rewrite(answer.read())
            self.send_response(answer.status, answer.reason)
            for k, v in answer.getheaders():
                if k.lower() not in _HOP:
                    self.send_header(
                        k, server.proxy.rewrite(v.encode()).decode()
                    )
            self.send_header('Content-Length', str(len(data)))
            self.end_headers()
            if self.command != 'HEAD':
                self.wfile.write(data)
        except OSError as exc:
            message = f'counting proxy: upstream failed: {exc}'.encode()
            self.send_response(502)
            self.send_header('Content-Length', str(len(message)))
            self.end_headers()
            self.wfile.write(message)
        finally:
            upstream.close()

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = _forward
