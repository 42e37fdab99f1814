"""hostctl check against the real cloud, in each state a host can be in.

Each test puts the cloud in one state through hostctl (or stops a host's
heartbeat through the cloud's launcher), runs the check in each format,
and puts the cloud back.
"""

from __future__ import annotations

import os
import re

from prometheus_client import parser

from tests.functional import base
from tests.functional.base import hostctl
from tests.functional.test_host_status import heartbeat
from tests.functional.test_host_status import servers_on

PLUGIN = {'OK': 0, 'WARNING': 1, 'CRITICAL': 2, 'UNKNOWN': 3}


def samples(text):
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in parser.text_string_to_metric_families(text)
        for s in family.samples
    }


def compute_service(metric, host):
    labels = {'host': host, 'binary': 'nova-compute', 'zone': 'nova'}
    return (f'hostctl_compute_service_{metric}', frozenset(labels.items()))


class CheckTest(base.TestCase):
    def nagios(self, *argv, **kwargs):
        """(state, words, perf data as a dict) of a nagios-mode check."""
        result = hostctl('check', *argv, **kwargs)
        detail = f'stdout: {result.out}\nstderr: {result.err}'
        lines = result.out.splitlines()
        self.assertEqual(1, len(lines), detail)
        status, _, perf = lines[0].partition(' | ')
        state, _, words = status.partition(' - ')
        self.assertEqual(PLUGIN[state], result.rc, detail)
        figures = {
            item.split('=')[0]: item.split('=')[1].split(';')[0]
            for item in perf.split()
        }
        return state, words, figures

    def test_all_well_is_ok(self):
        hosts = base.cloud()['hosts']
        placed = [s for s in base.cloud()['servers'] if s['host']]
        state, words, figures = self.nagios()
        self.assertEqual('OK', state)
        self.assertEqual(
            # A nova-compute per host, and the controller's conductor and
            # scheduler.
            f'{len(hosts) + 2} services up; {len(hosts)} hypervisors up; '
            f'{len(placed)} '
            'servers on hosts UP',
            words,
        )
        self.assertEqual('0', figures['services_forced_down'])
        self.assertEqual(
            str(len(base.cloud()['servers'])), figures['servers_total']
        )

    def test_a_host_forced_down_is_critical(self):
        host = 'compute2'
        self.addCleanup(
            hostctl, 'service-force-down', '--unset', host, 'nova-compute'
        )
        self.assertOk(hostctl('service-force-down', host, 'nova-compute'))
        count = len(servers_on(host))
        state, words, figures = self.nagios()
        self.assertEqual('CRITICAL', state)
        self.assertEqual(
            f'{host} down: forced down ({count} servers DOWN)', words
        )
        self.assertEqual(
            ('1', '1', str(count)),
            (
                figures['services_forced_down'],
                figures['hypervisors_down'],
                figures['servers_host_down'],
            ),
        )
        # One host: compute1 is well while compute2 is down; compute
        # (a prefix of both) names no host.
        state, words, _ = self.nagios('--host', 'compute1')
        self.assertEqual(
            (
                'OK',
                '1 services up; 1 hypervisors up; '
                f'{len(servers_on("compute1"))} servers on hosts UP',
            ),
            (state, words),
        )
        state, words, _ = self.nagios('--host', host)
        self.assertEqual('CRITICAL', state)
        self.assertTrue(words.startswith(f'{host} down: forced down'), words)
        state, words, _ = self.nagios('--host', 'compute')
        self.assertEqual(
            ('UNKNOWN', "no host 'compute'; hosts: "),
            (state, words[: len("no host 'compute'; hosts: ")]),
        )
        # The same in the other formats.
        metrics = hostctl('check', '--format', 'prometheus')
        self.assertEqual(3, metrics.rc, metrics.err)
        found = samples(metrics.out)
        self.assertEqual(1.0, found[compute_service('forced_down', host)])
        self.assertEqual(0.0, found[compute_service('up', host)])
        self.assertEqual(
            0.0, found[compute_service('forced_down', 'compute1')]
        )
        self.assertEqual(1.0, found[('hostctl_check_success', frozenset())])
        result = hostctl('check', '--format', 'json')
        self.assertEqual(3, result.rc, result.err)
        self.assertEqual('CRITICAL', result.json()['status'])

    def test_a_disabled_host_is_a_warning(self):
        host, reason = 'compute3', 'disk replacement'
        self.addCleanup(hostctl, 'service-enable', host, 'nova-compute')
        self.assertOk(
            hostctl(
                'service-disable', '--reason', reason, host, 'nova-compute'
            )
        )
        count = len(servers_on(host))
        state, words, figures = self.nagios()
        self.assertEqual('WARNING', state)
        self.assertEqual(f'{host} maintenance: disabled ({reason})', words)
        self.assertEqual(str(count), figures['servers_host_maintenance'])
        self.assertEqual('1', figures['services_disabled'])
        # json calls a warning no failure; a threshold can make it one.
        self.assertEqual(0, hostctl('check', '--format', 'json').rc)
        state, _, _ = self.nagios('--critical', 'services_disabled=0')
        self.assertEqual('CRITICAL', state)

    def test_a_host_whose_heartbeat_stopped_is_critical(self):
        host = 'compute1'
        self.addCleanup(base.wait_until_up, host)
        self.addCleanup(heartbeat, 'start', host)
        heartbeat('stop', host)
        count = len(servers_on(host))
        state, words, figures = self.nagios()
        self.assertEqual('CRITICAL', state)
        noun = 'server' if count == 1 else 'servers'
        self.assertRegex(
            words,
            rf'^{host} unknown: nova-compute has not reported for \d+ s '
            rf'\({count} {noun} UNKNOWN\)$',
        )
        self.assertEqual(
            ('1', '0'),
            (figures['services_down'], figures['services_forced_down']),
        )

    def test_dead_servers_are_named_with_fping(self):
        dead = ['nonet-1', 'broken-1']  # no address to probe
        if os.environ.get('HOSTCTL_DEAD_NET'):
            dead.append('cache-1')  # silent where ./run routes it nowhere
        state, words, figures = self.nagios('--fping')
        self.assertEqual('CRITICAL', state)
        match = re.fullmatch(r'servers not alive: (.*)', words)
        self.assertIsNotNone(match, words)
        self.assertEqual(sorted(dead), sorted(match.group(1).split(', ')))
        self.assertEqual(str(len(dead)), figures['servers_not_alive'])
        metrics = samples(
            hostctl('check', '--fping', '--format', 'prometheus').out
        )
        alive = {
            dict(labels)['name']: value
            for (name, labels), value in metrics.items()
            if name == 'hostctl_server_alive'
        }
        self.assertEqual(
            {s['name'] for s in base.cloud()['servers']}, set(alive)
        )
        self.assertEqual(
            sorted(dead), sorted(n for n, v in alive.items() if not v)
        )

    def test_a_silent_guest_is_named_with_rpc_ping(self):
        instances = base.cloud()['instances']
        state, words, figures = self.nagios('--rpc-ping')
        self.assertEqual('CRITICAL', state)
        # The failing guest's agent answers with an error: not answering
        # either, as instance-rpc-ping says.
        self.assertEqual(
            'guests not answering RPC: '
            + ', '.join(
                sorted(
                    [instances['silent']['name'], instances['failing']['name']]
                )
            ),
            'guests not answering RPC: '
            + ', '.join(sorted(words.split(': ', 1)[1].split(', '))),
        )
        self.assertEqual(
            (str(len(instances) - 2), '2'),
            (figures['guests_alive'], figures['guests_not_alive']),
        )


class UnreachableTest(base.TestCase):
    def setUp(self):
        super().setUp()
        self.cloud = self.useFixture(base.ProxiedCloud())

    def test_nagios_says_unknown_and_why(self):
        self.cloud.proxy.refuse.add('compute')
        result = self.cloud.hostctl('--retries', '0', 'check')
        self.assertEqual(3, result.rc, result.out + result.err)
        self.assertRegex(
            result.out,
            r'^UNKNOWN - cannot reach http://127\.0\.0\.1:\d+/\S* '
            r'\(connection refused\); is the cloud up and the URL right\? \| '
            r'time=',
        )
        self.assertNotIn('Traceback', result.out + result.err)

    def test_identity_unreachable_is_unknown(self):
        closed = f'http://127.0.0.1:{self.cloud.proxy.closed_port}/v3'
        result = self.cloud.hostctl(
            '--os-auth-url', closed, '--retries', '0', 'check'
        )
        self.assertEqual(3, result.rc, result.out + result.err)
        self.assertTrue(result.out.startswith('UNKNOWN - '), result.out)
        self.assertIn(f'cannot reach {closed}', result.out)
        # json and prometheus: hostctl's own code, 7.
        result = self.cloud.hostctl(
            '--os-auth-url',
            closed,
            '--retries',
            '0',
            'check',
            '--format',
            'prometheus',
        )
        self.assertEqual(7, result.rc, result.err)
        self.assertEqual(
            0.0, samples(result.out)[('hostctl_check_success', frozenset())]
        )

    def test_one_request_per_kind_when_warm(self):
        self.cloud.hostctl('check')  # the token and versions, cached
        self.cloud.proxy.reset()
        result = self.cloud.hostctl('check')
        self.assertEqual(0, result.rc, result.out + result.err)
        self.assertEqual(
            [
                'GET /v2.1/os-hypervisors/detail',
                'GET /v2.1/os-services',
                'GET /v2.1/servers/detail',
            ],
            sorted(
                f'{m} {p.split("?")[0]}'
                for _, m, p in self.cloud.proxy.requests
            ),
        )
