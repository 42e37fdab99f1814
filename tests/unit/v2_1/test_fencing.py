"""host-down and host-up: the order of the requests, in both API eras."""

import fixtures
import testtools

from hostctl import exceptions
from hostctl.v2_1 import fencing
from tests.unit import fakes
from tests.unit.v2_1 import test_hosts
from tests.unit.v2_1.test_client import make_client

BASE = fakes.COMPUTE_URL
UUID = 'a1b2c3d4-0000-4000-8000-000000000010'


class Cloud(test_hosts.Cloud):
    """A Nova that keeps its services' state across requests.

    Every request is a tick of its clock; a host in `reporting` sends a
    heartbeat (a fresh updated_at) on every tick, and is up; one that is
    not keeps its last report and is down once `silent` ticks have passed.
    """

    def __init__(self, pairs, **kwargs):
        super().__init__(pairs, **kwargs)
        self.tick = 0
        self.reporting = {host for host, _ in pairs}
        # Hosts that stopped reporting so lately that Nova still says up.
        self.lately = set()
        self.refuse_unset = False
        self.evacuated = True
        self.fail_disable = False
        self.fail_enable = False

    def _setUp(self):
        super()._setUp()
        self.mock.put(BASE + '/os-services/' + UUID, json=self._put_uuid)
        for action in (
            'force-down',
            'disable',
            'disable-log-reason',
            'enable',
        ):
            self.mock.put(BASE + '/os-services/' + action, json=self._put_old)
        self.mock.get(BASE + '/os-migrations', json=self._migrations)

    def stamp(self):
        return f'2026-11-23T10:{self.tick // 60:02d}:{self.tick % 60:02d}'

    def _advance(self):
        self.tick += 1
        for s in self.services:
            if s['host'] in self.reporting:
                s['updated_at'] = self.stamp()
        self._recompute()

    def _recompute(self):
        for s in self.services:
            if s['binary'] == 'nova-compute':
                s['state'] = (
                    'down'
                    if s['forced_down']
                    or s['host'] not in self.reporting | self.lately
                    else 'up'
                )

    def _list_services(self, request, context):
        self._advance()
        return super()._list_services(request, context)

    def compute(self, host='compute1'):
        return next(s for s in self.services if s['host'] == host)

    def _change(self, service, body, context):
        self.tick += 1
        if self.refuse_unset and body.get('forced_down') is False:
            context.status_code = 400
            return {
                'badRequest': {
                    'code': 400,
                    'message': 'Unable to force up host compute1 as `done` '
                    'evacuation migration records remain associated with '
                    'the host.',
                }
            }
        failing = {'disabled': self.fail_disable, 'enabled': self.fail_enable}
        if failing.get(body.get('status')):
            context.status_code = 500
            return {'computeFault': {'code': 500, 'message': 'boom'}}
        service.update(body)
        # Nova writes updated_at on any change through the API, too.
        service['updated_at'] = self.stamp()
        if body.get('status') == 'enabled':
            service['disabled_reason'] = None
        self._recompute()
        return None

    def _put_uuid(self, request, context):
        service = self.compute()
        refused = self._change(service, request.json(), context)
        if refused:
            return refused
        return {
            'service': fakes.service_json(service, self.version_of(request))
        }

    def _put_old(self, request, context):
        body = dict(request.json())
        action = request.path.rsplit('/', 1)[1]
        service = self.compute(body['host'])
        change = {'forced_down': body.get('forced_down')}
        if action == 'enable':
            change = {'status': 'enabled'}
        elif action.startswith('disable'):
            change = {
                'status': 'disabled',
                'disabled_reason': body.get('disabled_reason'),
            }
        if action != 'force-down':
            change.pop('forced_down', None)
        refused = self._change(service, change, context)
        return refused or {'service': body}

    def _migrations(self, request, context):
        if not self.evacuated:
            return {'migrations': []}
        return {
            'migrations': [
                {'id': 1, 'instance_uuid': 'server-b', 'status': 'done'},
                {'id': 2, 'instance_uuid': 'server-a', 'status': 'done'},
            ]
        }

    def puts(self):
        """(path, body) of each PUT, in order."""
        return [
            (r.path, r.json())
            for r in self.api_requests()
            if r.method == 'PUT'
        ]


class FakeClock(fixtures.Fixture):
    """fencing's clock: sleeping moves it on at once; host-down's marker
    reads 2026-12-01T10:00:00Z."""

    def _setUp(self):
        self.now = 1000.0
        self.slept = []
        self.useFixture(
            fixtures.MockPatch(
                'hostctl.v2_1.fencing.time.monotonic', lambda: self.now
            )
        )
        self.useFixture(
            fixtures.MockPatch('hostctl.v2_1.fencing.time.sleep', self.sleep)
        )
        self.useFixture(
            fixtures.MockPatch(
                'hostctl.v2_1.fencing.time.gmtime',
                lambda now=None: (2026, 12, 1, 10, 0, 0, 1, 335, 0),
            )
        )

    def sleep(self, seconds):
        self.slept.append(seconds)
        self.now += seconds


class FencingTest(testtools.TestCase):
    def setUp(self):
        super().setUp()
        self.clock = self.useFixture(FakeClock())
        self.slept = self.clock.slept

    def hosts(self, pinned=None):
        self.cloud = self.useFixture(
            Cloud(
                [('compute1', 'compute1'), ('compute10', 'compute10')],
                servers={'compute1': [test_hosts.server_json(1, 'compute1')]},
            )
        )
        return make_client(pinned).hosts

    def expected_puts(self, pinned, *changes):
        """The PUTs for `changes` ((action, old body extra, new body))."""
        if pinned is not None and pinned < '2.53':
            return [
                (
                    f'/v2.1/os-services/{action}',
                    {'host': 'compute1', 'binary': 'nova-compute', **old},
                )
                for action, old, _ in changes
            ]
        return [(f'/v2.1/os-services/{UUID}', new) for _, _, new in changes]

    # host-down -----------------------------------------------------------

    def test_down_forces_down_before_it_disables(self):
        marker = 'hostctl host-down 2026-12-01T10:00:00Z: power failure'
        for pinned in ('2.11', '2.52', '2.53', None):
            hosts = self.hosts(pinned)
            change = hosts.down('compute1', reason='power failure')
            self.assertEqual(
                self.expected_puts(
                    pinned,
                    (
                        'force-down',
                        {'forced_down': True},
                        {'forced_down': True},
                    ),
                    (
                        'disable-log-reason',
                        {'disabled_reason': marker},
                        {'status': 'disabled', 'disabled_reason': marker},
                    ),
                ),
                self.cloud.puts(),
            )
            self.assertEqual(
                [
                    fencing.Step('force down', 'done'),
                    fencing.Step('disable', 'done', marker),
                ],
                list(change.steps),
            )
            self.assertEqual('fenced', change.host.verdict.state)
            self.assertEqual(
                ['compute1'], [s.host for s in change.host.services]
            )
            self.assertEqual(1, len(change.host.servers))
            # compute10 is untouched.
            self.assertEqual(
                'enabled', self.cloud.compute('compute10')['status']
            )

    def test_down_twice_changes_nothing_the_second_time(self):
        for pinned in ('2.52', None):
            hosts = self.hosts(pinned)
            hosts.down('compute1')
            first = len(self.cloud.puts())
            change = hosts.down('compute1')
            self.assertEqual(first, len(self.cloud.puts()))
            self.assertEqual(
                ['unchanged', 'unchanged'], [s.result for s in change.steps]
            )
            self.assertIn('hostctl host-down 2026', change.steps[1].detail)

    def test_down_without_disable(self):
        hosts = self.hosts()
        change = hosts.down('compute1', disable=False)
        self.assertEqual(
            [(f'/v2.1/os-services/{UUID}', {'forced_down': True})],
            self.cloud.puts(),
        )
        self.assertEqual('skipped', change.steps[1].result)
        self.assertEqual('down', change.host.verdict.state)

    def test_down_leaves_another_reason_to_disable_alone(self):
        hosts = self.hosts()
        self.cloud.compute().update(
            status='disabled', disabled_reason='kernel upgrade'
        )
        change = hosts.down('compute1', reason='dead')
        self.assertEqual(
            [(f'/v2.1/os-services/{UUID}', {'forced_down': True})],
            self.cloud.puts(),
        )
        self.assertEqual(
            fencing.Step(
                'disable', 'unchanged', 'already disabled: kernel upgrade'
            ),
            change.steps[1],
        )

    def test_a_failed_disable_is_partial_and_undoes_nothing(self):
        for pinned in ('2.52', None):
            hosts = self.hosts(pinned)
            self.cloud.fail_disable = True
            error = self.assertRaises(
                exceptions.Partial, hosts.down, 'compute1'
            )
            self.assertEqual(exceptions.ExitCode.PARTIAL, error.exit_code)
            self.assertIn(
                'compute1: nova-compute is now forced down but disabling it '
                'failed',
                str(error),
            )
            self.assertIn(
                'it is forced down and still enabled, and nothing was undone',
                str(error),
            )
            # The force-down and the failed disable; no undoing PUT.
            self.assertEqual(2, len(self.cloud.puts()))
            self.assertTrue(self.cloud.compute()['forced_down'])

    def test_down_needs_2_11(self):
        self.useFixture(Cloud([('compute1', 'compute1')], high='2.10'))
        error = self.assertRaises(
            exceptions.UnsupportedVersion, make_client().hosts.down, 'compute1'
        )
        self.assertIn('2.11 or later', str(error))

    def test_a_long_reason_is_refused_before_any_change(self):
        hosts = self.hosts()
        error = self.assertRaises(
            exceptions.UsageError, hosts.down, 'compute1', reason='x' * 250
        )
        self.assertIn('--reason is too long', str(error))
        self.assertEqual([], self.cloud.puts())

    def test_down_on_a_host_without_compute(self):
        hosts = self.hosts()
        error = self.assertRaises(
            exceptions.NotFound, hosts.down, 'controller'
        )
        self.assertIn("host 'controller' has no nova-compute", str(error))

    # host-up -------------------------------------------------------------

    def fenced(self, pinned=None, reason=None):
        hosts = self.hosts(pinned)
        self.cloud.compute().update(
            forced_down=True,
            state='down',
            status='disabled',
            disabled_reason=reason
            or 'hostctl host-down 2026-12-01T10:00:00Z: dead',
        )
        return hosts

    def test_up_clears_waits_for_a_report_then_enables(self):
        for pinned in ('2.11', '2.52', '2.53', None):
            hosts = self.fenced(pinned)
            # nova-compute is not reporting yet; it starts after 3 polls.
            self.cloud.reporting.discard('compute1')
            polls = []

            def count(
                request, context, real=self.cloud._list_services, polls=polls
            ):
                polls.append(request.qs)
                if len(polls) == 3:
                    self.cloud.reporting.add('compute1')
                return real(request, context)

            self.cloud.mock.get(BASE + '/os-services', json=count)
            change = hosts.up('compute1', timeout=60)
            self.assertEqual(
                self.expected_puts(
                    pinned,
                    (
                        'force-down',
                        {'forced_down': False},
                        {'forced_down': False},
                    ),
                    ('enable', {}, {'status': 'enabled'}),
                ),
                self.cloud.puts(),
            )
            # The enable PUT comes after a listing that showed it up.
            requests = self.cloud.api_requests()
            enable = max(
                i for i, r in enumerate(requests) if r.method == 'PUT'
            )
            self.assertEqual('GET', requests[enable - 1].method)
            self.assertEqual(
                ['done', 'done', 'done'],
                [s.result for s in change.steps],
            )
            self.assertEqual('up', change.host.verdict.state)
            self.assertTrue(all(s <= fencing.POLL_SECONDS for s in self.slept))

    def test_up_times_out_and_stays_disabled(self):
        for pinned in ('2.52', None):
            self.slept.clear()
            hosts = self.fenced(pinned)
            self.cloud.reporting.discard('compute1')
            error = self.assertRaises(
                exceptions.Partial, hosts.up, 'compute1', timeout=7
            )
            self.assertEqual(
                'compute1: forced_down was cleared, but nova-compute did not '
                'report up within 7 s; it stays disabled (not enabled). Start '
                'or repair nova-compute there, then run host-up again',
                str(error),
            )
            self.assertEqual(1, len(self.cloud.puts()))
            self.assertEqual('disabled', self.cloud.compute()['status'])
            # One deadline: the sleeps add up to the timeout, no more.
            self.assertEqual(7, sum(self.slept))

    def test_up_waits_for_a_report_not_for_a_state_that_has_not_aged(self):
        # A dead host whose last report is within service_down_time shows
        # up; only a report after the flag was cleared proves it alive.
        hosts = self.fenced()
        self.cloud.reporting.discard('compute1')
        self.cloud.lately.add('compute1')
        self.assertRaises(exceptions.Partial, hosts.up, 'compute1', timeout=9)
        self.assertEqual(1, len(self.cloud.puts()))

    def test_up_does_not_enable_a_host_disabled_for_another_reason(self):
        hosts = self.fenced(reason='kernel upgrade')
        change = hosts.up('compute1', timeout=30)
        self.assertEqual(
            [(f'/v2.1/os-services/{UUID}', {'forced_down': False})],
            self.cloud.puts(),
        )
        self.assertEqual('skipped', change.steps[-1].result)
        self.assertIn('kernel upgrade', change.steps[-1].detail)
        self.assertEqual('maintenance', change.host.verdict.state)

    def test_a_failed_enable_is_partial_and_says_what_was_done(self):
        for pinned in ('2.52', None):
            hosts = self.fenced(pinned)
            self.cloud.fail_enable = True
            error = self.assertRaises(
                exceptions.Partial, hosts.up, 'compute1', timeout=30
            )
            self.assertIn(
                'compute1: forced_down was cleared and nova-compute reports '
                'up, but enabling it failed',
                str(error),
            )
            self.assertIn('it is still disabled', str(error))
            self.assertFalse(self.cloud.compute()['forced_down'])

    def test_up_with_enable_enables_whatever_the_reason(self):
        hosts = self.fenced(reason='kernel upgrade')
        hosts.up('compute1', timeout=30, enable=True)
        self.assertEqual({'status': 'enabled'}, self.cloud.puts()[-1][1])

    def test_up_without_waiting_does_not_enable(self):
        hosts = self.fenced()
        error = self.assertRaises(
            exceptions.Partial, hosts.up, 'compute1', timeout=0
        )
        self.assertIn('hostctl did not wait (--timeout 0)', str(error))
        self.assertEqual(1, len(self.cloud.puts()))
        self.assertEqual([], self.slept)

    def test_up_twice_changes_nothing_the_second_time(self):
        hosts = self.fenced()
        hosts.up('compute1', timeout=30)
        first = len(self.cloud.puts())
        change = hosts.up('compute1', timeout=30)
        self.assertEqual(first, len(self.cloud.puts()))
        self.assertEqual(
            ['unchanged', 'unchanged', 'unchanged'],
            [s.result for s in change.steps],
        )

    def test_up_refused_for_done_evacuations_names_them(self):
        for pinned in ('2.52', None):
            hosts = self.fenced(pinned)
            self.cloud.refuse_unset = True
            error = self.assertRaises(
                exceptions.Conflict, hosts.up, 'compute1', timeout=30
            )
            self.assertEqual(exceptions.ExitCode.CONFLICT, error.exit_code)
            self.assertIn(
                '2 servers were evacuated from it: server-a, server-b',
                str(error),
            )
            self.assertIn('Restart nova-compute on compute1 first', str(error))
            (asked,) = [
                r
                for r in self.cloud.api_requests()
                if r.path == '/v2.1/os-migrations'
            ]
            self.assertEqual(
                {
                    'source_compute': ['compute1'],
                    'migration_type': ['evacuation'],
                    'status': ['done'],
                },
                asked.qs,
            )
            self.assertEqual(1, len(self.cloud.puts()))

    def test_up_refused_for_another_reason_says_nova_s_words(self):
        hosts = self.fenced()
        self.cloud.refuse_unset = True
        self.cloud.evacuated = False
        error = self.assertRaises(
            exceptions.Conflict, hosts.up, 'compute1', timeout=30
        )
        self.assertIn('Unable to force up host compute1', str(error))
        self.assertNotIn('were evacuated', str(error))

    def test_up_on_a_prefix_touches_only_the_exact_host(self):
        hosts = self.fenced()
        self.cloud.compute('compute10').update(
            forced_down=True,
            status='disabled',
            disabled_reason='hostctl host-down x',
        )
        hosts.up('compute1', timeout=30)
        self.assertTrue(self.cloud.compute('compute10')['forced_down'])
        error = self.assertRaises(exceptions.NotFound, hosts.up, 'compute')
        self.assertIn('hosts: compute1, compute10, controller', str(error))
