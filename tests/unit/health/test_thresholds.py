"""Figures, names and verdicts: what a check says about each state."""

from __future__ import annotations

import testtools

from hostctl import exceptions
from hostctl.health import summary
from hostctl.health import thresholds
from hostctl.health.thresholds import State
from tests.unit.health import facts as f


def judge(facts, warning=(), critical=()):
    limits = thresholds.build(warning, critical, facts.parts)
    return thresholds.judge(facts, limits)


def forced_down_compute2():
    return f.healthy(
        services=[
            f.service('controller', 'nova-scheduler'),
            f.service('compute1'),
            f.service('compute2', state='down', forced_down=True),
            f.service(
                'compute3',
                status='disabled',
                disabled_reason='disk replacement',
            ),
        ],
        hypervisors=[
            f.hypervisor('compute1'),
            f.hypervisor('compute2', state='down'),
            f.hypervisor('compute3', status='disabled'),
        ],
        servers=[
            f.server('web-1', 'compute1'),
            f.server('web-2', 'compute2', 'DOWN'),
            f.server('db-1', 'compute2', 'DOWN'),
            f.server('db-2', 'compute2', 'DOWN'),
            f.server('cache-1', 'compute3', 'MAINTENANCE'),
        ],
    )


class FiguresTest(testtools.TestCase):
    def test_all_well(self):
        self.assertEqual(
            {
                'services_up': 4,
                'services_down': 0,
                'services_forced_down': 0,
                'services_disabled': 0,
                'hypervisors_up': 3,
                'hypervisors_down': 0,
                'hypervisors_disabled': 0,
                'servers_host_up': 3,
                'servers_host_unknown': 0,
                'servers_host_down': 0,
                'servers_host_maintenance': 0,
                'servers_no_host': 1,
                'servers_total': 4,
            },
            summary.figures(f.healthy()),
        )

    def test_forced_down_counts_once_not_as_down(self):
        figures = summary.figures(forced_down_compute2())
        self.assertEqual(
            (3, 0, 1, 1),
            tuple(
                figures[n]
                for n in (
                    'services_up',
                    'services_down',
                    'services_forced_down',
                    'services_disabled',
                )
            ),
        )
        self.assertEqual(3, figures['servers_host_down'])
        self.assertEqual(1, figures['servers_host_maintenance'])

    def test_a_part_that_failed_has_no_figures(self):
        facts = f.healthy(
            errors={'servers': exceptions.ServerError('HTTP 500')},
            servers=None,
        )
        figures = summary.figures(facts)
        self.assertIn('services_up', figures)
        self.assertNotIn('servers_total', figures)

    def test_pings_and_probes(self):
        facts = summary.Facts(
            fping=[f.probe('web-1', True), f.probe('cache-1', False)],
            pings=[
                f.ping('db-answering', True),
                f.ping('db-silent', False, 'Timeout'),
                f.ping('db-failing', None, 'HTTP 500'),
            ],
            parts=('fping', 'rpc-ping'),
        )
        self.assertEqual(
            {
                'servers_alive': 1,
                'servers_not_alive': 1,
                'guests_alive': 1,
                'guests_not_alive': 1,
                'guests_unchecked': 1,
            },
            summary.figures(facts),
        )


class VerdictTest(testtools.TestCase):
    def test_all_well_is_ok(self):
        verdict = judge(f.healthy())
        self.assertEqual(State.OK, verdict.state)
        self.assertEqual(
            '4 services up; 3 hypervisors up; 3 servers on hosts UP',
            verdict.text,
        )

    def test_forced_down_is_critical_and_named_with_its_servers(self):
        verdict = judge(forced_down_compute2())
        self.assertEqual(State.CRITICAL, verdict.state)
        self.assertEqual(
            'compute2 down: forced down (3 servers DOWN); '
            'compute3 maintenance: disabled (disk replacement)',
            verdict.text,
        )

    def test_disabled_alone_is_a_warning(self):
        facts = f.healthy(
            services=[
                f.service('compute1'),
                f.service('compute3', status='disabled'),
            ]
        )
        verdict = judge(facts)
        self.assertEqual(State.WARNING, verdict.state)
        self.assertEqual(
            'compute3 maintenance: disabled (no reason given)', verdict.text
        )

    def test_heartbeat_lost_is_critical(self):
        facts = f.healthy(
            services=[
                f.service('compute1', state='down'),
                f.service('compute2'),
            ],
            hypervisors=[f.hypervisor('compute1', state='down')],
            servers=[f.server('web-1', 'compute1', 'UNKNOWN')],
        )
        verdict = judge(facts)
        self.assertEqual(State.CRITICAL, verdict.state)
        # The hypervisor is down because its service is: said once.
        self.assertRegex(
            verdict.text,
            r'^compute1 unknown: nova-compute has not reported for \d+ s '
            r'\(1 server UNKNOWN\)$',
        )

    def test_a_hypervisor_down_alone_is_named(self):
        facts = f.healthy(hypervisors=[f.hypervisor('compute9', 'down')])
        self.assertEqual(
            (State.CRITICAL, 'compute9 hypervisor down'),
            (judge(facts).state, judge(facts).text),
        )

    def test_other_binaries_are_named_with_their_host(self):
        facts = f.healthy(
            services=[
                f.service(
                    'ctl', 'nova-conductor', state='down', updated_at=None
                )
            ]
        )
        self.assertEqual('ctl nova-conductor not reporting', judge(facts).text)

    def test_threshold_turned_off_keeps_it_out_of_the_line(self):
        verdict = judge(
            forced_down_compute2(), warning=['services_disabled=~:']
        )
        self.assertEqual(State.CRITICAL, verdict.state)
        self.assertEqual(
            'compute2 down: forced down (3 servers DOWN)', verdict.text
        )

    def test_a_figure_without_names_says_its_value_and_range(self):
        verdict = judge(f.healthy(), critical=['services_up=5:'])
        self.assertEqual(State.CRITICAL, verdict.state)
        self.assertEqual(
            'services_up is 4 (outside critical range 5:)', verdict.text
        )

    def test_at_range_alerts_inside(self):
        verdict = judge(f.healthy(), warning=['servers_no_host=@1:'])
        self.assertEqual(State.WARNING, verdict.state)

    def test_critical_wins_over_warning_for_the_same_figure(self):
        facts = f.healthy(
            services=[
                f.service('c1', status='disabled'),
                f.service('c2', status='disabled'),
            ]
        )
        verdict = judge(facts, critical=['services_disabled=1'])
        self.assertEqual(State.CRITICAL, verdict.state)
        self.assertEqual(State.CRITICAL, verdict.states['services_disabled'])

    def test_a_part_that_failed_is_unknown_and_says_why(self):
        facts = f.healthy(
            servers=None,
            errors={'servers': exceptions.ServerError('cannot reach x')},
        )
        verdict = judge(facts)
        self.assertEqual(State.UNKNOWN, verdict.state)
        self.assertEqual('servers: cannot reach x', verdict.text)

    def test_what_was_seen_broken_outweighs_what_was_not_seen(self):
        facts = forced_down_compute2()
        facts.servers = None
        facts.errors = {'servers': exceptions.ServerError('HTTP 500')}
        verdict = judge(facts)
        self.assertEqual(State.CRITICAL, verdict.state)
        self.assertTrue(verdict.text.startswith('compute2 down: forced down'))
        self.assertTrue(verdict.text.endswith('; servers: HTTP 500'))

    def test_servers_and_guests_are_listed_a_few_at_a_time(self):
        facts = summary.Facts(
            fping=[f.probe(f'vm-{i}', False) for i in range(7)],
            pings=[f.ping('db-silent', False), f.ping('db-x', None)],
            parts=('fping', 'rpc-ping'),
        )
        verdict = judge(facts)
        self.assertEqual(State.CRITICAL, verdict.state)
        self.assertEqual(
            'servers not alive: vm-0, vm-1, vm-2, vm-3, vm-4 and 2 more; '
            'guests not answering RPC: db-silent; '
            'guests could not be checked: db-x',
            verdict.text,
        )

    def test_parts_failing_alike_are_named_together(self):
        facts = f.healthy(
            hypervisors=None,
            servers=None,
            errors={
                'hypervisors': exceptions.ServerError('HTTP 500'),
                'servers': exceptions.ServerError('HTTP 500'),
            },
        )
        verdict = judge(facts)
        self.assertEqual(State.UNKNOWN, verdict.state)
        self.assertEqual('hypervisors, servers: HTTP 500', verdict.text)

    def test_servers_in_maintenance_can_be_made_to_warn(self):
        verdict = judge(
            forced_down_compute2(), warning=['servers_host_maintenance=0']
        )
        self.assertIn(
            'compute3 maintenance: disabled (disk replacement) '
            '(1 server MAINTENANCE)',
            verdict.text,
        )


class BuildTest(testtools.TestCase):
    def test_defaults(self):
        limits = thresholds.build()
        self.assertEqual('0', str(limits.critical['services_forced_down']))
        self.assertEqual('0', str(limits.warning['services_disabled']))

    def test_given_replaces_the_default(self):
        limits = thresholds.build(critical=['services_forced_down=2'])
        self.assertEqual('2', str(limits.critical['services_forced_down']))

    def test_bad_items(self):
        for item, words in (
            ('services_up', 'give METRIC=RANGE'),
            ('=5', 'give METRIC=RANGE'),
            ('nope=1', "no metric 'nope'; metrics: services_up, "),
            ('services_up=x', "invalid range 'x'"),
            ('services_up=', "invalid range '': it is empty"),
        ):
            error = self.assertRaises(
                exceptions.UsageError, thresholds.build, [item]
            )
            self.assertIn(words, str(error))
            self.assertIn('--warning', str(error))

    def test_a_figure_of_a_part_not_run_is_refused(self):
        error = self.assertRaises(
            exceptions.UsageError,
            thresholds.build,
            (),
            ['servers_not_alive=3'],
            ('services',),
        )
        self.assertEqual(
            '--critical servers_not_alive: that metric is counted by '
            '--fping, which this check does not run',
            str(error),
        )


class ExitCodeTest(testtools.TestCase):
    def code(self, facts):
        return thresholds.exit_code(facts, judge(facts))

    def test_ok_and_warning_are_0_critical_is_3(self):
        self.assertEqual(0, self.code(f.healthy()))
        warning = f.healthy(services=[f.service('c3', status='disabled')])
        self.assertEqual(0, self.code(warning))
        self.assertEqual(3, self.code(forced_down_compute2()))

    def test_every_part_failing_alike_gives_that_code(self):
        error = exceptions.ServerError('down')
        facts = f.healthy(
            services=None,
            hypervisors=None,
            servers=None,
            errors=dict.fromkeys(
                ('services', 'hypervisors', 'servers'), error
            ),
        )
        self.assertEqual(7, self.code(facts))

    def test_some_parts_failing_is_partial(self):
        facts = forced_down_compute2()
        facts.servers = None
        facts.errors = {'servers': exceptions.AuthError('policy')}
        self.assertEqual(8, self.code(facts))
