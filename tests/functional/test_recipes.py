"""The documentation's runbook recipes, run as they are against the cloud.

doc/source/recipes/*.sh are included verbatim in the manual; these tests
run those very files with the real hostctl on PATH and credentials in the
environment (OS_CLOUD), as an operator would, assert what they print and
how they exit, and undo whatever they change.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import time

import fixtures

from tests.functional import base
from tests.functional import nova
from tests.functional.base import hostctl
from tests.functional.test_host_status import heartbeat
from tests.functional.test_host_status import servers_on

RECIPES = os.path.join(base.TOP, 'doc', 'source', 'recipes')
BIN = os.path.dirname(base.HOSTCTL)


def recipe_command(name, *args):
    return ['bash', os.path.join(RECIPES, name), *args]


def recipe_env(cloud_name='admin'):
    return base.clean_env(
        OS_CLOUD=base.cloud()['clouds'][cloud_name],
        PATH=BIN + os.pathsep + os.environ.get('PATH', ''),
    )


def recipe(name, *args, cloud_name='admin', timeout=180) -> base.Result:
    done = subprocess.run(
        recipe_command(name, *args),
        capture_output=True,
        text=True,
        env=recipe_env(cloud_name),
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )
    return base.Result(done.returncode, done.stdout, done.stderr)


def table_rows(out):
    """The cells of every row of the tables hostctl printed."""
    return [
        [cell.strip() for cell in line.strip().strip('|').split('|')]
        for line in out.splitlines()
        if line.startswith('|')
    ]


def shown(out):
    """Each Field/Value table hostctl printed, as a dict."""
    tables = []
    for row in table_rows(out):
        if row == ['Field', 'Value']:
            tables.append({})
        elif tables and len(row) == 2:
            tables[-1][row[0]] = row[1]
    return tables


def nova_compute(host):
    result = hostctl(
        'service-list',
        '--host',
        host,
        '--binary',
        'nova-compute',
        '-f',
        'json',
    )
    (row,) = result.json()
    return row


def wait_until_up(host):
    # The polling recipe itself: every server on the host UP again.
    result = recipe('poll-host-status.sh', host, 'UP', '60', '1')
    if result.rc != 0:
        raise AssertionError(
            f'{host} did not come back: {result.out}{result.err}'
        )


def nested_value(out, name, offset):
    """From a table nested in host-show's: the cell `offset` columns right
    of the one that reads `name`."""
    for row in table_rows(out):
        if name in row:
            return row[row.index(name) + offset]
    raise AssertionError(f'no row with {name!r} in:\n{out}')


class HostFailureRecipeTest(base.TestCase):
    def host_statuses(self, out, host):
        """{server name: Host Status} from the host's server table."""
        names = {s['name'] for s in servers_on(host)}
        self.assertTrue(names, f'the cloud seeds no server on {host}')
        # Name, Status, Host Status.
        return {name: nested_value(out, name, 2) for name in names}

    def restore(self, host):
        def up():
            heartbeat('start', host)
            self.assertOk(hostctl('host-up', '--enable', host))

        self.addCleanup(up)

    def test_down_then_recover(self):
        host, reason = 'compute2', 'PSU failure, ticket 4711'
        self.restore(host)

        down = recipe('host-failure.sh', 'down', host, reason)
        self.assertOk(down)
        # What was done, on stderr, in the order it was done.
        first, second = down.err.splitlines()
        self.assertEqual(f'hostctl: {host}: force down: done', first)
        self.assertTrue(
            second.startswith(
                f'hostctl: {host}: disable: done (hostctl host-down '
            ),
            second,
        )
        (table,) = shown(down.out)
        self.assertEqual(
            ('compute2', 'fenced'), (table['Host'], table['Verdict'])
        )
        self.assertTrue(
            table['Reason'].endswith(f': {reason}); servers show DOWN')
        )
        self.assertEqual(
            {'DOWN'}, set(self.host_statuses(down.out, host).values())
        )
        service = nova_compute(host)
        self.assertEqual(
            ('disabled', True),
            (service['Status'], service['Forced Down']),
        )
        self.assertTrue(
            service['Disabled Reason'].startswith('hostctl host-down ')
        )
        self.assertTrue(service['Disabled Reason'].endswith(': ' + reason))
        # Other hosts are untouched.
        self.assertEqual('enabled', nova_compute('compute1')['Status'])

        recovered = recipe('host-failure.sh', 'recover', host, '60')
        self.assertOk(recovered)
        (table,) = shown(recovered.out)
        self.assertEqual('up', table['Verdict'])
        self.assertEqual(
            {'UP'}, set(self.host_statuses(recovered.out, host).values())
        )
        self.assertIn(f'{host}: enable: done', recovered.err)
        service = nova_compute(host)
        self.assertEqual(
            ('enabled', False, 'up', ''),
            (
                service['Status'],
                service['Forced Down'],
                service['State'],
                service['Disabled Reason'] or '',
            ),
        )

    def test_check_shows_unknown_when_the_host_stops_reporting(self):
        host = 'compute1'
        self.addCleanup(wait_until_up, host)
        self.addCleanup(heartbeat, 'start', host)
        heartbeat('stop', host)
        check = recipe('host-failure.sh', 'check', host)
        self.assertOk(check)
        (table,) = shown(check.out)
        self.assertEqual('unknown', table['Verdict'])
        self.assertIn('nova-compute has not reported for', table['Reason'])
        # The service: Status, State, Forced Down.
        self.assertEqual(
            ['enabled', 'down', 'False'],
            [nested_value(check.out, 'nova-compute', i) for i in (1, 2, 3)],
        )
        self.assertEqual(
            {'UNKNOWN'}, set(self.host_statuses(check.out, host).values())
        )

    def test_recover_before_the_compute_reports_stays_disabled_with_8(self):
        host = 'compute1'
        self.restore(host)
        heartbeat('stop', host)
        self.assertOk(recipe('host-failure.sh', 'down', host, 'dead'))
        result = recipe('host-failure.sh', 'recover', host, '4')
        self.assertFails(
            result, 8, 'did not report up within 4 s; it stays disabled'
        )
        self.assertEqual('', result.out)
        self.assertEqual('disabled', nova_compute(host)['Status'])

    def test_unknown_host_stops_at_the_first_step_with_exit_4(self):
        result = recipe('host-failure.sh', 'down', 'compute9', 'typo')
        self.assertFails(result, 4, "no host 'compute9'; hosts: compute1")
        self.assertEqual('', result.out)

    def test_without_arguments_it_shows_its_usage(self):
        for args in (('down', 'compute2'), ('check', '')):
            result = recipe('host-failure.sh', *args)
            self.assertEqual(2, result.rc)
            self.assertIn(
                'host-failure.sh down    <host> <reason>', result.err
            )
            self.assertEqual('', result.out)
        self.assertEqual('enabled', nova_compute('compute2')['Status'])


class PollRecipeTest(base.TestCase):
    def test_waits_until_the_host_status_is_reached(self):
        host = 'compute1'
        count = len(servers_on(host))
        self.addCleanup(wait_until_up, host)
        self.addCleanup(heartbeat, 'start', host)
        poll = subprocess.Popen(
            recipe_command('poll-host-status.sh', host, 'UNKNOWN', '60', '1'),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=recipe_env(),
            stdin=subprocess.DEVNULL,
        )
        self.addCleanup(poll.kill)
        # It has polled once, and is waiting, before the host stops.
        first = poll.stdout.readline()
        self.assertEqual(f'{host}: 0 of {count} servers UNKNOWN\n', first)
        heartbeat('stop', host)
        out, err = poll.communicate(timeout=90)
        self.assertEqual((0, ''), (poll.returncode, err), out)
        self.assertEqual(
            f'{host}: {count} of {count} servers UNKNOWN',
            out.splitlines()[-1],
        )
        heartbeat('start', host)
        back = recipe('poll-host-status.sh', host, 'UP', '60', '1')
        self.assertOk(back)
        self.assertEqual(
            f'{host}: {count} of {count} servers UP', back.out.splitlines()[-1]
        )

    def test_gives_up_with_124(self):
        started = time.monotonic()
        result = recipe('poll-host-status.sh', 'compute2', 'DOWN', '2', '1')
        self.assertEqual(124, result.rc, result.out + result.err)
        self.assertLess(time.monotonic() - started, 30)
        count = len(servers_on('compute2'))
        lines = result.out.splitlines()
        self.assertTrue(lines)
        self.assertEqual(
            {f'compute2: 0 of {count} servers DOWN'}, set(lines), result.out
        )
        self.assertEqual(
            'compute2: not every server DOWN after 2s\n', result.err
        )

    def test_a_failure_waiting_cannot_cure_stops_it(self):
        # A member may not list every project's servers: exit 5 at once.
        result = recipe(
            'poll-host-status.sh',
            'compute1',
            'UP',
            '60',
            '1',
            cloud_name='member',
        )
        self.assertFails(result, 5)
        self.assertEqual('', result.out)


class CiSmokeRecipeTest(base.TestCase):
    def test_fails_with_3_and_says_which_servers_and_guests(self):
        result = recipe('ci-smoke.sh')
        self.assertEqual(3, result.rc, result.out + result.err)
        lines = result.out.splitlines()
        # Servers first: probed from here, since Nova 34 has no os-fping.
        servers = lines[: lines.index('== servers: exit 3') + 1]
        self.assertEqual(
            '== servers: hostctl server-fping --all-projects --long',
            servers[0],
        )
        expected = {
            'live': 'alive        {name}',
            'no-network': 'NOT ALIVE    {name}: no address to probe',
            'no-host': 'NOT ALIVE    {name}: no address to probe',
            # Silent only where ./run routes the dead range nowhere.
            'dead': 'NOT ALIVE    {name}: no answer'
            if os.environ.get('HOSTCTL_DEAD_NET')
            else 'alive        {name}',
        }
        self.assertEqual(
            sorted(
                expected[s['role']].format(name=s['name'])
                for s in base.cloud()['servers']
            ),
            sorted(servers[1:-1]),
        )
        # Then the guests.
        instances = base.cloud()['instances']
        guests = lines[len(servers) :]
        self.assertEqual(
            [
                '== guests: hostctl instance-rpc-ping --all',
                '== guests: exit 3',
            ],
            [guests[0], guests[-1]],
        )
        self.assertIn(f'alive        {instances["answering"]["name"]}', guests)
        self.assertIn(
            f'NOT ALIVE    {instances["silent"]["name"]}: '
            'Timeout trying to connect to the Guest Agent.',
            guests,
        )
        failing = [
            line
            for line in guests
            if line.startswith(
                f'NOT ALIVE    {instances["failing"]["name"]}: '
            )
        ]
        self.assertEqual(1, len(failing), result.out)
        self.assertIn(
            'An error occurred communicating with the guest', failing[0]
        )
        self.assertEqual(len(instances) + 2, len(guests), result.out)
        self.assertIn(
            f'hostctl: 2 of {len(instances)} guests not alive', result.err
        )
        self.assertNotIn('Traceback', result.err)

    def test_options_go_to_server_fping(self):
        # Only the live servers: the servers' check passes, and the job
        # still fails with 3 for the guests.
        live = [
            s['id'] for s in base.cloud()['servers'] if s['role'] == 'live'
        ]
        result = recipe('ci-smoke.sh', '--include', ','.join(live))
        self.assertEqual(3, result.rc, result.out + result.err)
        self.assertIn('== servers: exit 0', result.out.splitlines())
        self.assertNotIn('NOT ALIVE    web-', result.out)
        self.assertIn('== guests: exit 3', result.out.splitlines())

    def test_a_member_fails_with_5(self):
        result = recipe('ci-smoke.sh', cloud_name='member')
        self.assertEqual(5, result.rc, result.out + result.err)
        self.assertEqual(
            [
                '== servers: hostctl server-fping --all-projects --long',
                '== servers: exit 5',
                '== guests: hostctl instance-rpc-ping --all',
                '== guests: exit 5',
            ],
            result.out.splitlines(),
        )
        self.assertIn('policy refused the request', result.err)
        self.assertIn('need the admin role', result.err)
        self.assertNotIn('Traceback', result.err)


class EvacuateRecipeTest(base.TestCase):
    def test_failed_then_back(self):
        cloud = self.useFixture(nova.Restored())
        before = servers_on('compute1')
        self.assertTrue(before, 'the cloud seeds no server on compute1')

        failed = recipe('evacuate-host.sh', 'failed', 'compute1', 'compute3')
        self.assertOk(failed)
        rows = table_rows(failed.out)
        # The plan, then the evacuation, then Nova's records.
        for server in before:
            self.assertIn(
                [server['name'], server['project_id'], 'would evacuate', ''],
                rows,
            )
            evacuated = [
                r
                for r in rows
                if r[:3] == [server['name'], 'compute3', 'evacuated']
            ]
            self.assertEqual(1, len(evacuated), failed.out)
            self.assertIn([server['id'], 'done', 'compute3'], rows)
        self.assertEqual([], cloud.on('compute1'))

        # Before nova-compute on compute1 restarts, Nova keeps it down.
        back = recipe('evacuate-host.sh', 'back', 'compute1')
        self.assertFails(back, 9, 'Restart nova-compute on compute1')
        restarted = base.devcloud('compute', 'restart', 'compute1')
        self.assertEqual(0, restarted.rc, restarted.err)
        back = recipe('evacuate-host.sh', 'back', 'compute1', timeout=400)
        self.assertOk(back)
        self.assertEqual(
            ('enabled', False, 'up'),
            tuple(
                cloud.nova.computes()['compute1'][k]
                for k in ('status', 'forced_down', 'state')
            ),
        )

    def test_a_refusal_changes_nothing(self):
        cloud = self.useFixture(nova.Restored())
        before = cloud.on('compute3')
        result = recipe('evacuate-host.sh', 'drain', 'compute3', 'compute9')
        self.assertFails(result, 4, 'compute9')
        self.assertEqual('', result.out)
        # Refused before host-drain disabled anything.
        self.assertEqual('enabled', nova_compute('compute3')['Status'])
        self.assertEqual(before, cloud.on('compute3'))


def force_down(test, host):
    test.addCleanup(
        hostctl, 'service-force-down', '--unset', host, 'nova-compute'
    )
    test.assertOk(hostctl('service-force-down', host, 'nova-compute'))


def run_shell(command, **env) -> base.Result:
    done = subprocess.run(
        ['sh', '-c', command],
        capture_output=True,
        text=True,
        env={**recipe_env(), **env},
        timeout=180,
        stdin=subprocess.DEVNULL,
    )
    return base.Result(done.returncode, done.stdout, done.stderr)


class NagiosRecipeTest(base.TestCase):
    """The command definition, run as Nagios runs it: its macros filled in
    from the service's check_command, through /bin/sh."""

    def command(self):
        with open(os.path.join(RECIPES, 'nagios-hostctl.cfg')) as f:
            text = f.read()
        found = dict(
            re.findall(r'^\s+(command_line|check_command)\s+(.*)$', text, re.M)
        )
        name, *args = found['check_command'].split('!')
        self.assertEqual('check_hostctl', name)
        self.assertIn(f'command_name    {name}', text)
        # The service names the operator's cloud; here, the test cloud's.
        args[0] = base.cloud()['clouds']['admin']
        line = found['command_line']
        for number, value in enumerate(args, 1):
            line = line.replace(f'$ARG{number}$', value)
        return line

    def test_ok_then_critical_naming_the_host(self):
        command = self.command()
        ok = run_shell(command)
        self.assertEqual(0, ok.rc, ok.out + ok.err)
        services = len(base.cloud()['hosts']) + 2  # conductor, scheduler
        self.assertRegex(
            ok.out,
            rf'^OK - {services} services up; .* \| services_up={services};',
        )
        # The service allows one host disabled (--warning
        # services_disabled=1): still OK.
        self.addCleanup(hostctl, 'service-enable', 'compute3', 'nova-compute')
        self.assertOk(hostctl('service-disable', 'compute3', 'nova-compute'))
        one = run_shell(command)
        self.assertEqual(0, one.rc, one.out + one.err)
        self.assertIn(' services_disabled=1;1;;0 ', one.out)
        force_down(self, 'compute2')
        down = run_shell(command)
        self.assertEqual(2, down.rc, down.out + down.err)
        self.assertTrue(
            down.out.startswith('CRITICAL - compute2 down: forced down ('),
            down.out,
        )


class NodeExporterRecipeTest(base.TestCase):
    """The cron line, run as cron runs it: the file's variables set, the
    command after the schedule and the user, through /bin/sh."""

    def test_writes_the_textfile(self):
        from prometheus_client import parser

        with open(os.path.join(RECIPES, 'node-exporter.cron')) as f:
            lines = [
                line.strip()
                for line in f
                if line.strip() and not line.startswith('#')
            ]
        env = dict(
            line.split('=', 1) for line in lines if '=' in line.split()[0]
        )
        (entry,) = [line for line in lines if '=' not in line.split()[0]]
        command = entry.split(None, 6)[6]
        directory = self.useFixture(fixtures.TempDir()).path
        env.update(
            OS_CLOUD=base.cloud()['clouds']['admin'],
            TEXTFILE_DIR=directory,
            PATH=BIN + os.pathsep + env['PATH'],
        )
        force_down(self, 'compute2')
        result = run_shell(command, **env)
        self.assertEqual(0, result.rc, result.out + result.err)
        self.assertEqual(['hostctl.prom'], os.listdir(directory))
        with open(os.path.join(directory, 'hostctl.prom')) as f:
            families = {
                family.name: family
                for family in parser.text_string_to_metric_families(f.read())
            }
        forced = {
            s.labels['host']: s.value
            for s in families['hostctl_compute_service_forced_down'].samples
            if s.labels['binary'] == 'nova-compute'
        }
        self.assertEqual(
            {h: float(h == 'compute2') for h in base.cloud()['hosts']}, forced
        )
        self.assertEqual(
            1.0, families['hostctl_check_success'].samples[0].value
        )


class CiCheckRecipeTest(base.TestCase):
    def run_recipe(self, *args):
        path = os.path.join(
            self.useFixture(fixtures.TempDir()).path, 'check.json'
        )
        done = subprocess.run(
            recipe_command('ci-check.sh', *args),
            capture_output=True,
            text=True,
            env={**recipe_env(), 'CHECK_RESULT': path},
            timeout=180,
            stdin=subprocess.DEVNULL,
        )
        with open(path) as f:
            kept = json.load(f)
        return base.Result(done.returncode, done.stdout, done.stderr), kept

    def test_healthy_passes_and_keeps_the_result(self):
        result, kept = self.run_recipe()
        self.assertOk(result)
        self.assertEqual(f'OK: {kept["summary"]}\n', result.out)
        services = len(base.cloud()['hosts']) + 2  # conductor, scheduler
        self.assertTrue(
            kept['summary'].startswith(f'{services} services up; '),
            kept['summary'],
        )

    def test_a_host_forced_down_fails_with_3_and_is_named(self):
        force_down(self, 'compute2')
        count = len(servers_on('compute2'))
        result, kept = self.run_recipe('--services', '--servers')
        self.assertEqual(3, result.rc, result.out + result.err)
        self.assertEqual(
            [
                f'CRITICAL: compute2 down: forced down ({count} servers DOWN)',
                '  CRITICAL compute2 - down: forced down',
                f'  CRITICAL compute2 - {count} servers DOWN',
            ],
            result.out.splitlines(),
        )
        self.assertEqual(['services', 'servers'], kept['parts'])
