"""The preflight: each refusal, and which servers are skipped and why."""

import testtools

from hostctl import exceptions
from hostctl.moves import plan
from hostctl.v2_1.servers import Server
from hostctl.v2_1.services import Service


def compute(host, state='up', status='enabled', forced=False, reason=None):
    return Service(
        binary='nova-compute',
        host=host,
        state=state,
        status=status,
        forced_down=forced,
        disabled_reason=reason,
    )


def vm(n, status='ACTIVE', task=None):
    return Server(id=f'id-{n}', name=f'vm-{n}', status=status, task_state=task)


DOWN1 = compute('compute1', 'down', forced=True)
UP2 = compute('compute2')
UP10 = compute('compute10')


class EvacuationPlanTest(testtools.TestCase):
    def refusal(self, computes, **kwargs):
        error = self.assertRaises(
            plan.Refused, plan.evacuation, 'compute1', computes, [], **kwargs
        )
        self.assertEqual(exceptions.ExitCode.CONFLICT, error.exit_code)
        return str(error)

    def test_compute_still_up_is_refused(self):
        message = self.refusal([compute('compute1'), UP2])
        self.assertEqual(
            'nova-compute on compute1 is still up: evacuating a host that '
            'still runs its servers risks two copies of each. Make sure the '
            'host is fenced or off, then run host-down compute1 first',
            message,
        )

    def test_not_reporting_counts_as_down(self):
        found = plan.evacuation(
            'compute1', [compute('compute1', 'down'), UP2], [vm(1)]
        )
        self.assertIn('is down (not reporting)', found.verdict)

    def test_no_other_usable_compute_is_refused(self):
        message = self.refusal(
            [
                DOWN1,
                compute('compute2', status='disabled'),
                compute('compute10', 'down'),
            ],
            max_down=100,
        )
        self.assertIn(
            'no compute other than compute1 is enabled and up', message
        )

    def test_target_must_be_enabled_and_up(self):
        message = self.refusal(
            [DOWN1, UP2, compute('compute10', status='disabled', reason='x')],
            target='compute10',
        )
        self.assertIn(
            '--target-host compute10 cannot take the servers: its '
            'nova-compute is disabled (x)',
            message,
        )
        message = self.refusal([DOWN1, UP2], target='compute3')
        self.assertIn('compute3 has no nova-compute service', message)
        self.assertRaises(
            exceptions.UsageError,
            plan.evacuation,
            'compute1',
            [DOWN1, UP2],
            [],
            target='compute1',
        )

    def test_too_many_down_is_refused(self):
        computes = [DOWN1, compute('compute10', 'down'), UP2]
        message = self.refusal(computes)
        self.assertIn(
            '2 of 3 compute services are down (67%, more than --max-down 50%)',
            message,
        )
        self.assertIn('rerun with --ignore-max-down', message)
        # Exactly half is not more than half.
        plan.evacuation('compute1', [DOWN1, UP2], [])
        # A higher limit lets it through, with nothing to say.
        found = plan.evacuation('compute1', computes, [], max_down=70)
        self.assertEqual((), found.notes)

    def test_override_goes_ahead_and_says_so(self):
        computes = [DOWN1, compute('compute10', 'down'), UP2]
        found = plan.evacuation('compute1', computes, [], override=True)
        self.assertEqual(
            (
                '2 of 3 compute services are down (67%, more than '
                '--max-down 50%); going ahead because --ignore-max-down '
                'was given',
            ),
            found.notes,
        )

    def test_rows_for_every_server_skipped_with_why(self):
        found = plan.evacuation(
            'compute1',
            [DOWN1, UP2, UP10],
            [
                vm(1),
                vm(2, 'SHUTOFF'),
                vm(3, 'ERROR'),
                vm(4, 'PAUSED'),
                vm(5, 'ACTIVE', 'rebooting'),
            ],
            target='compute2',
        )
        self.assertEqual(
            [
                ('evacuate', None, None),
                ('evacuate', None, None),
                ('evacuate', None, None),
                (
                    None,
                    'skipped',
                    'Nova evacuates only ACTIVE, SHUTOFF or ERROR servers; '
                    'this one is PAUSED',
                ),
                (
                    None,
                    'skipped',
                    'busy: task state rebooting; Nova accepts a move only '
                    'when the server has no task under way',
                ),
            ],
            [(m.kind, m.result, m.message) for m in found.moves],
        )
        self.assertEqual({'compute2'}, {m.target for m in found.moves})
        self.assertEqual(
            'preflight passed: nova-compute on compute1 is down (forced '
            'down); target compute2 is enabled and up; 1 of 3 compute '
            'services are down (33%, --max-down 50%)',
            found.verdict,
        )


class DrainPlanTest(testtools.TestCase):
    def test_down_host_is_refused(self):
        error = self.assertRaises(
            plan.Refused, plan.drain, 'compute1', [DOWN1, UP2], []
        )
        self.assertIn('run host-evacuate compute1', str(error))

    def test_live_with_stopped_servers_cold(self):
        found = plan.drain(
            'compute2',
            [DOWN1, UP2, UP10],
            [vm(1), vm(2, 'SHUTOFF'), vm(3, 'PAUSED'), vm(4, 'SUSPENDED')],
        )
        self.assertTrue(found.disable)
        self.assertEqual(
            [
                ('live', None),
                (
                    'cold',
                    'stopped (SHUTOFF): cold-migrated, as a stopped server '
                    'cannot be live-migrated',
                ),
                ('live', None),
                (
                    None,
                    'Nova migrates only ACTIVE, PAUSED or SHUTOFF servers; '
                    'this one is SUSPENDED',
                ),
            ],
            [(m.kind, m.said) for m in found.moves],
        )
        self.assertIn(
            '1 other compute(s) enabled and up (compute10)', found.verdict
        )

    def test_cold(self):
        found = plan.drain(
            'compute2',
            [UP2, UP10],
            [vm(1), vm(2, 'SHUTOFF'), vm(3, 'PAUSED')],
            cold=True,
        )
        self.assertEqual(['cold', 'cold', None], [m.kind for m in found.moves])
        self.assertIn('is PAUSED', found.moves[2].message)

    def test_already_disabled_is_left_alone(self):
        found = plan.drain(
            'compute2',
            [compute('compute2', status='disabled', reason='disk swap'), UP10],
            [],
        )
        self.assertFalse(found.disable)
        self.assertEqual(
            (
                'nova-compute on compute2 is already disabled (disk swap); '
                'left as it is',
            ),
            found.notes,
        )
