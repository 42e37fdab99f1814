"""host-evacuate and host-drain, in-process: what a user sees and what is
sent, in order."""

import json
import os
import signal
import threading

import fixtures

from hostctl.exceptions import ExitCode
from hostctl.moves import follow
from tests.unit import cli
from tests.unit import movingcloud
from tests.unit.movingcloud import SERVER_ID, compute_service, server

HEADERS = [
    'ID',
    'Name',
    'Project',
    'From',
    'To',
    'Result',
    'Message',
    'Seconds',
]


class MoveCommandTest(cli.TestCase):
    def setUp(self):
        super().setUp()
        self.useFixture(fixtures.MockPatchObject(follow, 'POLL_INTERVAL', 0))

    def cloud(self, servers=None, services=None, **kwargs):
        self.nova = self.useFixture(
            movingcloud.MovingCloud(
                servers
                or [
                    server(1),
                    server(2, status='SHUTOFF', project='p2'),
                    server(3, status='PAUSED'),
                    # compute10's: compute1 is a prefix of its name.
                    server(10, host='compute10'),
                ],
                services=services,
                **kwargs,
            )
        )
        return self.nova

    def hostctl(self, *argv, version=()):
        return cli.run_cli([*cli.TOKEN_ARGS, *version, *argv])

    def posts(self):
        return [s for s in self.nova.sent() if s[0] != 'GET']

    def assertRefused(self, result, code, text):
        rc, out, err = result
        self.assertEqual(code, rc, err)
        self.assertEqual('', out)
        self.assertEqual(1, len(err.splitlines()), err)
        self.assertIn(text, err)
        self.assertEqual([], self.posts())

    # host-evacuate ------------------------------------------------------

    def test_compute_still_up_is_refused_before_any_change(self):
        self.cloud(services=[compute_service(1, 'compute1')])
        self.assertRefused(
            self.hostctl('host-evacuate', 'compute1'),
            ExitCode.CONFLICT,
            'nova-compute on compute1 is still up: evacuating a host that '
            'still runs its servers risks two copies of each. Make sure the '
            'host is fenced or off, then run host-down compute1 first',
        )

    def test_evacuates_the_hosts_servers_only(self):
        self.cloud()
        rc, out, err = self.hostctl('host-evacuate', 'compute1', '-f', 'json')
        self.assertEqual(ExitCode.PARTIAL, rc, err)  # vm-3 is paused
        rows = json.loads(out)
        self.assertEqual(HEADERS, list(rows[0]))
        self.assertEqual(
            [
                ('vm-1', 'p1', 'compute1', None, 'accepted'),
                ('vm-2', 'p2', 'compute1', None, 'accepted'),
                ('vm-3', 'p1', 'compute1', None, 'skipped'),
            ],
            [
                (r['Name'], r['Project'], r['From'], r['To'], r['Result'])
                for r in rows
            ],
        )
        self.assertEqual(
            'Nova evacuates only ACTIVE, SHUTOFF or ERROR servers; this one '
            'is PAUSED',
            rows[2]['Message'],
        )
        # compute10's server is not touched: one evacuation per server of
        # compute1, and nothing else changed.
        self.assertEqual(
            sorted((SERVER_ID.format(n), {'evacuate': {}}) for n in (1, 2)),
            sorted(self.nova.actions()),
        )
        self.assertEqual(2, len(self.posts()))
        self.assertEqual('compute10', self.nova.host_of(10))
        self.assertIn(
            'hostctl: preflight passed: nova-compute on compute1 is down '
            '(forced down); 2 other compute(s) enabled and up (compute10, '
            'compute2); 1 of 3 compute services are down (33%, --max-down '
            '50%)\n',
            err,
        )
        self.assertIn(
            'hostctl: compute1: 3 server(s): 2 accepted, 1 skipped\n', err
        )

    def test_wait_every_row_evacuated(self):
        self.cloud([server(1), server(2, status='SHUTOFF')])
        rc, out, err = self.hostctl(
            'host-evacuate', 'compute1', '--wait', '-f', 'json'
        )
        self.assertEqual((ExitCode.OK, 2), (rc, len(err.splitlines())), err)
        self.assertIn('hostctl: compute1: 2 server(s): 2 evacuated\n', err)
        rows = json.loads(out)
        self.assertEqual(
            [('evacuated', 'compute2')] * 2,
            [(r['Result'], r['To']) for r in rows],
        )
        self.assertTrue(
            rows[0]['Message'].startswith(
                'SHUTOFF on compute2; migration done; stopped on arrival'
            ),
            rows[0]['Message'],
        )
        self.assertIsInstance(rows[0]['Seconds'], float)

    def test_wait_seconds_is_one_deadline(self):
        self.cloud([server(1), server(2)], steps=10**6)
        rc, out, err = self.hostctl(
            'host-evacuate', 'compute1', '--timeout', '0.2', '-f', 'json'
        )
        self.assertEqual(ExitCode.PARTIAL, rc, err)
        for row in json.loads(out):
            self.assertEqual('accepted', row['Result'])
            self.assertTrue(
                row['Message'].startswith(
                    'still moving when the deadline passed: REBUILD'
                )
                or row['Message'].startswith(
                    'still moving when the deadline passed: ACTIVE'
                ),
                row['Message'],
            )
        rc, _, err = self.hostctl('host-evacuate', '--timeout', 'compute1')
        self.assertEqual(ExitCode.USAGE, rc)
        self.assertIn('argument --timeout: invalid', err)

    def test_dry_run_changes_nothing(self):
        self.cloud()
        rc, out, err = self.hostctl(
            'host-evacuate',
            'compute1',
            '--dry-run',
            '--target-host',
            'compute10',
            '-f',
            'json',
        )
        self.assertEqual(ExitCode.PARTIAL, rc)
        self.assertEqual(
            [
                ('would evacuate', 'compute10'),
                ('would evacuate', 'compute10'),
                ('skipped', 'compute10'),
            ],
            [(r['Result'], r['To']) for r in json.loads(out)],
        )
        self.assertEqual([], self.posts())
        self.assertIn('target compute10 is enabled and up', err)

    def test_target_host_is_exact_and_must_be_usable(self):
        self.cloud(
            services=[
                compute_service(1, 'compute1', 'down', forced=True),
                compute_service(2, 'compute2'),
                compute_service(3, 'compute10', status='disabled'),
            ]
        )
        self.assertRefused(
            self.hostctl(
                'host-evacuate', 'compute1', '--target-host', 'compute10'
            ),
            ExitCode.CONFLICT,
            '--target-host compute10 cannot take the servers: its '
            'nova-compute is disabled',
        )
        self.assertRefused(
            self.hostctl(
                'host-evacuate', 'compute1', '--target-host', 'compute9'
            ),
            ExitCode.NOT_FOUND,
            'compute9',
        )

    def test_too_many_down_and_the_override(self):
        self.cloud([server(1)])
        self.assertRefused(
            self.hostctl('host-evacuate', 'compute1', '--max-down', '20'),
            ExitCode.CONFLICT,
            '1 of 3 compute services are down (33%, more than --max-down 20%)',
        )
        rc, out, err = self.hostctl(
            'host-evacuate',
            'compute1',
            '--max-down',
            '20',
            '--ignore-max-down',
            '-f',
            'value',
            '-c',
            'Result',
        )
        self.assertEqual((ExitCode.OK, 'accepted\n'), (rc, out), err)
        self.assertIn(
            'hostctl: 1 of 3 compute services are down (33%, more than '
            '--max-down 20%); going ahead because --ignore-max-down was '
            'given\n',
            err,
        )

    def test_host_names_are_exact(self):
        self.cloud()
        self.assertRefused(
            self.hostctl('host-evacuate', ''),
            ExitCode.USAGE,
            "an empty name ('')",
        )
        self.assertRefused(
            self.hostctl('host-evacuate', 'compute'),
            ExitCode.NOT_FOUND,
            'compute',
        )

    def test_one_refusal_is_one_row(self):
        self.cloud([server(1), server(2)])
        self.nova.refuse[SERVER_ID.format(1)] = (
            409,
            "Cannot 'evacuate' instance while it is locked",
        )
        rc, out, err = self.hostctl('host-evacuate', 'compute1', '-f', 'json')
        self.assertEqual(ExitCode.PARTIAL, rc)
        rows = json.loads(out)
        self.assertEqual(
            [
                ('failed', "Cannot 'evacuate' instance while it is locked"),
                (
                    'accepted',
                    'will arrive stopped (SHUTOFF), as Nova '
                    'evacuates from 2.95',
                ),
            ],
            [(r['Result'], r['Message']) for r in rows],
        )

    def test_before_2_14_on_shared_storage(self):
        self.cloud([server(1)])
        rc, _, err = self.hostctl(
            'host-evacuate',
            'compute1',
            '--on-shared-storage',
            version=['--os-compute-api-version', '2.13'],
        )
        self.assertEqual(ExitCode.OK, rc, err)
        self.assertEqual(
            [(SERVER_ID.format(1), {'evacuate': {'onSharedStorage': True}})],
            self.nova.actions(),
        )

    def test_ctrl_c_stops_sending_and_shows_what_was_sent(self):
        self.cloud([server(n) for n in range(1, 6)])
        original, count = self.nova._action, []

        def interrupt_on_the_second(request, context):
            answer = original(request, context)
            count.append(1)
            if len(count) == 2:
                # A real SIGINT, as a terminal sends on Ctrl-C; the pause
                # lets the main thread take it before this request ends.
                os.kill(os.getpid(), signal.SIGINT)
                threading.Event().wait(0.3)  # (time.sleep is mocked here)
            return answer

        self.nova.compute.mock.post(
            movingcloud.re.compile('.*/action$'), json=interrupt_on_the_second
        )
        rc, out, err = self.hostctl(
            'host-evacuate',
            'compute1',
            '--concurrency',
            '1',
            '-f',
            'value',
            '-c',
            'Result',
        )
        self.assertEqual(ExitCode.PARTIAL, rc)
        results = out.split()
        self.assertEqual(5, len(results))
        self.assertEqual(['accepted', 'accepted'], results[:2])
        self.assertEqual({'skipped'}, set(results[2:]))
        self.assertEqual(2, len(self.posts()))
        self.assertIn('interrupted (Ctrl-C) after 2 request(s) were sent', err)

    # host-drain ---------------------------------------------------------

    def drain_cloud(self):
        return self.cloud(
            [
                server(1, host='compute2'),
                server(2, host='compute2', status='SHUTOFF'),
            ],
            services=[
                compute_service(1, 'compute1'),
                compute_service(2, 'compute2'),
                compute_service(3, 'compute10'),
            ],
        )

    def test_drain_disables_first_then_migrates(self):
        self.drain_cloud()
        self.nova.scheduler_picks = 'compute1'
        rc, out, err = self.hostctl(
            'host-drain', 'compute2', '--wait', '-f', 'json'
        )
        self.assertEqual(ExitCode.OK, rc, err)
        changes = self.posts()
        self.assertEqual('PUT', changes[0][0])
        # Two moves, then the cold one's confirmation, in that order.
        self.assertEqual(['POST'] * 3, [c[0] for c in changes[1:]])
        self.assertEqual(
            (SERVER_ID.format(2), {'confirmResize': None}),
            self.nova.actions()[-1],
        )
        rows = json.loads(out)
        self.assertEqual(
            [('migrated', 'compute1')] * 2,
            [(r['Result'], r['To']) for r in rows],
        )
        self.assertIn('cold-migrated', rows[1]['Message'])

    def test_drain_dry_run_changes_nothing_and_says_what_it_would(self):
        self.drain_cloud()
        rc, out, err = self.hostctl(
            'host-drain',
            'compute2',
            '--dry-run',
            '-f',
            'value',
            '-c',
            'Result',
            '-c',
            'Message',
        )
        self.assertEqual(ExitCode.OK, rc, err)
        self.assertEqual(
            [
                'would migrate ',  # value format: the empty Message
                'would migrate stopped (SHUTOFF): cold-migrated, as a '
                'stopped server cannot be live-migrated',
            ],
            out.splitlines(),
        )
        self.assertIn(
            'compute2: 2 server(s): 2 would migrate; would disable '
            'nova-compute on compute2 first',
            err,
        )
        self.assertEqual([], self.posts())

    def test_drain_dry_run_of_an_empty_host_still_says_it_would_disable(self):
        self.cloud(
            [],
            services=[
                compute_service(1, 'compute1'),
                compute_service(2, 'compute2'),
            ],
        )
        rc, out, err = self.hostctl('host-drain', 'compute2', '--dry-run')
        self.assertEqual(ExitCode.OK, rc, err)
        self.assertIn(
            'compute2: 0 server(s): none; would disable nova-compute on '
            'compute2 first',
            err,
        )
        self.assertEqual([], self.posts())

    def test_drain_of_a_down_host_is_refused(self):
        self.cloud([server(1)])
        self.assertRefused(
            self.hostctl('host-drain', 'compute1'),
            ExitCode.CONFLICT,
            'nova-compute on compute1 is down: migrating needs the host '
            'running. For a failed host, run host-evacuate compute1',
        )

    def test_drain_cold_to_a_host_needs_2_56_before_any_change(self):
        self.drain_cloud()
        self.assertRefused(
            self.hostctl(
                'host-drain',
                'compute2',
                '--cold',
                '--target-host',
                'compute1',
                version=['--os-compute-api-version', '2.55'],
            ),
            ExitCode.UNSUPPORTED,
            'cold migration to a chosen host needs compute API version 2.56',
        )


class MigrationListHostTest(cli.TestCase):
    def test_host_is_named_exactly_first(self):
        nova = self.useFixture(movingcloud.MovingCloud([server(1)]))
        rc, out, err = cli.run_cli(
            [*cli.TOKEN_ARGS, 'migration-list', '--host', 'compute']
        )
        self.assertEqual(ExitCode.NOT_FOUND, rc, err)
        self.assertEqual('', out)
        self.assertNotIn(
            'os-migrations', ' '.join(path for _, path in nova.sent())
        )
        rc, out, err = cli.run_cli(
            [*cli.TOKEN_ARGS, 'migration-list', '--host', 'compute10']
            + ['-f', 'json']
        )
        self.assertEqual((ExitCode.OK, '', []), (rc, err, json.loads(out)))
        self.assertEqual(
            '/v2.1/os-migrations?host=compute10', nova.sent()[-1][1]
        )
