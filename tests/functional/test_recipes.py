"""The documentation's runbook recipes, run as they are against the cloud.

doc/source/recipes/*.sh are included verbatim in the manual; these tests
run those very files with the real hostctl on PATH and credentials in the
environment (OS_CLOUD), as an operator would, assert what they print and
how they exit, and undo whatever they change.
"""

from __future__ import annotations

import os
import subprocess
import time

from tests.functional import base
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


class HostFailureRecipeTest(base.TestCase):
    def host_statuses(self, out, host):
        """{server name: Host Status} from the recipe's server table."""
        names = {s['name'] for s in servers_on(host)}
        self.assertTrue(names, f'the cloud seeds no server on {host}')
        found = {row[1]: row[3] for row in table_rows(out) if row[1] in names}
        self.assertEqual(names, set(found), out)
        return found

    def test_down_then_recover(self):
        host, reason = 'compute2', 'fenced: PSU failure, ticket 4711'
        self.addCleanup(hostctl, 'service-enable', host, 'nova-compute')
        self.addCleanup(
            hostctl, 'service-force-down', '--unset', host, 'nova-compute'
        )

        down = recipe('host-failure.sh', 'down', host, reason)
        self.assertOk(down)
        self.assertEqual('', down.err)
        self.assertEqual(
            {'DOWN'}, set(self.host_statuses(down.out, host).values())
        )
        # The service after each step: forced down, then disabled.
        self.assertEqual(
            [
                ('enabled', 'down', 'True', ''),
                ('disabled', 'down', 'True', reason),
            ],
            [
                (
                    t['Status'],
                    t['State'],
                    t['Forced Down'],
                    t['Disabled Reason'],
                )
                for t in shown(down.out)
            ],
        )
        service = nova_compute(host)
        self.assertEqual(
            ('disabled', True, reason),
            (
                service['Status'],
                service['Forced Down'],
                service['Disabled Reason'],
            ),
        )
        # Other hosts are untouched.
        self.assertEqual('enabled', nova_compute('compute1')['Status'])

        recovered = recipe('host-failure.sh', 'recover', host)
        self.assertOk(recovered)
        self.assertEqual(
            [('disabled', 'False'), ('enabled', 'False')],
            [(t['Status'], t['Forced Down']) for t in shown(recovered.out)],
        )
        self.assertEqual(
            {'UP'}, set(self.host_statuses(recovered.out, host).values())
        )
        service = nova_compute(host)
        self.assertEqual(
            ('enabled', False, 'up'),
            (service['Status'], service['Forced Down'], service['State']),
        )

    def test_check_shows_unknown_when_the_host_stops_reporting(self):
        host = 'compute1'
        self.addCleanup(wait_until_up, host)
        self.addCleanup(heartbeat, 'start', host)
        heartbeat('stop', host)
        check = recipe('host-failure.sh', 'check', host)
        self.assertOk(check)
        self.assertIn(
            ['nova-compute', host, 'enabled', 'down', 'False', ''],
            table_rows(check.out),
        )
        self.assertEqual(
            {'UNKNOWN'}, set(self.host_statuses(check.out, host).values())
        )

    def test_unknown_host_stops_at_the_first_step_with_exit_4(self):
        result = recipe('host-failure.sh', 'down', 'compute9', 'typo')
        self.assertFails(result, 4, "no compute service on host 'compute9'")
        self.assertEqual('', result.out)

    def test_without_arguments_it_shows_its_usage(self):
        result = recipe('host-failure.sh', 'down', 'compute2')
        self.assertEqual(2, result.rc)
        self.assertIn('host-failure.sh down    <host> <reason>', result.err)
        self.assertEqual('', result.out)
        self.assertEqual('enabled', nova_compute('compute2')['Status'])


class PollRecipeTest(base.TestCase):
    def statuses(self, out, host):
        names = {s['name'] for s in servers_on(host)}
        return {row[0]: row[1] for row in table_rows(out) if row[0] in names}

    def test_waits_until_the_host_status_is_reached(self):
        host = 'compute1'
        names = {s['name'] for s in servers_on(host)}
        self.addCleanup(wait_until_up, host)
        self.addCleanup(heartbeat, 'start', host)
        started = time.monotonic()
        poll = subprocess.Popen(
            recipe_command('poll-host-status.sh', host, 'UNKNOWN', '60', '1'),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=recipe_env(),
            stdin=subprocess.DEVNULL,
        )
        self.addCleanup(poll.kill)
        # It is waiting before the host stops.
        time.sleep(3)
        self.assertIsNone(poll.poll())
        heartbeat('stop', host)
        out, err = poll.communicate(timeout=90)
        self.assertEqual((0, ''), (poll.returncode, err), out)
        self.assertLess(time.monotonic() - started, 30)
        self.assertEqual(
            f'service {host} nova-compute: Forced Down=false, '
            'Status=enabled, State=down',
            out.splitlines()[0],
        )
        self.assertEqual(
            dict.fromkeys(names, 'UNKNOWN'), self.statuses(out, host)
        )
        heartbeat('start', host)
        back = recipe('poll-host-status.sh', host, 'up', '60', '1')
        self.assertOk(back)
        self.assertEqual(
            dict.fromkeys(names, 'UP'), self.statuses(back.out, host)
        )

    def test_gives_up_with_10(self):
        started = time.monotonic()
        result = recipe('poll-host-status.sh', 'compute2', 'DOWN', '2', '1')
        self.assertFails(
            result,
            10,
            "service compute2 nova-compute: Forced Down is 'false', not "
            "'true' after 2 s (--timeout)",
        )
        self.assertLess(time.monotonic() - started, 30)
        self.assertEqual('', result.out)

    def test_unknown_status_is_a_usage_error(self):
        result = recipe('poll-host-status.sh', 'compute2', 'SIDEWAYS')
        self.assertEqual(2, result.rc)
        self.assertIn('no Host Status SIDEWAYS', result.err)

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


class HostStatusChangesRecipeTest(base.TestCase):
    def test_one_line_per_server_each_way(self):
        host = 'compute3'
        self.addCleanup(hostctl, 'service-enable', host, 'nova-compute')
        watch = subprocess.Popen(
            recipe_command('host-status-changes.sh', '--timeout', '12'),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=recipe_env(),
            stdin=subprocess.DEVNULL,
        )
        self.addCleanup(watch.kill)
        time.sleep(3)
        self.assertOk(hostctl('service-disable', host, 'nova-compute'))
        time.sleep(3)
        self.assertOk(hostctl('service-enable', host, 'nova-compute'))
        out, err = watch.communicate(timeout=60)
        self.assertEqual((0, ''), (watch.returncode, err), out)
        names = sorted(s['name'] for s in servers_on(host))
        self.assertEqual(
            [f'{n} (on {host}): UP -> MAINTENANCE' for n in names]
            + [f'{n} (on {host}): MAINTENANCE -> UP' for n in names],
            [line.split(' ', 1)[1] for line in out.splitlines()],
        )
