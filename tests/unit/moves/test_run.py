"""Acting and waiting: the requests sent, their order, and the rows."""

import _thread
import threading
import time

import fixtures
import testtools

from hostctl import exceptions
from hostctl.moves import act
from hostctl.moves import follow
from hostctl.moves import plan as planning
from hostctl.moves import run
from hostctl.v2_1 import fencing
from hostctl.v2_1.servers import Server
from hostctl.v2_1.services import Service
from tests.unit import movingcloud
from tests.unit.movingcloud import SERVER_ID, server
from tests.unit.v2_1.test_client import make_client

OK = exceptions.ExitCode.OK
PARTIAL = exceptions.ExitCode.PARTIAL


class MoveTestCase(testtools.TestCase):
    def setUp(self):
        super().setUp()
        self.useFixture(fixtures.MockPatchObject(follow, 'POLL_INTERVAL', 0))

    def cloud(self, servers, pinned=None, **kwargs):
        self.nova = self.useFixture(movingcloud.MovingCloud(servers, **kwargs))
        self.client = make_client(pinned)
        return self.nova

    def computes(self):
        return self.client.services.list(binary='nova-compute')

    def evacuation(self, target=None):
        servers = [Server.from_json(s) for s in self.nova.initial]
        return planning.evacuation(
            'compute1', self.computes(), servers, target=target
        )

    def rows(self, outcome):
        return [(m.name, m.result, m.target) for m in outcome.moves]


class EvacuateTest(MoveTestCase):
    def test_without_wait_one_post_per_server(self):
        self.cloud([server(1), server(2, status='SHUTOFF')])
        outcome = run.evacuate(
            self.client,
            self.evacuation('compute2'),
            wait=None,
            concurrency=10,
        )
        self.assertEqual(
            [
                ('vm-1', 'accepted', 'compute2'),
                ('vm-2', 'accepted', 'compute2'),
            ],
            self.rows(outcome),
        )
        self.assertEqual(
            [
                (SERVER_ID.format(1), {'evacuate': {'host': 'compute2'}}),
                (SERVER_ID.format(2), {'evacuate': {'host': 'compute2'}}),
            ],
            sorted(self.nova.actions()),
        )
        self.assertEqual(OK, run.exit_code(outcome))
        self.assertIn('will arrive stopped', outcome.moves[0].message)

    def test_wait_polls_in_bulk_and_confirms_by_the_migration(self):
        self.cloud([server(n) for n in range(1, 6)], steps=3)
        plan = self.evacuation()
        outcome = run.evacuate(self.client, plan, wait=60, concurrency=10)
        self.assertEqual(
            [(f'vm-{n}', 'evacuated', 'compute2') for n in range(1, 6)],
            self.rows(outcome),
        )
        self.assertEqual(OK, run.exit_code(outcome))
        sent = self.nova.sent()
        self.assertEqual(
            ('GET', '/v2.1/os-services?binary=nova-compute'), sent[0]
        )
        self.assertEqual(['POST'] * 5, [s[0] for s in sent[1:6]])

        # Then one listing per round (3 rounds), never a GET per server:
        # first changed since the oldest 'updated' of the five, then since
        # the oldest change seen (the first evacuation's, by Nova's clock);
        # the migrations only once, in the round where the servers stopped
        # moving.
        def listing(since):
            return (
                'GET',
                '/v2.1/servers/detail?all_tenants=1&changes-since='
                + since.replace(':', '%3A'),
            )

        migrations = (
            'GET',
            '/v2.1/os-migrations?host=compute1&migration_type=evacuation',
        )
        self.assertEqual(
            [
                listing('2026-12-01T04:01:00Z'),
                listing('2026-12-01T05:00:01Z'),
                listing('2026-12-01T05:00:01Z'),
                migrations,
            ],
            sent[6:],
        )
        self.assertEqual(
            'SHUTOFF on compute2; migration done; stopped on arrival, as '
            'evacuation is from compute API 2.95: start it (or pin '
            '--os-compute-api-version 2.94)',
            outcome.moves[0].message,
        )

    def test_a_listing_behind_the_migration_record_is_waited_out(self):
        # The server's row (still on compute1, no task) was read before
        # its migration record (done): not a failure, not yet arrived.
        self.cloud([server(1), server(2)])
        self.nova.lagging.add(SERVER_ID.format(1))
        outcome = run.evacuate(
            self.client,
            self.evacuation(),
            wait=60,
            concurrency=2,
        )
        self.assertEqual(
            [
                ('vm-1', 'evacuated', 'compute2'),
                ('vm-2', 'evacuated', 'compute2'),
            ],
            self.rows(outcome),
        )

    def test_pinned_2_94_keeps_the_state(self):
        self.cloud([server(1)], pinned='2.94')
        outcome = run.evacuate(
            self.client,
            self.evacuation(),
            wait=60,
            concurrency=1,
        )
        self.assertEqual('evacuated', outcome.moves[0].result)
        self.assertEqual(
            'ACTIVE on compute2; migration done', outcome.moves[0].message
        )

    def test_one_refusal_does_not_stop_the_others(self):
        self.cloud([server(1), server(2), server(3, status='PAUSED')])
        message = "Cannot 'evacuate' instance while it is locked"
        self.nova.refuse[SERVER_ID.format(1)] = (409, message)
        self.nova.fail[SERVER_ID.format(2)] = 'No valid host was found.'
        outcome = run.evacuate(
            self.client,
            self.evacuation(),
            wait=60,
            concurrency=1,
        )
        self.assertEqual(
            [
                ('failed', message),
                (
                    'failed',
                    'ERROR: No valid host was found. (migration error)',
                ),
                (
                    'skipped',
                    'Nova evacuates only ACTIVE, SHUTOFF or ERROR servers; '
                    'this one is PAUSED',
                ),
            ],
            [(m.result, m.message) for m in outcome.moves],
        )
        self.assertEqual(PARTIAL, run.exit_code(outcome))
        self.assertEqual(
            'compute1: 3 server(s): 2 failed, 1 skipped',
            run.summary(outcome),
        )

    def test_every_server_refused_alike_is_that_code(self):
        self.cloud([server(1), server(2)])
        for n in (1, 2):
            self.nova.refuse[SERVER_ID.format(n)] = (409, 'locked')
        outcome = run.evacuate(
            self.client,
            self.evacuation(),
            wait=None,
            concurrency=5,
        )
        self.assertEqual(exceptions.ExitCode.CONFLICT, run.exit_code(outcome))

    def test_deadline_for_the_whole_command(self):
        self.cloud([server(1), server(2)], steps=100)
        start = time.monotonic()
        outcome = run.evacuate(
            self.client,
            self.evacuation(),
            wait=0.001,
            concurrency=2,
        )
        self.assertLess(time.monotonic() - start, 5)
        self.assertEqual(
            ['accepted', 'accepted'], [m.result for m in outcome.moves]
        )
        self.assertEqual(
            'still moving when the deadline passed: ACTIVE, task rebuilding, '
            'on compute1; migration accepted',
            outcome.moves[0].message,
        )
        self.assertEqual(PARTIAL, run.exit_code(outcome))

    def test_a_failed_poll_keeps_the_rows(self):
        self.cloud([server(1), server(2)])
        plan = self.evacuation()
        self.nova.compute.mock.get(
            movingcloud.fakes.COMPUTE_URL + '/servers/detail',
            status_code=500,
            json={'computeFault': {'message': 'DB down', 'code': 500}},
        )
        outcome = run.evacuate(self.client, plan, wait=60, concurrency=2)
        self.assertEqual(
            ['accepted', 'accepted'], [m.result for m in outcome.moves]
        )
        self.assertTrue(
            outcome.moves[0].message.startswith(
                'still moving when the cloud could not be asked (the '
                'compute API failed with HTTP 500: DB down'
            ),
            outcome.moves[0].message,
        )
        self.assertEqual(PARTIAL, run.exit_code(outcome))

    def test_dry_run_sends_nothing(self):
        self.cloud([server(1), server(2, status='SUSPENDED')])
        plan = self.evacuation()
        outcome = run.dry_run(plan)
        self.assertEqual(
            ['would evacuate', 'skipped'], [m.result for m in outcome.moves]
        )
        self.assertEqual([], self.nova.actions())
        self.assertEqual(PARTIAL, run.exit_code(outcome))


class DrainTest(MoveTestCase):
    def drain(self, cold=False, wait=True, target=None):
        services = [
            movingcloud.compute_service(1, 'compute1'),
            movingcloud.compute_service(2, 'compute2'),
        ]
        nova = self.cloud(
            [server(1), server(2, status='SHUTOFF'), server(3)],
            services=services,
        )
        servers = [Server.from_json(s) for s in nova.initial]
        plan = planning.drain(
            'compute1', self.computes(), servers, cold=cold, target=target
        )
        return run.drain(
            self.client, plan, wait=60 if wait else None, concurrency=10
        )

    def test_disables_first_then_live_and_cold(self):
        outcome = self.drain()
        sent = self.nova.sent()
        put = sent.index(
            ('PUT', '/v2.1/os-services/a1b2c3d4-0000-4000-8000-000000000101')
        )
        # Disabled first: nothing is moved before nothing new can land.
        self.assertLess(
            put, min(i for i, s in enumerate(sent) if s[0] == 'POST')
        )
        (body,) = [
            r.json()
            for r in self.nova.compute.mock.request_history
            if r.method == 'PUT'
        ]
        self.assertEqual('disabled', body['status'])
        self.assertRegex(
            body['disabled_reason'],
            r'^hostctl host-drain \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ: '
            'emptied for maintenance$',
        )
        # host-up knows the mark: it enables the host again.
        self.assertTrue(
            fencing.is_marked(Service(disabled_reason=body['disabled_reason']))
        )
        self.assertEqual(
            [
                ('vm-1', 'migrated', 'compute2'),
                ('vm-2', 'migrated', 'compute2'),
                ('vm-3', 'migrated', 'compute2'),
            ],
            self.rows(outcome),
        )
        actions = self.nova.actions()
        self.assertEqual(
            {
                'os-migrateLive': {'host': None, 'block_migration': 'auto'},
            },
            dict(actions)[SERVER_ID.format(1)],
        )
        self.assertEqual(
            [(SERVER_ID.format(2), {'confirmResize': None})],
            [a for a in actions if 'confirmResize' in a[1]],
        )
        self.assertEqual(
            'stopped (SHUTOFF): cold-migrated, as a stopped server cannot be '
            'live-migrated; SHUTOFF on compute2; migration confirmed',
            outcome.moves[1].said,
        )
        self.assertEqual(OK, run.exit_code(outcome))

    def test_cold_is_confirmed_even_without_wait(self):
        outcome = self.drain(cold=True, wait=False, target='compute2')
        self.assertEqual(['migrated'] * 3, [m.result for m in outcome.moves])
        confirms = [a for a in self.nova.actions() if 'confirmResize' in a[1]]
        self.assertEqual(3, len(confirms))
        self.assertEqual(
            {'migrate': {'host': 'compute2'}},
            self.nova.actions()[0][1],
        )
        self.assertEqual(OK, run.exit_code(outcome))


class SendTest(testtools.TestCase):
    def moves(self, n):
        return [
            planning.Move(Server(id=f'id-{i}'), 'compute1', kind='evacuate')
            for i in range(n)
        ]

    def test_concurrency_is_bounded(self):
        lock, now, most = threading.Lock(), [0], [0]

        def send(move):
            with lock:
                now[0] += 1
                most[0] = max(most[0], now[0])
            time.sleep(0.01)
            with lock:
                now[0] -= 1
            return move.but(result='accepted')

        done, interrupted = act.send_all(self.moves(20), send, 4)
        self.assertEqual(4, most[0])
        self.assertEqual(['accepted'] * 20, [m.result for m in done])
        self.assertFalse(interrupted)

    def test_ctrl_c_stops_new_requests(self):
        sent = []

        def send(move):
            sent.append(move.id)
            if move.id == 'id-1':
                _thread.interrupt_main()
                time.sleep(0.3)  # the main thread takes it meanwhile
            return move.but(result='accepted')

        done, interrupted = act.send_all(self.moves(6), send, 1)
        self.assertTrue(interrupted)
        self.assertEqual(['id-0', 'id-1'], sent)
        self.assertEqual(
            ['accepted', 'accepted'] + ['skipped'] * 4,
            [m.result for m in done],
        )
        self.assertEqual(act.NOT_SENT, done[2].message)

    def test_an_unexpected_error_is_not_swallowed(self):
        def send(move):
            raise ValueError('bug')

        self.assertRaises(ValueError, act.send_all, self.moves(1), send, 1)
