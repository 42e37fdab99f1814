"""Each output format of a check."""

from __future__ import annotations

import json

import testtools
from prometheus_client import parser

from hostctl import exceptions
from hostctl.health import jsonout
from hostctl.health import nagios
from hostctl.health import prometheus
from hostctl.health import summary
from hostctl.health import thresholds
from tests.unit.health import facts as f
from tests.unit.health.test_thresholds import forced_down_compute2


def render(module, facts, warning=(), critical=()):
    limits = thresholds.build(warning, critical, facts.parts)
    return module.render(facts, thresholds.judge(facts, limits), limits)


def samples(text):
    """{(metric name, frozen labels): value} from the exposition text."""
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in parser.text_string_to_metric_families(text)
        for s in family.samples
    }


class NagiosTest(testtools.TestCase):
    def test_status_line_and_performance_data(self):
        out = render(nagios, forced_down_compute2())
        self.assertEqual(1, len(out.splitlines()))
        line, perf = out.rstrip('\n').split(' | ')
        self.assertEqual(
            'CRITICAL - compute2 down: forced down (3 servers DOWN); '
            'compute3 maintenance: disabled (disk replacement)',
            line,
        )
        self.assertEqual(
            'services_up=3;;;0 services_down=0;;0;0 '
            'services_forced_down=1;;0;0 services_disabled=1;0;;0 '
            'hypervisors_up=2;;;0 hypervisors_down=1;;0;0 '
            'hypervisors_disabled=1;;;0 servers_host_up=1;;;0 '
            'servers_host_unknown=0;;0;0 servers_host_down=3;;0;0 '
            'servers_host_maintenance=1;;;0 servers_no_host=0;;;0 '
            'servers_total=5;;;0 time=0.250s;;;0',
            perf,
        )

    def test_given_ranges_appear_as_written(self):
        out = render(
            nagios,
            f.healthy(),
            warning=['services_up=@10:20'],
            critical=['services_up=~:30'],
        )
        self.assertIn(' services_up=4;@10:20;~:30;0 ', out)

    def test_a_bar_in_a_reason_does_not_start_performance_data(self):
        facts = f.healthy(
            services=[
                f.service('c1', status='disabled', disabled_reason='a | b\nc')
            ]
        )
        out = render(nagios, facts)
        self.assertTrue(
            out.startswith(
                'WARNING - c1 maintenance: disabled (a / b c) | services_up=1;'
            ),
            out,
        )
        self.assertEqual(1, out.count('|'))

    def test_unknown_names_the_part(self):
        facts = f.healthy(
            services=None,
            hypervisors=None,
            servers=None,
            errors=dict.fromkeys(
                ('services', 'hypervisors', 'servers'),
                exceptions.ServerError('cannot reach http://x (refused)'),
            ),
        )
        self.assertEqual(
            'UNKNOWN - cannot reach http://x (refused) | time=0.250s;;;0\n',
            render(nagios, facts),
        )


class PrometheusTest(testtools.TestCase):
    def test_parses_and_carries_each_service_state(self):
        found = samples(render(prometheus, forced_down_compute2()))

        def service(metric, host):
            return found[
                (
                    f'hostctl_compute_service_{metric}',
                    frozenset(
                        {
                            'host': host,
                            'binary': 'nova-compute',
                            'zone': 'nova',
                        }.items()
                    ),
                )
            ]

        self.assertEqual(
            [(0.0, 1.0, 0.0), (1.0, 0.0, 1.0), (1.0, 0.0, 0.0)],
            [
                (
                    service('up', h),
                    service('forced_down', h),
                    service('disabled', h),
                )
                for h in ('compute2', 'compute3', 'compute1')
            ],
        )
        self.assertEqual(
            0.0,
            found[
                (
                    'hostctl_hypervisor_up',
                    frozenset(
                        {'hypervisor': 'compute2', 'host': 'compute2'}.items()
                    ),
                )
            ],
        )
        self.assertEqual(
            3.0,
            found[
                (
                    'hostctl_servers',
                    frozenset(
                        {'host': 'compute2', 'host_status': 'DOWN'}.items()
                    ),
                )
            ],
        )
        self.assertEqual(1.0, found[('hostctl_check_success', frozenset())])
        self.assertEqual(
            0.25, found[('hostctl_check_duration_seconds', frozenset())]
        )

    def test_probes_pings_and_a_failed_part(self):
        facts = summary.Facts(
            fping=[f.probe('cache-1', False)],
            pings=[
                f.ping('db-silent', False),
                f.ping('db-x', None, 'HTTP 500'),
            ],
            parts=('fping', 'rpc-ping', 'services'),
            errors={'services': exceptions.ServerError('down')},
        )
        found = samples(render(prometheus, facts))
        self.assertEqual(
            0.0,
            found[
                (
                    'hostctl_server_alive',
                    frozenset(
                        {
                            'id': 'id-cache-1',
                            'name': 'cache-1',
                            'project': 'p1',
                        }.items()
                    ),
                )
            ],
        )
        guests = {
            k: v for k, v in found.items() if k[0] == 'hostctl_guest_alive'
        }
        # The guest that could not be checked is left out, not called dead.
        self.assertEqual(
            {
                (
                    'hostctl_guest_alive',
                    frozenset(
                        {'id': 'id-db-silent', 'name': 'db-silent'}.items()
                    ),
                ): 0.0
            },
            guests,
        )
        self.assertEqual(0.0, found[('hostctl_check_success', frozenset())])
        self.assertEqual(
            [0.0, 1.0, 1.0],
            [
                found[
                    (
                        'hostctl_check_part_success',
                        frozenset({'part': p}.items()),
                    )
                ]
                for p in ('services', 'fping', 'rpc-ping')
            ],
        )
        self.assertFalse(
            [k for k in found if k[0].startswith('hostctl_compute_service')]
        )


class JsonTest(testtools.TestCase):
    def test_the_whole_result(self):
        result = json.loads(render(jsonout, forced_down_compute2()))
        self.assertEqual('CRITICAL', result['status'])
        self.assertEqual(1, result['figures']['services_forced_down'])
        self.assertEqual('CRITICAL', result['states']['services_forced_down'])
        self.assertEqual(
            '0', result['thresholds']['critical']['services_down']
        )
        self.assertIn(
            {
                'kind': 'host',
                'subject': 'compute3',
                'what': 'maintenance: disabled (disk replacement)',
                'metrics': ['services_disabled'],
                'state': 'WARNING',
            },
            result['problems'],
        )
        self.assertEqual(
            {
                'host': 'compute2',
                'binary': 'nova-compute',
                'zone': 'nova',
                'state': 'down',
                'status': 'enabled',
                'forced_down': True,
                'disabled_reason': None,
                'updated_at': '2026-12-01T05:00:00.000000',
            },
            result['services'][2],
        )
        self.assertEqual(5, len(result['servers']))
        self.assertNotIn('fping', result)
        self.assertEqual({}, result['errors'])

    def test_errors_carry_their_exit_code(self):
        facts = f.healthy(
            servers=None, errors={'servers': exceptions.AuthError('policy')}
        )
        result = json.loads(render(jsonout, facts))
        self.assertEqual(
            {'servers': {'message': 'policy', 'exit_code': 5}},
            result['errors'],
        )
        self.assertEqual('UNKNOWN', result['status'])
