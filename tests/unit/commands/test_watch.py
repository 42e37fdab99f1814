"""hostctl watch and hostctl wait, in-process against a fake Nova."""

import datetime
import json

import fixtures

from tests.unit import cli
from tests.unit import fakes
from tests.unit import test_cache
from tests.unit.watch import fakenova


class WatchCommandTest(cli.TestCase):
    def setUp(self):
        super().setUp()
        self.compute = self.useFixture(fakes.ComputeFixture())
        self.nova = fakenova.FakeNova(self.compute.mock)

    def hostctl(self, *argv):
        return cli.run_cli([*cli.TOKEN_ARGS, *argv])

    def lines(self, out):
        return [json.loads(line) for line in out.splitlines()]

    def test_json_lines_then_quiet_polls(self):
        rc, out, err = self.hostctl(
            'watch', '--count', '3', '--interval', '0.01'
        )
        self.assertEqual((0, ''), (rc, err))
        events = self.lines(out)
        self.assertEqual(8, len(events))
        self.assertEqual(
            ['time', 'kind', 'event', 'id', 'name', 'host', 'changes'],
            list(events[0]),
        )
        self.assertEqual(
            ['service'] * 2 + ['hypervisor'] * 2 + ['server'] * 4,
            [e['kind'] for e in events],
        )
        # 3 requests for the first poll, then 3 per quiet poll.
        self.assertEqual(9, len(self.nova.api_requests()))

    def test_kinds_and_no_initial(self):
        rc, out, err = self.hostctl(
            'watch', '--servers', '--no-initial', '--timeout', '0'
        )
        self.assertEqual((0, '', ''), (rc, out, err))
        self.assertEqual(
            ['/v2.1/os-services', '/v2.1/servers/detail'],
            [r.path for r in self.nova.api_requests()],
        )

    def test_host_filter(self):
        rc, out, _ = self.hostctl(
            'watch', '--hypervisors', '--host', 'compute2', '--count', '1'
        )
        self.assertEqual(0, rc)
        self.assertEqual(
            [('hypervisor', 'compute2')],
            [(e['kind'], e['host']) for e in self.lines(out)],
        )

    def test_empty_host_is_a_usage_error(self):
        rc, out, err = self.hostctl('watch', '--host', ' ', '--count', '1')
        self.assertEqual((2, ''), (rc, out))
        self.assertEqual(
            'hostctl: a host name is needed: an empty name would match '
            'every host\n',
            err,
        )

    def test_outage_on_the_first_poll_is_an_event_not_an_end(self):
        self.nova.failing = 503
        rc, out, err = self.hostctl('watch', '--count', '1')
        self.assertEqual(0, rc)
        (event,) = self.lines(out)
        self.assertEqual(
            ('cloud', 'unreachable'), (event['kind'], event['event'])
        )
        self.assertEqual(1, len(err.splitlines()))
        self.assertIn('HTTP 503', err)

    def test_policy_refusal_ends_it_with_exit_5(self):
        self.nova.failing = 403
        rc, out, err = self.hostctl('watch', '--count', '5')
        self.assertEqual((5, ''), (rc, out))
        self.assertTrue(err.startswith("hostctl: the compute API's policy"))

    def test_wait_for_a_hosts_verdict(self):
        now = datetime.datetime.now(datetime.timezone.utc)
        for service in self.nova.services:
            service['updated_at'] = now.replace(tzinfo=None).isoformat()
        rc, out, err = self.hostctl(
            'wait', 'host', 'compute1', '--for', 'verdict=UP', '--timeout', '0'
        )
        self.assertEqual(
            (0, 'host compute1: Verdict=up\n', ''), (rc, out, err)
        )
        self.nova.service('compute1').update(forced_down=True, state='down')
        rc, out, err = self.hostctl(
            'wait',
            'host',
            'compute1',
            '--for',
            'verdict=fenced',
            '--timeout',
            '0',
        )
        self.assertEqual((10, ''), (rc, out))
        self.assertEqual(
            "hostctl: host compute1: Verdict is 'down', not 'fenced' after "
            '0 s (--timeout)\n',
            err,
        )
        rc, _, err = self.hostctl(
            'wait', 'host', 'compute1', '--for', 'verdict=gone'
        )
        self.assertEqual(2, rc)
        self.assertIn(
            "Verdict cannot be 'gone'; it is one of 'up', 'unknown', 'down', "
            "'maintenance', 'fenced'",
            err,
        )

    def test_bad_webhook_url(self):
        rc, _, err = self.hostctl('watch', '--webhook', 'localhost:80/x')
        self.assertEqual(2, rc)
        self.assertIn('give an http:// or https:// URL', err)

    def test_webhook_gets_what_stdout_gets(self):
        hook = 'http://127.0.0.1:8099/doctor'
        posted = self.compute.mock.post(hook, status_code=204)
        rc, out, err = self.hostctl('watch', '--count', '1', '--webhook', hook)
        self.assertEqual((0, ''), (rc, err))
        self.assertEqual(
            self.lines(out), [r.json() for r in posted.request_history]
        )


class VerdictsTest(cli.TestCase):
    def test_the_tables_verdicts_are_the_clients(self):
        from hostctl.commands import fields
        from hostctl.v2_1 import hosts

        self.assertEqual(hosts.STATES, fields.VERDICTS)


class WaitCommandTest(cli.TestCase):
    def setUp(self):
        super().setUp()
        self.compute = self.useFixture(fakes.ComputeFixture())

    def hostctl(self, *argv):
        return cli.run_cli([*cli.TOKEN_ARGS, *argv])

    def test_condition_met(self):
        rc, out, err = self.hostctl(
            'wait',
            'service',
            'compute2',
            'nova-compute',
            '--for',
            'state=down',
            '--for',
            'Forced Down=TRUE',
            '--timeout',
            '0',
        )
        self.assertEqual((0, ''), (rc, err))
        self.assertEqual(
            'service compute2 nova-compute: State=down, Forced Down=true\n',
            out,
        )
        # One request per poll (the host named exactly among them all).
        self.assertEqual(
            ['/v2.1/os-services'],
            [r.path for r in self.compute.api_requests()],
        )

    def test_deadline_exit_10_with_the_last_value(self):
        rc, out, err = self.hostctl(
            'wait',
            'service',
            'compute1',
            'nova-compute',
            '--for',
            'state=down',
            '--timeout',
            '0.05',
            '--interval',
            '0.01',
        )
        self.assertEqual((10, ''), (rc, out))
        self.assertEqual(
            "hostctl: service compute1 nova-compute: State is 'up', not "
            "'down' after 0.05 s (--timeout)\n",
            err,
        )
        self.assertGreater(len(self.compute.api_requests()), 2)

    def test_each_request_is_bounded_by_the_time_left(self):
        rc, _, _ = self.hostctl(
            'wait',
            'service',
            'compute1',
            'nova-compute',
            '--for',
            'state=down',
            '--timeout',
            '12.5',
            '--interval',
            '1',
        )
        self.assertEqual(10, rc)
        bounds = [r.timeout for r in self.compute.api_requests()]
        # (cli.TestCase stubs time.sleep, so the rounds come quickly.) The
        # bound starts at the 12.5 s left, shrinks, and stops at 5 s.
        self.assertAlmostEqual(12.5, bounds[0], delta=0.3)
        self.assertEqual(sorted(bounds, reverse=True), bounds)
        self.assertEqual(5.0, bounds[-1])
        self.assertGreater(len(set(bounds)), 2)

    def test_usage_errors(self):
        for argv, words in (
            (
                ['service', 'compute1', '--for', 'state=up'],
                'wait service takes <host> <binary>; 1 given',
            ),
            (
                ['service', 'compute1', 'nova-compute', '--for', 'mood=up'],
                "no field 'mood'",
            ),
            (
                ['service', 'compute1', 'nova-compute', '--for', 'state=on'],
                "it is one of 'up', 'down'",
            ),
            (
                ['service', 'compute1', 'nova-compute'],
                'the following arguments are required: --for',
            ),
            (
                ['router', 'r1', '--for', 'state=up'],
                "invalid choice: 'router'",
            ),
            (
                [
                    'service',
                    'compute1',
                    'nova-compute',
                    '--for',
                    'state=up',
                    '--timeout',
                    '-1',
                ],
                'invalid duration',
            ),
            (
                ['service', '', 'nova-compute', '--for', 'state=up'],
                'a name cannot be empty',
            ),
        ):
            rc, out, err = self.hostctl('wait', *argv)
            self.assertEqual((2, ''), (rc, out), err)
            self.assertIn(words, err)
            self.assertEqual(1, len(err.splitlines()), err)
        self.assertEqual([], self.compute.api_requests())

    def test_unknown_service_exit_4_at_once(self):
        rc, _, err = self.hostctl(
            'wait', 'service', 'compute9', 'nova-compute', '--for', 'state=up'
        )
        self.assertEqual(4, rc)
        self.assertEqual(
            "hostctl: no host 'compute9'; hosts: compute1, compute2, "
            'controller\n',
            err,
        )


class WatchTokenTest(test_cache.PasswordCloudTest):
    """A token that expires mid-watch is renewed; the watch goes on."""

    def test_token_renewed_mid_watch(self):
        # CacheTest's cloud: password authentication through the mock.
        nova = fakenova.FakeNova(self.mock)
        served = []

        def services(request, context):
            served.append(request.headers['X-Auth-Token'])
            if len(served) == 2:
                context.status_code = 401
                return test_cache.UNAUTHORIZED
            return {'services': nova.services}

        self.mock.get(fakes.COMPUTE_URL + '/os-services', json=services)
        self.useFixture(fixtures.EnvironmentVariable('HOSTCTL_NO_CACHE', '1'))
        rc, out, err = cli.run_cli(
            ['watch', '--count', '3', '--interval', '0.01']
        )
        self.assertEqual((0, ''), (rc, err))
        self.assertEqual(['tok-1', 'tok-1', 'tok-2', 'tok-2'], served)
        self.assertEqual(8, len(out.splitlines()))
