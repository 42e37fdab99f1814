"""The watch loop: outages and their end, stopping, counts and deadlines."""

import collections
import os
import signal

import testtools

from hostctl import exceptions
from hostctl.commands.watch import TABLES
from hostctl.watch import engine
from hostctl.watch import poller
from tests.unit import fakes
from tests.unit.v2_1.test_client import make_client
from tests.unit.watch import fakenova


class EngineTest(testtools.TestCase):
    def setUp(self):
        super().setUp()
        compute = self.useFixture(fakes.ComputeFixture())
        self.nova = fakenova.FakeNova(compute.mock)
        self.events = []
        self.warnings = []
        self.delays = []
        # What the cloud does during the n-th sleep (from 1).
        self.script = {}
        self.now = 0.0

    def sleep(self, delay):
        self.delays.append(delay)
        self.now += delay
        self.nova.tick(delay)
        action = self.script.get(len(self.delays))
        if action:
            action()

    def engine(self, **kwargs):
        kwargs.setdefault('interval', 0.1)
        kwargs.setdefault('clock', lambda: self.now)
        loop = engine.Engine(
            poller.Poller(make_client(), TABLES),
            self.events.append,
            warn=self.warnings.append,
            **kwargs,
        )
        loop._stop.wait = self.sleep
        return loop

    def changes(self, events=None):
        """(kind, event, name, field, old, new) for every change of every
        event after the initial ones."""
        return [
            (e['kind'], e['event'], e['name'], field, c['old'], c['new'])
            for e in (self.events if events is None else events)
            if e['event'] != 'initial'
            for field, c in e['changes'].items()
        ]

    def test_outage_one_event_each_way_and_the_changes_once(self):
        def fail():
            self.nova.failing = 503
            self.nova.service('compute1').update(
                status='disabled', disabled_reason='disk'
            )

        def change_more():
            self.nova.service('compute2').update(
                forced_down=True, state='down'
            )

        def recover():
            self.nova.failing = None

        self.script = {1: fail, 2: change_more, 3: recover}
        self.engine(count=6).run()
        kinds = [(e['kind'], e['event']) for e in self.events]
        initial = kinds.count(('server', 'initial'))
        self.assertEqual(4, initial)
        after = self.events[8:]
        self.assertEqual(
            [
                ('cloud', 'unreachable', 'compute API', None, None, None),
                ('cloud', 'reachable', 'compute API', None, None, None),
            ],
            [
                (e['kind'], e['event'], e['name'], None, None, None)
                for e in after
                if e['kind'] == 'cloud'
            ],
        )
        self.assertIn('HTTP 503', after[0]['error'])
        self.assertEqual(1.5, after[1]['down_for'])  # 0.5 s + 1 s
        self.assertEqual(
            [
                (
                    'service',
                    'changed',
                    'nova-compute',
                    'Status',
                    'enabled',
                    'disabled',
                ),
                (
                    'service',
                    'changed',
                    'nova-compute',
                    'Disabled Reason',
                    None,
                    'disk',
                ),
                ('service', 'changed', 'nova-compute', 'State', 'up', 'down'),
                (
                    'service',
                    'changed',
                    'nova-compute',
                    'Forced Down',
                    False,
                    True,
                ),
                (
                    'hypervisor',
                    'changed',
                    'compute1',
                    'Status',
                    'enabled',
                    'disabled',
                ),
                ('hypervisor', 'changed', 'compute2', 'State', 'up', 'down'),
                (
                    'server',
                    'changed',
                    'compute1-vm1',
                    'Host Status',
                    'UP',
                    'MAINTENANCE',
                ),
                (
                    'server',
                    'changed',
                    'compute1-vm2',
                    'Host Status',
                    'UP',
                    'MAINTENANCE',
                ),
                (
                    'server',
                    'changed',
                    'compute2-vm1',
                    'Host Status',
                    'UP',
                    'DOWN',
                ),
                (
                    'server',
                    'changed',
                    'compute2-vm2',
                    'Host Status',
                    'UP',
                    'DOWN',
                ),
            ],
            self.changes(after[2:]),
        )
        self.assertEqual(['cloud', 'cloud'], [e['kind'] for e in after[:2]])
        # No change twice, none lost, and the backoff while it was out.
        counted = collections.Counter(self.changes())
        self.assertEqual({1}, set(counted.values()))
        self.assertEqual([0.1, 0.5, 1.0, 0.1, 0.1], self.delays)
        self.assertEqual(2, len(self.warnings), self.warnings)
        self.assertIn('HTTP 503', self.warnings[0])
        self.assertIn('answers again', self.warnings[1])

    def test_backoff_is_capped(self):
        self.nova.failing = 502
        self.engine(count=8).run()
        self.assertEqual([0.5, 1.0, 2.0, 4.0, 4.0, 4.0, 4.0], self.delays)
        self.assertEqual(1, len(self.events))  # one unreachable event
        self.assertEqual(1, len(self.warnings))

    def test_backoff_never_polls_faster_than_the_interval(self):
        self.nova.failing = 500
        self.engine(count=3, interval=10).run()
        self.assertEqual([10, 10], self.delays)

    def test_other_errors_end_the_watch(self):
        self.nova.failing = 403
        self.assertRaises(exceptions.AuthError, self.engine(count=3).run)

    def test_no_initial(self):
        self.script = {
            1: lambda: self.nova.update_server(
                'compute1-vm1', status='SHUTOFF'
            )
        }
        self.engine(count=2, initial=False).run()
        self.assertEqual(
            [
                (
                    'server',
                    'changed',
                    'compute1-vm1',
                    'Status',
                    'ACTIVE',
                    'SHUTOFF',
                )
            ],
            self.changes(),
        )
        self.assertEqual(1, len(self.events))

    def test_timeout_zero_polls_once(self):
        self.engine(timeout=0).run()
        self.assertEqual([], self.delays)
        self.assertEqual(8, len(self.events))

    def test_timeout_is_one_deadline(self):
        now = [0.0]

        def clock():
            return now[0]

        loop = self.engine(timeout=1.0, interval=0.4, clock=clock)

        def sleep(delay):
            self.delays.append(delay)
            now[0] += delay

        loop._stop.wait = sleep
        loop.run()
        self.assertEqual([0.4, 0.4, 0.2], [round(d, 3) for d in self.delays])

    def test_events_carry_utc_time(self):
        self.engine(count=1).run()
        self.assertRegex(
            self.events[0]['time'],
            r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$',
        )
        self.assertEqual('time', next(iter(self.events[0])))

    def test_stop_mid_poll_writes_whole_events_only(self):
        loop = self.engine(count=3)

        def emit(event):
            self.events.append(event)
            if len(self.events) == 3:
                loop.stop()

        loop._emit = emit
        loop.run()
        self.assertEqual(3, len(self.events))

    def test_sigterm_while_waiting_ends_cleanly(self):
        loop = self.engine(count=100)
        before = signal.getsignal(signal.SIGTERM)

        def sleep(delay):
            self.delays.append(delay)
            os.kill(os.getpid(), signal.SIGTERM)
            self.fail('the signal did not interrupt the wait')

        loop._stop.wait = sleep
        with loop.stopped_by_signals():
            loop.run()
        self.assertEqual(1, len(self.delays))
        self.assertEqual(8, len(self.events))
        self.assertEqual(before, signal.getsignal(signal.SIGTERM))

    def test_sigint_while_writing_finishes_the_line_then_stops(self):
        loop = self.engine(count=100)

        def emit(event):
            if not self.events:
                os.kill(os.getpid(), signal.SIGINT)
            self.events.append(event)

        loop._emit = emit
        with loop.stopped_by_signals():
            loop.run()
        self.assertEqual(1, len(self.events))
