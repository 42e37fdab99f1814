"""hostctl check in-process, on a requests-mock compute API."""

from __future__ import annotations

import json
import subprocess
import sys

import requests

from tests.unit import cli
from tests.unit import fakes
from tests.unit.v2_1.test_servers import server

HYPERVISORS = fakes.COMPUTE_URL + '/os-hypervisors/detail'
SERVERS = fakes.COMPUTE_URL + '/servers/detail'
DB_URL = 'http://database.example:8779/v1.0/p1'


def hypervisor(host, state='up', status='enabled'):
    return {
        'id': f'h-{host}',
        'hypervisor_hostname': host,
        'state': state,
        'status': status,
        'service': {'host': host, 'id': 1, 'disabled_reason': None},
    }


def healthy_services():
    return [
        dict(s, state='up', status='enabled', forced_down=False)
        for s in fakes.SERVICES
    ]


class CheckTest(cli.TestCase):
    def cloud(self, services=None, servers=None, hypervisors=None):
        self.compute = self.useFixture(
            fakes.ComputeFixture(
                services=healthy_services() if services is None else services
            )
        )
        self.compute.mock.get(
            HYPERVISORS,
            json={
                'hypervisors': hypervisors
                or [hypervisor('compute1'), hypervisor('compute2')]
            },
        )
        self.compute.mock.get(
            SERVERS,
            json={
                'servers': servers
                or [
                    server(1, 'web-1'),
                    server(2, 'web-2', **{'OS-EXT-SRV-ATTR:host': 'compute2'}),
                ]
            },
        )

    def check(self, *argv):
        return cli.run_cli(
            [*cli.TOKEN_ARGS, '--os-database-endpoint', DB_URL, 'check', *argv]
        )

    def test_all_well_is_ok_with_one_request_per_kind(self):
        self.cloud()
        rc, out, err = self.check()
        self.assertEqual((0, ''), (rc, err))
        self.assertTrue(
            out.startswith(
                'OK - 3 services up; 2 hypervisors up; 2 servers on hosts UP '
                '| services_up=3;;;0 '
            ),
            out,
        )
        self.assertEqual(
            [
                '/v2.1/os-hypervisors/detail',
                '/v2.1/os-services',
                '/v2.1/servers/detail',
            ],
            sorted(r.path for r in self.compute.api_requests()),
        )
        (listing,) = [
            r for r in self.compute.api_requests() if 'servers' in r.path
        ]
        self.assertEqual({'all_tenants': ['1']}, listing.qs)

    def test_forced_down_is_critical_2(self):
        self.cloud(
            services=fakes.SERVICES,
            servers=[
                server(1, 'web-1'),
                server(
                    2, 'web-2', 'DOWN', **{'OS-EXT-SRV-ATTR:host': 'compute2'}
                ),
            ],
            hypervisors=[
                hypervisor('compute1'),
                hypervisor('compute2', 'down'),
            ],
        )
        rc, out, err = self.check()
        self.assertEqual(2, rc, err)
        self.assertEqual(
            'CRITICAL - compute2 fenced: forced down and disabled (fenced by '
            'the fault manager), servers show DOWN (1 server DOWN)',
            out.split(' | ')[0],
        )

    def test_disabled_is_warning_1(self):
        services = healthy_services()
        services[1].update(status='disabled', disabled_reason='disk')
        self.cloud(services=services)
        rc, out, _ = self.check('--services')
        self.assertEqual(1, rc)
        self.assertTrue(
            out.startswith(
                'WARNING - compute1 maintenance: disabled (disk) | '
            )
        )
        # Only the part asked for.
        self.assertEqual(
            ['/v2.1/os-services'],
            [r.path for r in self.compute.api_requests()],
        )

    def test_thresholds_from_the_command_line(self):
        services = healthy_services()
        services[1].update(status='disabled')
        self.cloud(services=services)
        rc, out, _ = self.check(
            '--services',
            '--warning',
            'services_disabled=~:',
            '--critical',
            'services_up=@0:3',
        )
        self.assertEqual(2, rc)
        self.assertIn(
            'CRITICAL - services_up is 3 (outside critical range @0:3)', out
        )
        self.assertIn(' services_up=3;;@0:3;0 ', out)
        self.assertIn(' services_disabled=1;~:;;0 ', out)

    def test_unreachable_is_unknown_3_and_says_why(self):
        self.compute = self.useFixture(
            fakes.ComputeFixture(
                others={'exc': requests.exceptions.ConnectionError}
            )
        )
        self.compute.mock.get(
            fakes.COMPUTE_URL, exc=requests.exceptions.ConnectionError
        )
        rc, out, err = cli.run_cli(
            ['--retries', '0', *cli.TOKEN_ARGS, 'check']
        )
        self.assertEqual(3, rc, err)
        self.assertEqual(1, len(out.splitlines()), out)
        self.assertTrue(out.startswith('UNKNOWN - '), out)
        self.assertIn('cannot reach', out)
        self.assertIn(' | time=', out)

    def test_bad_command_line_in_nagios_mode_is_unknown_3_on_stdout(self):
        for argv, words in (
            (['--bogus'], 'unrecognized arguments: --bogus'),
            (['--warning', 'nope=1'], "no metric 'nope'"),
            (['--critical', 'services_up=3:1'], 'its start is above its end'),
            (['--format', 'nagios', '--tcp', '0'], "invalid port '0'"),
        ):
            rc, out, err = self.check(*argv)
            self.assertEqual(3, rc, (argv, out, err))
            self.assertTrue(out.startswith('UNKNOWN - '), (argv, out))
            self.assertIn(words, out)
            self.assertEqual(1, len(out.splitlines()), out)

    def test_bad_command_line_in_other_modes_is_usage_2(self):
        for argv in (
            ['--format', 'json', '--bogus'],
            ['--format=prometheus', '--warning', 'nope=1'],
            ['--format', 'xml'],
        ):
            rc, out, err = self.check(*argv)
            self.assertEqual(2, rc, (argv, out, err))
            self.assertEqual('', out)
            self.assertTrue(err.startswith('hostctl: '), err)

    def test_json_exits_3_when_critical_and_holds_everything(self):
        self.cloud(services=fakes.SERVICES)
        rc, out, _ = self.check('--format', 'json')
        self.assertEqual(3, rc)
        result = json.loads(out)
        self.assertEqual('CRITICAL', result['status'])
        self.assertEqual(
            ['services', 'hypervisors', 'servers'], result['parts']
        )
        self.assertEqual(3, len(result['services']))

    def test_json_names_the_part_that_failed_with_partial_8(self):
        self.cloud()
        self.compute.mock.get(
            SERVERS,
            status_code=403,
            json={'forbidden': {'message': 'Policy says no'}},
        )
        rc, out, err = self.check('--format', 'json')
        self.assertEqual(8, rc, err)
        result = json.loads(out)
        self.assertEqual(
            {
                'servers': {
                    'message': "the compute API's policy refused the "
                    'request: Policy says no',
                    'exit_code': 5,
                }
            },
            result['errors'],
        )

    def test_prometheus_is_written_by_prometheus_client(self):
        from prometheus_client import parser

        self.cloud()
        rc, out, _ = self.check('--format', 'prometheus')
        self.assertEqual(0, rc)
        names = {f.name for f in parser.text_string_to_metric_families(out)}
        self.assertIn('hostctl_compute_service_forced_down', names)
        self.assertIn('hostctl_check_success', names)

    def test_one_host_exactly_one_request_per_kind(self):
        self.cloud(
            services=fakes.SERVICES,
            hypervisors=[
                hypervisor('compute1'),
                hypervisor('compute2', 'down'),
            ],
            servers=[
                server(1, 'web-1'),
                server(
                    2, 'web-2', 'DOWN', **{'OS-EXT-SRV-ATTR:host': 'compute2'}
                ),
            ],
        )
        rc, out, err = self.check('--host', 'compute1', '--format', 'json')
        self.assertEqual(0, rc, err)
        result = json.loads(out)
        self.assertEqual(
            ('compute1', 'OK'), (result['host'], result['status'])
        )
        # compute2's troubles are not compute1's: the listing Nova gave
        # (whatever its filter did) is narrowed to compute1 exactly.
        self.assertEqual(['web-1'], [s['name'] for s in result['servers']])
        self.assertEqual(
            ['compute1'],
            [h['hypervisor_hostname'] for h in result['hypervisors']],
        )
        self.assertEqual(
            [('compute1', 'nova-compute')],
            [(s['host'], s['binary']) for s in result['services']],
        )
        self.assertEqual(
            [
                '/v2.1/os-hypervisors/detail',
                '/v2.1/os-services',
                '/v2.1/servers/detail',
            ],
            sorted(r.path for r in self.compute.api_requests()),
        )

    def test_an_unknown_host_is_unknown_in_nagios_4_in_json(self):
        self.cloud()
        rc, out, _ = self.check('--host', 'compute')
        self.assertEqual(3, rc)
        self.assertEqual(
            "UNKNOWN - no host 'compute'; hosts: compute1, compute2, "
            'controller\n',
            out,
        )
        rc, out, err = self.check('--host', 'compute', '--format', 'json')
        self.assertEqual((4, ''), (rc, out))
        self.assertIn("no host 'compute'", err)

    GUESTS = {
        'db-a': ('a' * 8 + '-1111-4b7e-9d3e-000000000001', 'compute1', 204),
        'db-s': ('a' * 8 + '-1111-4b7e-9d3e-000000000002', 'compute1', 400),
        'db-2': ('a' * 8 + '-1111-4b7e-9d3e-000000000003', 'compute2', 400),
    }

    def guests(self):
        ping = DB_URL + '/mgmt/instances/{}/rpc_ping'
        self.compute.mock.get(
            DB_URL + '/mgmt/instances',
            json={
                'instances': [
                    {
                        'id': ident,
                        'name': name,
                        'tenant_id': 'p1',
                        'server': {'id': f's-{name}', 'host': host},
                    }
                    for name, (ident, host, _) in self.GUESTS.items()
                ],
                'links': [],
            },
        )
        for ident, _, status in self.GUESTS.values():
            self.compute.mock.get(
                ping.format(ident),
                status_code=status,
                json={'badRequest': {'message': 'Timeout'}},
            )

    def test_rpc_ping_counts_guests(self):
        self.cloud()
        self.guests()
        rc, out, _ = self.check('--rpc-ping')
        self.assertEqual(2, rc, out)
        self.assertTrue(
            out.startswith(
                'CRITICAL - guests not answering RPC: db-s, db-2 | '
                'guests_alive=1;;;0 guests_not_alive=2;;0;0 '
                'guests_unchecked=0;0;;0 time='
            ),
            out,
        )
        # No compute request at all for a database-only check.
        self.assertEqual(
            ['database.example'] * 4,
            [r.hostname for r in self.compute.mock.request_history],
        )

    def test_rpc_ping_on_one_host_pings_only_its_guests(self):
        self.cloud()
        self.guests()
        rc, out, _ = self.check('--rpc-ping', '--host', 'compute1')
        self.assertEqual(2, rc, out)
        self.assertTrue(
            out.startswith('CRITICAL - guests not answering RPC: db-s | '),
            out,
        )
        pinged = [
            r.path.split('/')[-2]
            for r in self.compute.mock.request_history
            if r.path.endswith('/rpc_ping')
        ]
        self.assertEqual(
            sorted(self.GUESTS[n][0] for n in ('db-a', 'db-s')), sorted(pinged)
        )


class StartUpTest(cli.TestCase):
    def test_only_the_prometheus_format_imports_prometheus_client(self):
        # A separate interpreter; a cloud that refuses at once (loopback
        # port 9, the discard port nothing serves here).
        code = (
            'import sys\n'
            'from hostctl import shell\n'
            'for fmt in ("nagios", "json", "prometheus"):\n'
            '    shell.main(["--os-token", "t", "--os-endpoint",\n'
            '                "http://127.0.0.1:9/v2.1", "--retries", "0",\n'
            '                "check", "--format", fmt])\n'
            '    print(fmt, "prometheus_client" in sys.modules)\n'
        )
        result = subprocess.run(
            [sys.executable, '-c', code], capture_output=True, text=True
        )
        self.assertEqual(
            ['nagios False', 'json False', 'prometheus True'],
            [
                line
                for line in result.stdout.splitlines()
                if line.endswith(('True', 'False'))
            ],
            result.stdout + result.stderr,
        )
