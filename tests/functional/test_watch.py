"""hostctl watch and wait against the real local cloud.

Each watch runs in the background (--no-initial unless the test says),
beside a change made with hostctl or the cloud's heartbeat control; the
test compares the events with what Nova now says, old and new values
alike, and checks that nothing else was printed. Every change is undone
in a cleanup.
"""

from __future__ import annotations

import collections
import http.server
import json
import signal
import subprocess
import threading
import time

from tests.functional import base
from tests.functional import faultproxy
from tests.functional import test_host_status
from tests.functional.base import hostctl
from tests.functional.watching import Watcher, changes, host_changes


def put_back(test, host):
    """After the test, `host`'s nova-compute as the cloud started it:
    not forced down, enabled."""
    for argv in (['service-force-down', '--unset'], ['service-enable']):
        test.addCleanup(hostctl, *argv, host, 'nova-compute')


FORCED = [('State', 'up', 'down'), ('Forced Down', False, True)]
UNFORCED = [('State', 'down', 'up'), ('Forced Down', True, False)]


class WatchTest(base.TestCase):
    def watcher(self, *options, **kwargs) -> Watcher:
        watcher = Watcher(*options, **kwargs)
        self.addCleanup(watcher.stop)
        return watcher

    def force_down(self, host, unset=False):
        argv = ['service-force-down', host, 'nova-compute']
        if unset:
            argv.insert(1, '--unset')
        self.assertOk(hostctl(*argv))

    def until(self, watcher, expected, timeout=20):
        """Wait for `expected` changes after the first `start` ones."""
        return watcher.wait_for(
            lambda events: len(changes(events)) >= expected, timeout
        )

    def test_force_down_and_back(self):
        put_back(self, 'compute2')
        watcher = self.watcher(
            '--services', '--servers', '--no-initial', '--interval', '0.5'
        )
        time.sleep(2)  # its first poll, which prints nothing
        self.force_down('compute2')
        down = host_changes('compute2', FORCED, ('UP', 'DOWN'))
        self.until(watcher, len(down))
        self.force_down('compute2', unset=True)
        up = host_changes('compute2', UNFORCED, ('DOWN', 'UP'))
        self.until(watcher, len(down) + len(up))
        events = watcher.settle()
        self.assertEqual(0, watcher.stop())
        self.assertEqual(down + up, changes(events))
        self.assertEqual({'changed'}, {e['event'] for e in events})
        for event in events:
            if event['kind'] == 'server':
                self.assertEqual(
                    event['changes']['Host Status']['new'],
                    event['host_status'],
                )
        self.assertEqual('', ''.join(watcher.err))

    def test_disable_and_enable(self):
        put_back(self, 'compute3')
        watcher = self.watcher(
            '--services', '--servers', '--no-initial', '--interval', '0.5'
        )
        time.sleep(2)
        self.assertOk(
            hostctl(
                'service-disable',
                '--reason',
                'disk swap',
                'compute3',
                'nova-compute',
            )
        )
        off = host_changes(
            'compute3',
            [
                ('Status', 'enabled', 'disabled'),
                ('Disabled Reason', None, 'disk swap'),
            ],
            ('UP', 'MAINTENANCE'),
        )
        self.until(watcher, len(off))
        self.assertOk(hostctl('service-enable', 'compute3', 'nova-compute'))
        on = host_changes(
            'compute3',
            [
                ('Status', 'disabled', 'enabled'),
                ('Disabled Reason', 'disk swap', None),
            ],
            ('MAINTENANCE', 'UP'),
        )
        self.until(watcher, len(off) + len(on))
        events = watcher.settle()
        self.assertEqual(0, watcher.stop(signal.SIGTERM))
        self.assertEqual(off + on, changes(events))

    def test_lost_heartbeat_is_unknown_and_its_return_up(self):
        self.addCleanup(
            hostctl,
            'wait',
            'service',
            'compute1',
            'nova-compute',
            '--for',
            'state=up',
            '--timeout',
            '30',
        )
        self.addCleanup(test_host_status.heartbeat, 'start', 'compute1')
        watcher = self.watcher(
            '--services',
            '--servers',
            '--hypervisors',
            '--no-initial',
            '--interval',
            '0.5',
        )
        time.sleep(2)
        test_host_status.heartbeat('stop', 'compute1')
        lost = [
            ('service', 'nova-compute', 'compute1', 'State', 'up', 'down'),
            ('hypervisor', 'compute1', 'compute1', 'State', 'up', 'down'),
        ] + host_changes('compute1', [], ('UP', 'UNKNOWN'))
        self.until(watcher, len(lost))
        test_host_status.heartbeat('start', 'compute1')
        back = [
            ('service', 'nova-compute', 'compute1', 'State', 'down', 'up'),
            ('hypervisor', 'compute1', 'compute1', 'State', 'down', 'up'),
        ] + host_changes('compute1', [], ('UNKNOWN', 'UP'))
        self.until(watcher, len(lost) + len(back))
        events = watcher.settle()
        self.assertEqual(0, watcher.stop())
        self.assertEqual(lost + back, changes(events))

    def test_first_poll_is_the_whole_picture(self):
        result = hostctl('watch', '--count', '1')
        self.assertOk(result)
        events = [json.loads(line) for line in result.out.splitlines()]
        self.assertEqual({'initial'}, {e['event'] for e in events})
        servers = {e['name']: e for e in events if e['kind'] == 'server'}
        self.assertEqual(
            sorted(s['name'] for s in base.cloud()['servers']),
            sorted(servers),
        )
        self.assertEqual('UP', servers['web-1']['host_status'])
        self.assertEqual(
            {'old': None, 'new': 'compute1'},
            servers['web-1']['changes']['Host'],
        )
        hosts = {e['host'] for e in events if e['kind'] == 'hypervisor'}
        self.assertEqual(set(base.cloud()['hosts']), hosts)

    def test_one_host_exactly(self):
        # compute1 is a prefix of compute10: only compute1 is watched.
        result = hostctl('watch', '--host', 'compute1', '--count', '1')
        self.assertOk(result)
        events = [json.loads(line) for line in result.out.splitlines()]
        self.assertEqual({'compute1'}, {e['host'] for e in events})
        self.assertEqual(
            sorted(
                s['name']
                for s in base.cloud()['servers']
                if s['host'] == 'compute1'
            ),
            sorted(e['name'] for e in events if e['kind'] == 'server'),
        )
        self.assertEqual(
            ['hypervisor', 'service'],
            sorted(e['kind'] for e in events if e['kind'] != 'server'),
        )
        missing = hostctl('watch', '--host', 'compute', '--count', '1')
        self.assertFails(missing, 4, "no host 'compute'; hosts: ")
        for host in base.cloud()['hosts']:
            self.assertIn(host, missing.err)

    def test_a_reader_that_goes_away_ends_it_quietly(self):
        done = subprocess.run(
            [
                'bash',
                '-c',
                f'{base.HOSTCTL} --os-cloud '
                f'{base.cloud()["clouds"]["admin"]} watch --count 3 '
                '--interval 0.1 | true; echo "${PIPESTATUS[0]}" >&2',
            ],
            capture_output=True,
            text=True,
            env=base.clean_env(),
            timeout=60,
        )
        # `true` has gone before the first line: its write fails (EPIPE).
        self.assertEqual(('', '0\n'), (done.stdout, done.stderr))

    def test_outage_loses_and_repeats_nothing(self):
        proxied = self.useFixture(base.ProxiedCloud())
        put_back(self, 'compute3')
        put_back(self, 'compute2')
        watcher = self.watcher(
            '--services', '--servers', '--interval', '0.5', env=proxied.env
        )
        initial = watcher.wait_for(
            lambda events: any(e['kind'] == 'server' for e in events)
        )
        initial = watcher.settle()
        self.assertEqual({'initial'}, {e['event'] for e in initial})
        outage = proxied.proxy.add(
            'compute', faultproxy.status(503, 'maintenance window')
        )
        watcher.wait_for(
            lambda events: events[-1]['kind'] == 'cloud', what='outage event'
        )
        # Changes while the watch cannot see (not through the proxy).
        self.force_down('compute2')
        self.assertOk(hostctl('service-disable', 'compute3', 'nova-compute'))
        time.sleep(2)
        proxied.proxy.rules.remove(outage)
        expected = host_changes('compute2', FORCED, ('UP', 'DOWN'))
        expected += host_changes(
            'compute3',
            [('Status', 'enabled', 'disabled')],
            ('UP', 'MAINTENANCE'),
        )
        events = watcher.wait_for(
            lambda events: (
                len(changes(events[len(initial) :])) >= len(expected)
            ),
            what='the changes made during the outage',
        )
        events = watcher.settle()
        self.assertEqual(0, watcher.stop())
        after = events[len(initial) :]
        self.assertEqual(
            [('cloud', 'unreachable'), ('cloud', 'reachable')],
            [(e['kind'], e['event']) for e in after[:2]],
        )
        self.assertIn('HTTP 503', after[0]['error'])
        self.assertEqual(sorted(expected), sorted(changes(after[2:])))
        # Nothing twice, the initial picture included.
        seen = collections.Counter(json.dumps(c) for c in changes(events))
        self.assertEqual({1}, set(seen.values()))
        # One line when it went, one when it came back.
        self.assertEqual(2, len(watcher.err), watcher.err)
        self.assertIn('HTTP 503', watcher.err[0])
        self.assertIn('answers again', watcher.err[1])

    def test_webhook_gets_every_event_in_order(self):
        consumer = Consumer(fail_first=2)
        self.addCleanup(consumer.stop)
        put_back(self, 'compute2')
        watcher = self.watcher('--interval', '0.5', '--webhook', consumer.url)
        watcher.wait_for(lambda events: len(events) > 5)
        self.force_down('compute2')
        self.until(
            watcher, 1 + len(host_changes('compute2', FORCED, ('', '')))
        )
        events = watcher.settle()
        self.assertEqual(0, watcher.stop(signal.SIGTERM))
        self.assertEqual(events, consumer.received)
        self.assertEqual(2, consumer.refused)
        self.assertEqual(
            [
                f'hostctl: webhook {consumer.url} failed (HTTP 503); trying '
                'again, events wait in order\n',
                f'hostctl: webhook {consumer.url} takes events again\n',
            ],
            watcher.err,
        )


class Consumer:
    """An event consumer on loopback: answers 503 `fail_first` times."""

    def __init__(self, fail_first=0):
        self.received = []
        self.refused = 0
        consumer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers['Content-Length']))
                if consumer.refused < fail_first:
                    consumer.refused += 1
                    self.send_response(503)
                else:
                    consumer.received.append(json.loads(body))
                    self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.HTTPServer(('127.0.0.1', 0), Handler)
        self.url = f'http://127.0.0.1:{self.server.server_address[1]}/events'
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


class WaitTest(base.TestCase):
    def test_waits_until_the_change_shows(self):
        put_back(self, 'compute2')
        result = {}
        waiting = threading.Thread(
            target=lambda: result.update(
                done=hostctl(
                    'wait',
                    'service',
                    'compute2',
                    'nova-compute',
                    '--for',
                    'state=down',
                    '--for',
                    'forced_down=true',
                    '--timeout',
                    '30',
                    '--interval',
                    '0.5',
                )
            )
        )
        waiting.start()
        time.sleep(1.5)
        self.assertOk(
            hostctl('service-force-down', 'compute2', 'nova-compute')
        )
        waiting.join(40)
        self.assertOk(result['done'])
        self.assertEqual(
            'service compute2 nova-compute: State=down, Forced Down=true\n',
            result['done'].out,
        )
        # Each server on the host (app-1 is where the scheduler put it).
        for server in test_host_status.servers_on('compute2'):
            self.assertOk(
                hostctl(
                    'wait',
                    'server',
                    '--all-projects',
                    server['id'],
                    '--for',
                    'Host Status=DOWN',
                    '--timeout',
                    '10',
                )
            )

    def test_times_out_with_exit_10_and_the_last_value(self):
        start = time.monotonic()
        result = hostctl(
            'wait',
            'server',
            '--all-projects',
            'web-1',
            '--for',
            'host status=DOWN',
            '--timeout',
            '2',
            '--interval',
            '0.5',
        )
        elapsed = time.monotonic() - start
        self.assertFails(
            result,
            10,
            "server web-1: Host Status is 'UP', not 'DOWN' after 2 s",
        )
        self.assertLess(elapsed, 5)
        self.assertGreater(elapsed, 2)

    def test_a_cloud_that_hangs_cannot_carry_it_past_the_deadline(self):
        proxied = self.useFixture(base.ProxiedCloud())
        # Warm first (token, versions), then every services list hangs.
        self.assertOk(proxied.hostctl('service-list'))
        proxied.proxy.add(
            'compute', faultproxy.Fault(delay=30), path='/os-services'
        )
        start = time.monotonic()
        result = proxied.hostctl(
            'wait',
            'service',
            'compute1',
            'nova-compute',
            '--for',
            'state=down',
            '--timeout',
            '3',
        )
        elapsed = time.monotonic() - start
        # Not the global --timeout (60 s): the time left, at least 5 s.
        self.assertLess(elapsed, 10)
        self.assertEqual(7, result.rc, result.err)
        self.assertIn('did not answer within --timeout', result.err)

    def test_timeout_zero_checks_once(self):
        self.assertOk(
            hostctl(
                'wait',
                'hypervisor',
                'compute1',
                '--for',
                'state=up',
                '--for',
                'status=enabled',
                '--timeout',
                '0',
            )
        )
        self.assertFails(
            hostctl(
                'wait',
                'hypervisor',
                'compute1',
                '--for',
                'state=down',
                '--timeout',
                '0',
            ),
            10,
            "State is 'up', not 'down'",
        )

    def test_host_verdict(self):
        put_back(self, 'compute2')
        self.assertOk(
            hostctl(
                'wait',
                'host',
                'compute2',
                '--for',
                'verdict=up',
                '--timeout',
                '0',
            )
        )
        self.assertOk(
            hostctl('service-force-down', 'compute2', 'nova-compute')
        )
        result = hostctl(
            'wait',
            'host',
            'compute2',
            '--for',
            'verdict=down',
            '--timeout',
            '10',
        )
        self.assertOk(result)
        self.assertEqual('host compute2: Verdict=down\n', result.out)

    def test_database_guest_alive(self):
        answering = base.cloud()['instances']['answering']['name']
        result = hostctl(
            'wait',
            'instance',
            answering,
            '--for',
            'alive=true',
            '--timeout',
            '0',
        )
        self.assertOk(result)
        self.assertEqual(f'instance {answering}: Alive=true\n', result.out)

    def test_unknown_field_and_value_are_usage_errors(self):
        self.assertFails(
            hostctl('wait', 'server', 'web-1', '--for', 'colour=red'),
            2,
            "a server has no field 'colour'; its fields: ID, Name, Status",
        )
        self.assertFails(
            hostctl('wait', 'server', 'web-1', '--for', 'status=HAPPY'),
            2,
            "Status cannot be 'HAPPY'; it is one of 'ACTIVE'",
        )
        self.assertFails(
            hostctl(
                'wait',
                'service',
                'compute9',
                'nova-compute',
                '--for',
                'state=up',
            ),
            4,
            "no host 'compute9'; hosts: compute1, ",
        )
