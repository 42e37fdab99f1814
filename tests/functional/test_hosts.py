"""host-show, host-down and host-up against the real Nova of the local cloud.

Each test puts a host in a state (through hostctl, or by stopping its
heartbeat through the cloud's launcher), reads what hostctl says, and
leaves the cloud's compute services as it found them.
"""

import json
import re
import time

from tests.functional import base
from tests.functional import test_moves
from tests.functional.base import hostctl
from tests.functional.test_host_status import heartbeat, servers_on

MARKER = 'hostctl host-down '


def computes() -> dict:
    """{host: (Status, State, Forced Down, Disabled Reason)} of every
    nova-compute, as service-list shows them."""
    result = hostctl('service-list', '--binary', 'nova-compute', '-f', 'json')
    assert result.rc == 0, result.err
    return {
        r['Host']: (
            r['Status'],
            r['State'],
            r['Forced Down'],
            r['Disabled Reason'],
        )
        for r in result.json()
    }


def table_value(out: str, field: str) -> str:
    """The value of `field` in a ShowOne table."""
    for line in out.splitlines():
        cells = [c.strip() for c in line.strip().strip('|').split('|')]
        if len(cells) >= 2 and cells[0] == field:
            return cells[1]
    raise AssertionError(f'no {field!r} row in:\n{out}')


class HostsTest(base.TestCase):
    def setUp(self):
        super().setUp()
        before = computes()
        # Whatever a test does, the cloud is left as it was found.
        self.addCleanup(self.assert_as_found, before)

    def assert_as_found(self, before):
        deadline = time.monotonic() + 60
        while computes() != before and time.monotonic() < deadline:
            time.sleep(1)
        self.assertEqual(before, computes())

    def restore(self, host):
        """Bring `host` back, whatever the test did to it."""

        def up():
            heartbeat('start', host)
            result = hostctl('host-up', host, '--enable', '--timeout', '60')
            self.assertOk(result)

        self.addCleanup(up)

    def verdict(self, host, *options):
        """(state, reason) from the table and from JSON, which agree."""
        table = hostctl(*options, 'host-show', host, '--max-width', '0')
        self.assertOk(table)
        shown = hostctl(*options, 'host-show', host, '-f', 'json')
        self.assertOk(shown)
        document = shown.json()
        # The two were read a moment apart: ages may differ.
        self.assertEqual(
            (document['Verdict'], re.sub(r'\d+', 'N', document['Reason'])),
            (
                table_value(table.out, 'Verdict'),
                re.sub(r'\d+', 'N', table_value(table.out, 'Reason')),
            ),
        )
        return document

    def host_statuses(self, document):
        return {s['Host Status'] for s in document['Servers']}

    # Each verdict, for real --------------------------------------------

    def test_up(self):
        document = self.verdict('compute1')
        self.assertEqual('up', document['Verdict'])
        self.assertRegex(
            document['Reason'], r'^nova-compute reported \d+ s ago$'
        )
        self.assertEqual(
            sorted(s['id'] for s in servers_on('compute1')),
            sorted(s['ID'] for s in document['Servers']),
        )
        (service,) = document['Services']
        self.assertEqual(
            ('nova-compute', 'enabled', 'up', False),
            (
                service['Binary'],
                service['Status'],
                service['State'],
                service['Forced Down'],
            ),
        )
        self.assertRegex(service['Last Report'], r'^\d+ s ago$')
        (hypervisor,) = document['Hypervisors']
        self.assertEqual(len(document['Servers']), hypervisor['Servers'])

    def test_unknown_when_the_heartbeat_stops(self):
        self.restore('compute1')
        heartbeat('stop', 'compute1')
        document = self.verdict('compute1')
        self.assertEqual('unknown', document['Verdict'])
        # The launcher ages the last heartbeat past service_down_time.
        seconds = int(
            document['Reason'].split('not reported for ')[1].split()[0]
        )
        self.assertGreater(
            seconds, base.cloud()['heartbeat']['service_down_time']
        )
        self.assertEqual({'UNKNOWN'}, self.host_statuses(document))

    def test_down_when_forced_down_only(self):
        self.restore('compute2')
        self.assertOk(hostctl('host-down', 'compute2', '--no-disable'))
        document = self.verdict('compute2')
        self.assertEqual(
            ('down', 'forced down'), (document['Verdict'], document['Reason'])
        )
        self.assertEqual({'DOWN'}, self.host_statuses(document))

    def test_maintenance_when_disabled(self):
        self.addCleanup(hostctl, 'service-enable', 'compute3', 'nova-compute')
        self.assertOk(
            hostctl(
                'service-disable',
                '--reason',
                'kernel upgrade',
                'compute3',
                'nova-compute',
            )
        )
        document = self.verdict('compute3')
        self.assertEqual(
            ('maintenance', 'disabled (kernel upgrade)'),
            (document['Verdict'], document['Reason']),
        )
        self.assertEqual({'MAINTENANCE'}, self.host_statuses(document))

    def test_fenced_after_host_down(self):
        self.restore('compute2')
        down = hostctl(
            'host-down', 'compute2', '--reason', 'PSU', '-f', 'json'
        )
        self.assertOk(down)
        document = self.verdict('compute2')
        self.assertEqual('fenced', document['Verdict'])
        self.assertRegex(
            document['Reason'],
            r'^forced down and disabled \(hostctl host-down '
            r'\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ: PSU\); servers show DOWN$',
        )
        # Nova reads forced down before disabled: the servers show DOWN,
        # not MAINTENANCE.
        self.assertEqual({'DOWN'}, self.host_statuses(document))
        self.assertEqual(document['Servers'], down.json()['Servers'])

    # host-down and host-up ----------------------------------------------

    def test_round_trip_in_the_safe_order_in_both_eras(self):
        cloud = self.useFixture(base.ProxiedCloud())
        for options, era in (
            ((), 'uuid'),
            (('--os-compute-api-version', '2.52'), 'host'),
            (('--os-compute-api-version', '2.53'), 'uuid'),
        ):
            cloud.proxy.reset()
            down = cloud.hostctl(
                *options, 'host-down', 'compute2', '--reason', 'test'
            )
            self.assertOk(down)
            self.assertIn('compute2: force down: done', down.err)
            up = cloud.hostctl(*options, 'host-up', 'compute2', '-f', 'json')
            self.assertOk(up)
            self.assertEqual('up', up.json()['Verdict'])
            self.assertEqual(
                ['done', 'done', 'done'],
                [a['Result'] for a in up.json()['Actions']],
            )
            self.assert_safe_order(cloud.proxy, era)

    def assert_safe_order(self, proxy, era):
        sent = [
            (r.method, r.path.split('?')[0], body)
            for r, body in zip(proxy.requests, proxy.bodies, strict=True)
            if r.service == 'compute'
            and r.path.split('?')[0].startswith('/v2.1/os-services')
        ]
        puts = [
            json.loads(body) for method, _, body in sent if method == 'PUT'
        ]
        for put in puts:
            put.pop('host', None)
            put.pop('binary', None)
        reason = puts[1].get('disabled_reason', '')
        self.assertTrue(reason.startswith(MARKER), puts)
        self.assertEqual(
            [
                {'forced_down': True},
                (
                    {'status': 'disabled', 'disabled_reason': reason}
                    if era == 'uuid'
                    else {'disabled_reason': reason}
                ),
                {'forced_down': False},
                {'status': 'enabled'} if era == 'uuid' else {},
            ],
            puts,
        )
        paths = [path for method, path, _ in sent if method == 'PUT']
        if era == 'host':
            self.assertEqual(
                [
                    '/v2.1/os-services/force-down',
                    '/v2.1/os-services/disable-log-reason',
                    '/v2.1/os-services/force-down',
                    '/v2.1/os-services/enable',
                ],
                paths,
            )
        # Between clearing the flag and enabling, at least one listing
        # (the wait for a report).
        methods = [method for method, _, _ in sent]
        unset = [i for i, m in enumerate(methods) if m == 'PUT'][2]
        self.assertIn('GET', methods[unset + 1 : -1])

    def test_twice_changes_nothing_the_second_time(self):
        self.restore('compute3')
        self.assertOk(hostctl('host-down', 'compute3'))
        again = hostctl('host-down', 'compute3', '-f', 'json')
        self.assertOk(again)
        self.assertIn('compute3: nothing changed', again.err)
        self.assertEqual(
            ['unchanged', 'unchanged'],
            [a['Result'] for a in again.json()['Actions']],
        )
        self.assertOk(hostctl('host-up', 'compute3'))
        again = hostctl('host-up', 'compute3')
        self.assertOk(again)
        self.assertIn('compute3: nothing changed', again.err)

    def test_host_up_times_out_when_the_compute_does_not_report(self):
        self.restore('compute1')
        heartbeat('stop', 'compute1')
        self.assertOk(hostctl('host-down', 'compute1', '--reason', 'dead'))
        started = time.monotonic()
        result = hostctl('host-up', 'compute1', '--timeout', '6')
        self.assertFails(
            result,
            8,
            'compute1: forced_down was cleared, but nova-compute did not '
            'report up within 6 s; it stays disabled (not enabled)',
        )
        self.assertLess(time.monotonic() - started, 30)
        status, state, forced_down, reason = computes()['compute1']
        self.assertEqual(
            ('disabled', 'down', False), (status, state, forced_down)
        )
        self.assertTrue(reason.startswith(MARKER), reason)

    def test_a_host_disabled_for_another_reason_stays_disabled(self):
        self.addCleanup(hostctl, 'service-enable', 'compute3', 'nova-compute')
        self.assertOk(
            hostctl(
                'service-disable',
                '--reason',
                'burn-in',
                'compute3',
                'nova-compute',
            )
        )
        result = hostctl('host-up', 'compute3', '-f', 'json')
        self.assertOk(result)
        self.assertEqual('maintenance', result.json()['Verdict'])
        self.assertIn('disabled for another reason than host-down', result.err)

    def test_names_that_are_not_hosts(self):
        for name in ('compute', 'ompute1', 'compute9'):
            result = hostctl('host-down', name)
            self.assertFails(result, 4, f"no host '{name}'; hosts: compute1")
        self.assertFails(hostctl('host-down', ''), 2, 'an empty name')
        for argv in (
            ['service-list', '--host', 'compute'],
            ['server-list', '--all-projects', '--host', 'compute'],
            ['service-disable', 'compute', 'nova-compute'],
        ):
            self.assertFails(hostctl(*argv), 4, "no host 'compute'; hosts:")
        # Nova searches hypervisor hostnames by substring, in both eras.
        for version in ('2.52', '2.53'):
            pinned = ('--os-compute-api-version', version)
            for name in ('compute', 'mpute2'):
                self.assertFails(
                    hostctl(*pinned, 'hypervisor-show', name),
                    4,
                    f'no hypervisor named {name!r}; hostnames that contain',
                )
        self.assertFails(
            hostctl(
                '--os-compute-api-version', '2.53', 'hypervisor-show', '1'
            ),
            4,
            "no hypervisor named '1'",
        )
        self.assertFails(
            hostctl('host-show', 'compute1', cloud_name='member'), 5, 'policy'
        )

    def test_the_controller_is_not_a_compute_host(self):
        # devcloud runs nova-conductor and nova-scheduler: host-show showed
        # it as a host with nothing on it (exit 0), check --host as OK.
        for argv, words in (
            (['host-show', 'devcloud'], 'devcloud is not a compute host'),
            (['host-down', 'devcloud'], 'has no nova-compute service'),
        ):
            result = hostctl(*argv)
            self.assertEqual('', result.out)
            self.assertFails(result, 4, words)
        check = hostctl('check', '--host', 'devcloud')
        self.assertEqual(3, check.rc, check.out)
        self.assertTrue(check.out.startswith('UNKNOWN - '), check.out)


class PrefixTest(base.TestCase):
    """compute1 and compute10 (hypervisor compute10.example.org)."""

    def test_compute1_never_touches_compute10(self):
        before = computes()['compute10']
        self.addCleanup(hostctl, 'host-up', 'compute1')
        self.assertOk(hostctl('host-down', 'compute1', '--reason', 'prefix'))
        self.assertEqual(before, computes()['compute10'])
        shown = hostctl('host-show', 'compute1', '-f', 'json').json()
        self.assertEqual(
            sorted(s['id'] for s in servers_on('compute1')),
            sorted(s['ID'] for s in shown['Servers']),
        )
        listed = hostctl(
            'server-list', '--all-projects', '--host', 'compute1', '-f', 'json'
        )
        self.assertOk(listed)
        self.assertEqual(
            sorted(s['id'] for s in servers_on('compute1')),
            sorted(s['ID'] for s in listed.json()),
        )

    def test_the_fqdn_and_its_short_name(self):
        shown = hostctl('host-show', 'compute10.example.org', '-f', 'json')
        self.assertOk(shown)
        self.assertEqual('compute10', shown.json()['Host'])
        hypervisor = hostctl(
            'hypervisor-show',
            'compute10',
            '-f',
            'value',
            '-c',
            'Hypervisor Hostname',
        )
        self.assertOk(hypervisor)
        self.assertEqual('compute10.example.org\n', hypervisor.out)
        self.assertFails(hostctl('hypervisor-show', 'compute1.example.org'), 4)


class EvacuatedHostTest(base.TestCase):
    """host-up on a host that servers were evacuated from: Nova refuses to
    clear forced_down until nova-compute there has been restarted."""

    host = 'compute2'
    # The server helpers of the moves tests (boot, wait, delete, ...).
    call = test_moves.MovesTest.call
    boot = test_moves.MovesTest.boot
    delete = test_moves.MovesTest.delete
    show = test_moves.MovesTest.show
    wait = test_moves.MovesTest.wait

    def test_refused_until_the_compute_restarts(self):
        before = computes()
        self.addCleanup(lambda: self.assertEqual(before, computes()))
        self.nova = base.compute_api()
        server = self.boot(self.host)
        self.addCleanup(hostctl, 'host-up', '--enable', self.host)
        self.addCleanup(base.devcloud, 'compute', 'restart', self.host)
        self.assertOk(hostctl('host-down', self.host, '--reason', 'evac'))
        self.call('POST', f'/servers/{server["id"]}/action', {'evacuate': {}})
        self.wait(server['id'], {'SHUTOFF'}, self.host)

        for options in ((), ('--os-compute-api-version', '2.52')):
            refused = hostctl(*options, 'host-up', self.host)
            self.assertFails(
                refused,
                9,
                f'{self.host}: Nova will not clear forced_down while the '
                'evacuations from this host are not cleaned up (1 server '
                f'was evacuated from it: {server["id"]}). Restart '
                f'nova-compute on {self.host} first',
            )
        # Nothing changed: still fenced.
        self.assertEqual(
            'fenced',
            hostctl('host-show', self.host, '-f', 'json').json()['Verdict'],
        )

        restarted = base.devcloud('compute', 'restart', self.host)
        self.assertEqual(0, restarted.rc, restarted.err)
        up = hostctl('host-up', self.host, '-f', 'json')
        self.assertOk(up)
        self.assertEqual('up', up.json()['Verdict'])
        self.assertEqual(
            ['done', 'done', 'done'],
            [a['Result'] for a in up.json()['Actions']],
        )
