"""A fault-injecting HTTP(S) proxy on loopback, for the failure tests.

One listener per service of the local cloud (identity, compute,
database), each forwarding to the real server. Token responses are
rewritten so that the service catalogue points at the proxy's listeners
instead of the real servers, so every request hostctl sends passes through
here. A test adds rules; a request that matches a rule gets the rule's
fault instead of (or before) the real answer. Every request is recorded,
so that a test can assert what hostctl sent: how often it retried, and
that it did not retry what must not be retried.

With no rules it is a plain counting proxy: the peer benchmark
(tools/bench_peers.py) counts the requests each CLI sends through it.

Standard library only; the proxy runs in the test process, in threads.
"""

from __future__ import annotations

import dataclasses
import http.client
import http.server
import ipaddress
import json
import re
import socket
import ssl
import struct
import threading
import time
import typing
from urllib import parse

HOP_BY_HOP = frozenset(
    {
        'connection',
        'keep-alive',
        'proxy-connection',
        'transfer-encoding',
        'te',
        'trailer',
        'upgrade',
        'content-length',
        # Asking for no compression keeps bodies plain, so that URLs in
        # them can be rewritten.
        'accept-encoding',
        'content-encoding',
    }
)


@dataclasses.dataclass
class Fault:
    """What to do instead of forwarding a request.

    status/body: answer this, without asking the real server.
    delay: wait this long first (then answer, or forward).
    reset: send the real answer's headers and half its body, then reset the
    connection.
    lose: forward the request, then reset the connection before any of the
    answer: the change was made, and the client cannot know it (an action
    whose answer is empty has no body to cut in half).
    page_size: forward with ``limit=<page_size>`` added to the query (when
    the client sent no limit), so that the real server pages its list as
    a cloud with a small ``[api] max_limit`` would.
    """

    status: int | None = None
    body: bytes = b''
    content_type: str = 'application/json'
    headers: dict = dataclasses.field(default_factory=dict)
    delay: float = 0.0
    reset: bool = False
    lose: bool = False
    page_size: int | None = None


def status(code: int, message: str = '', fault: str = 'computeFault'):
    """An OpenStack-style error answer, {"<fault>": {"message": ...}}."""
    body = json.dumps({fault: {'code': code, 'message': message}}).encode()
    return Fault(status=code, body=body)


def html(code: int, title: str) -> Fault:
    page = (
        f'<!DOCTYPE html>\n<html><head><title>{title}</title></head>\n'
        f'<body><h1>{title}</h1><hr><p>nginx</p></body></html>\n'
    )
    return Fault(status=code, body=page.encode(), content_type='text/html')


@dataclasses.dataclass
class Rule:
    """Fault requests to `service` whose method and path match.

    `path` is a regular expression searched in the path and query. The
    rule applies from the `first` matching request on (1 is the first),
    `times` times (None: to every later one as well).
    """

    service: str
    fault: Fault
    method: str | None = None
    path: str = ''
    first: int = 1
    times: int | None = None
    seen: int = 0

    def applies(self, service: str, method: str, path: str) -> bool:
        if service != self.service:
            return False
        if self.method and method != self.method:
            return False
        if not re.search(self.path, path):
            return False
        self.seen += 1
        if self.seen < self.first:
            return False
        return self.times is None or self.seen < self.first + self.times


class Request(typing.NamedTuple):
    service: str
    method: str
    path: str


class FaultProxy:
    """Listeners in front of `upstreams` ({service type: base URL}).

    `tls` is (certfile, keyfile) to serve HTTPS, as a TLS-terminating
    proxy would. `drop` holds service types to leave out of the catalogue;
    `refuse` service types whose catalogue URL names a port nobody
    listens on.
    """

    def __init__(self, upstreams: dict[str, str], tls=None) -> None:
        self.upstreams = {k: parse.urlsplit(v) for k, v in upstreams.items()}
        for service, upstream in self.upstreams.items():
            if not ipaddress.ip_address(upstream.hostname).is_loopback:
                raise ValueError(
                    f'{service}: {upstream.geturl()} is not on loopback'
                )
        self.rules: list[Rule] = []
        self.requests: list[Request] = []
        # The body of each request, in the same order.
        self.bodies: list[bytes] = []
        # Every token that passed through, either way.
        self.tokens: set[str] = set()
        self.drop: set[str] = set()
        self.refuse: set[str] = set()
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._servers: dict[str, http.server.ThreadingHTTPServer] = {}
        self._context = None
        if tls:
            self._context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            self._context.load_cert_chain(*tls)
        self.scheme = 'https' if tls else 'http'
        self.closed_port = _closed_port()

    # -- the test's side --------------------------------------------------

    def start(self) -> FaultProxy:
        for service in self.upstreams:
            server = _Server(('127.0.0.1', 0), _handler(self, service))
            if self._context is not None:
                server.socket = self._context.wrap_socket(
                    server.socket, server_side=True
                )
            self._servers[service] = server
            threading.Thread(target=server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        for server in self._servers.values():
            server.shutdown()
            server.server_close()

    def url(self, service: str) -> str:
        port = self._servers[service].server_address[1]
        return f'{self.scheme}://127.0.0.1:{port}'

    def add(self, service: str, fault: Fault, **match) -> Rule:
        rule = Rule(service, fault, **match)
        with self._lock:
            self.rules.append(rule)
        return rule

    def count(self, service=None, method=None, path: str = '') -> int:
        """Requests recorded, of `service` and `method` if given, whose
        path matches the regular expression `path`."""
        with self._lock:
            return sum(
                1
                for r in self.requests
                if service in (None, r.service)
                and method in (None, r.method)
                and re.search(path, r.path)
            )

    def reset(self) -> None:
        """Forget the requests recorded so far."""
        with self._lock:
            self.requests.clear()
            self.bodies.clear()

    # -- the proxy's side -------------------------------------------------

    def _fault_for(self, service, method, path, body=b'') -> Fault | None:
        with self._lock:
            self.requests.append(Request(service, method, path))
            self.bodies.append(body)
            for rule in self.rules:
                if rule.applies(service, method, path):
                    return rule.fault
        return None

    def _wait(self, seconds: float) -> None:
        self._stopping.wait(seconds)

    def _rewrite(self, body: bytes) -> bytes:
        """Point the catalogue and links at the proxy, not the servers."""
        return self._rewrite_urls(self._rewrite_catalogue(body))

    def _rewrite_urls(self, data: bytes) -> bytes:
        for service, upstream in self.upstreams.items():
            real = f'{upstream.scheme}://{upstream.netloc}'.encode()
            data = data.replace(real, self.url(service).encode())
        return data

    def _rewrite_catalogue(self, body: bytes) -> bytes:
        try:
            document = json.loads(body)
        except ValueError:
            return body
        token = document.get('token') if isinstance(document, dict) else None
        if not isinstance(token, dict) or 'catalog' not in token:
            return body
        catalogue = []
        for entry in token['catalog']:
            kind = entry.get('type')
            if kind in self.drop:
                continue
            if kind in self.refuse:
                for endpoint in entry.get('endpoints', []):
                    parts = parse.urlsplit(endpoint['url'])
                    netloc = f'127.0.0.1:{self.closed_port}'
                    endpoint['url'] = parts._replace(netloc=netloc).geturl()
            catalogue.append(entry)
        token['catalog'] = catalogue
        return json.dumps(document).encode()


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    # Quiet: a client that gives up mid-answer is part of the tests.
    def handle_error(self, request, client_address):
        pass


def _handler(proxy: FaultProxy, service: str):
    upstream = proxy.upstreams[service]

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = 'HTTP/1.1'

        def log_message(self, *args):
            pass

        def do_GET(self):
            self._proxy()

        do_PUT = do_POST = do_DELETE = do_PATCH = do_HEAD = do_GET

        def _proxy(self):
            length = int(self.headers.get('Content-Length') or 0)
            body = self.rfile.read(length) if length else b''
            for name in ('X-Auth-Token', 'X-Subject-Token'):
                if self.headers.get(name):
                    proxy.tokens.add(self.headers[name])
            fault = proxy._fault_for(service, self.command, self.path, body)
            if fault and fault.delay:
                proxy._wait(fault.delay)
                if proxy._stopping.is_set():
                    return
            if fault and fault.status is not None:
                headers = {'Content-Type': fault.content_type}
                headers.update(fault.headers)
                self._answer(fault.status, headers, fault.body)
                return
            try:
                code, headers, answer = self._forward(body, fault)
            except OSError as exc:
                # The server behind is down: say so as a gateway would.
                message = f'proxy: upstream failed: {exc}'.encode()
                self._answer(502, {'Content-Type': 'text/plain'}, message)
                return
            headers = [
                (name, proxy._rewrite_urls(value.encode()).decode())
                for name, value in headers
            ]
            for name, value in headers:
                if name.lower() == 'x-subject-token':
                    proxy.tokens.add(value)
            answer = proxy._rewrite(answer)
            if fault and fault.lose:
                self._reset()
                return
            if fault and fault.reset:
                self._answer_and_reset(code, headers, answer)
                return
            self._answer(code, headers, answer)

        def _forward(self, body, fault=None):
            connection = http.client.HTTPConnection(
                upstream.hostname, upstream.port, timeout=120
            )
            headers = {
                k: v
                for k, v in self.headers.items()
                if k.lower() not in HOP_BY_HOP
            }
            headers['Host'] = upstream.netloc
            try:
                connection.request(
                    self.command, _paged(self.path, fault), body, headers
                )
                response = connection.getresponse()
                answer = response.read()
                return response.status, response.getheaders(), answer
            finally:
                connection.close()

        def _head(self, code, headers, length):
            self.send_response(code)
            items = headers.items() if isinstance(headers, dict) else headers
            for name, value in items:
                if name.lower() not in HOP_BY_HOP:
                    self.send_header(name, value)
            self.send_header('Content-Length', str(length))
            self.end_headers()

        def _answer(self, code, headers, body):
            self._head(code, headers, len(body))
            if self.command != 'HEAD':
                self.wfile.write(body)

        def _answer_and_reset(self, code, headers, body):
            self._head(code, headers, len(body))
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            time.sleep(0.05)
            self._reset()

        def _reset(self):
            # SO_LINGER with a zero timeout: close() sends RST, not FIN.
            self.connection.setsockopt(
                socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0)
            )
            self.close_connection = True
            self.connection.close()

    return Handler


def _closed_port() -> int:
    """A loopback port that nothing listens on (connections are refused)."""
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        return probe.getsockname()[1]


def _paged(path: str, fault: Fault | None) -> str:
    """`path` with the fault's page size as its limit, if it has one."""
    if fault is None or fault.page_size is None:
        return path
    parts = parse.urlsplit(path)
    query = parse.parse_qsl(parts.query, keep_blank_values=True)
    if any(name == 'limit' for name, _ in query):
        return path
    query.append(('limit', str(fault.page_size)))
    return parts._replace(query=parse.urlencode(query)).geturl()
