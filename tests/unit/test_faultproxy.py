"""The tests' proxy with no faults, as the peer benchmark uses it: it
counts, forwards and rewrites."""

import http.server
import json
import threading

import fixtures
import requests
import testtools

from tests.functional import faultproxy


class _Upstream(http.server.ThreadingHTTPServer):
    daemon_threads = True


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'

    def log_message(self, *args):
        pass

    def _answer(self):
        length = int(self.headers.get('Content-Length') or 0)
        sent = self.rfile.read(length).decode() if length else None
        own = f'http://127.0.0.1:{self.server.server_address[1]}'
        data = json.dumps(
            {
                'path': self.path,
                'method': self.command,
                'sent': sent,
                'self': own + '/v3/',
                'host': self.headers['Host'],
            }
        ).encode()
        self.send_response(201 if self.command == 'POST' else 200)
        self.send_header('Content-Type', 'application/json')
        self.send_header('Location', own + '/v3/thing')
        self.send_header('Content-Length', str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PUT = _answer


class CountingTest(testtools.TestCase):
    def setUp(self):
        super().setUp()
        upstream = _Upstream(('127.0.0.1', 0), _Handler)
        threading.Thread(target=upstream.serve_forever, daemon=True).start()
        self.addCleanup(upstream.server_close)
        self.addCleanup(upstream.shutdown)
        self.upstream = f'http://127.0.0.1:{upstream.server_address[1]}'
        self.proxy = faultproxy.FaultProxy(
            {'identity': self.upstream + '/v3'}
        ).start()
        self.addCleanup(self.proxy.stop)

    def test_counts_forwards_and_rewrites(self):
        base = self.proxy.url('identity')
        with requests.Session() as session:  # one kept-alive connection
            got = session.get(base + '/v3?x=1')
            posted = session.post(base + '/v3/auth/tokens', json={'a': 1})
            put = session.put(base + '/v3/x', data=b'')
        self.assertEqual(200, got.status_code)
        self.assertEqual('/v3?x=1', got.json()['path'])
        # The upstream's own URL reads as the proxy's, in body and headers.
        self.assertEqual(base + '/v3/', got.json()['self'])
        self.assertEqual(base + '/v3/thing', got.headers['Location'])
        self.assertEqual(self.upstream[7:], got.json()['host'])
        self.assertEqual(
            (201, '{"a": 1}'), (posted.status_code, posted.json()['sent'])
        )
        self.assertEqual(200, put.status_code)
        self.assertEqual(3, self.proxy.count())
        self.assertEqual(3, self.proxy.count('identity'))
        self.assertEqual(0, self.proxy.count('compute'))
        self.assertEqual(
            [
                ('identity', 'GET', '/v3?x=1'),
                ('identity', 'POST', '/v3/auth/tokens'),
                ('identity', 'PUT', '/v3/x'),
            ],
            self.proxy.requests,
        )
        self.proxy.reset()
        self.assertEqual(0, self.proxy.count())

    def test_lose_forwards_then_resets_before_the_answer(self):
        seen = []
        original = _Handler._answer

        def recording(handler):
            seen.append(handler.path)
            original(handler)

        self.useFixture(
            fixtures.MockPatchObject(_Handler, 'do_POST', recording)
        )
        self.proxy.add('identity', faultproxy.Fault(lose=True), method='POST')
        base = self.proxy.url('identity')
        self.assertRaises(
            requests.exceptions.ConnectionError,
            requests.post,
            base + '/v3/action',
            json={'a': 1},
            timeout=10,
        )
        # The request reached the server behind: the change was made.
        self.assertEqual(['/v3/action'], seen)

    def test_upstream_down_is_a_502(self):
        self.proxy.stop()
        proxy = faultproxy.FaultProxy(
            {'compute': 'http://127.0.0.1:9'}
        ).start()
        self.addCleanup(proxy.stop)
        answer = requests.get(proxy.url('compute') + '/v2.1', timeout=10)
        self.assertEqual(502, answer.status_code)
        self.assertEqual(1, proxy.count('compute'))

    def test_refuses_upstreams_off_loopback(self):
        self.assertRaises(
            ValueError,
            faultproxy.FaultProxy,
            {'compute': 'http://192.0.2.1:8774'},
        )
