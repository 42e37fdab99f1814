"""Service commands against the real Nova of the local cloud."""

from tests.functional import base
from tests.functional.base import hostctl


class ServiceListTest(base.TestCase):
    def test_every_compute_host_is_listed_up(self):
        result = hostctl(
            'service-list', '--binary', 'nova-compute', '-f', 'json'
        )
        self.assertOk(result)
        rows = result.json()
        self.assertEqual(
            sorted(base.cloud()['hosts']), sorted(r['Host'] for r in rows)
        )
        for row in rows:
            self.assertEqual(
                ('nova-compute', 'enabled', 'up', False),
                (
                    row['Binary'],
                    row['Status'],
                    row['State'],
                    row['Forced Down'],
                ),
            )
        self.assertEqual(
            [
                'ID',
                'Binary',
                'Host',
                'Zone',
                'Status',
                'State',
                'Forced Down',
                'Disabled Reason',
                'Updated At',
                'Last Report',
            ],
            list(rows[0]),
        )

    def test_old_microversion_lists_integer_ids(self):
        result = hostctl(
            '--os-compute-api-version',
            '2.52',
            'service-list',
            '--host',
            'compute1',
            '-f',
            'json',
        )
        self.assertOk(result)
        (row,) = [r for r in result.json() if r['Binary'] == 'nova-compute']
        self.assertIsInstance(row['ID'], int)

    def test_member_is_refused_by_policy(self):
        result = hostctl('service-list', cloud_name='member')
        self.assertFails(result, 5, 'policy')


class ForceDownTest(base.TestCase):
    host = 'compute1'

    def force_down(self, *options, unset=False, **kwargs):
        argv = [*options, 'service-force-down']
        if unset:
            argv.append('--unset')
        return hostctl(
            *argv, self.host, 'nova-compute', '-f', 'json', **kwargs
        )

    def restore(self):
        self.addCleanup(lambda: self.assertOk(self.force_down(unset=True)))

    def check_round_trip(self, *options, **kwargs):
        self.restore()
        down = self.force_down(*options, **kwargs)
        self.assertOk(down)
        self.assertEqual(
            (self.host, True, 'down'),
            (
                down.json()['Host'],
                down.json()['Forced Down'],
                down.json()['State'],
            ),
        )
        listed = hostctl(
            'service-list',
            '--host',
            self.host,
            '--binary',
            'nova-compute',
            '-f',
            'json',
        ).json()
        self.assertEqual([True], [r['Forced Down'] for r in listed])
        up = self.force_down(*options, unset=True, **kwargs)
        self.assertOk(up)
        self.assertIs(False, up.json()['Forced Down'])
        return down, up

    def test_negotiated_version(self):
        down, _ = self.check_round_trip()
        # At 2.53 and later the service is named by its UUID.
        self.assertRegex(down.json()['ID'], r'^[0-9a-f-]{36}$')

    def test_at_the_version_boundaries(self):
        for version in ('2.11', '2.52', '2.53'):
            down, _ = self.check_round_trip(
                '--os-compute-api-version', version
            )
            id_type = str if version == '2.53' else int
            self.assertIsInstance(down.json()['ID'], id_type, version)

    def test_2_10_is_too_old(self):
        result = self.force_down('--os-compute-api-version', '2.10')
        self.assertFails(
            result,
            6,
            'forcing a service down needs compute API version 2.11 or later, '
            'but 2.10 was asked for',
        )

    def test_token_plus_endpoint_mode(self):
        token = base.issue_token()
        options = (
            '--os-token',
            token,
            '--os-endpoint',
            base.cloud()['compute_url'],
        )
        self.check_round_trip(*options, cloud_name=None)
        # The token never reaches the output.
        listed = hostctl(*options, '--debug', 'service-list', cloud_name=None)
        self.assertOk(listed)
        self.assertNotIn(token, listed.out + listed.err)

    def test_forcing_down_twice_says_so(self):
        self.restore()
        self.assertOk(self.force_down())
        again = self.force_down()
        self.assertOk(again)
        self.assertEqual(
            f'hostctl: {self.host} nova-compute was already forced down; '
            'nothing changed\n',
            again.err,
        )

    def test_unknown_host_and_binary(self):
        result = hostctl('service-force-down', 'compute9', 'nova-compute')
        self.assertFails(result, 4, "no host 'compute9'")
        hosts = ', '.join(sorted([*base.cloud()['hosts'], 'devcloud']))
        self.assertIn(f'hosts: {hosts}', result.err)
        result = hostctl('service-force-down', 'compute1', 'nova-comptue')
        self.assertFails(result, 4, "has no 'nova-comptue' service")

    def test_member_cannot_force_down(self):
        result = hostctl(
            'service-force-down',
            self.host,
            'nova-compute',
            cloud_name='member',
        )
        self.assertFails(result, 5)


class DisableTest(base.TestCase):
    host = 'compute3'

    def test_disable_with_reason_and_enable_in_both_eras(self):
        for version in ('2.52', '2.53'):
            pin = ('--os-compute-api-version', version)
            self.addCleanup(
                hostctl, 'service-enable', self.host, 'nova-compute'
            )
            disabled = hostctl(
                *pin,
                'service-disable',
                '--reason',
                f'disk check {version}',
                self.host,
                'nova-compute',
                '-f',
                'json',
            )
            self.assertOk(disabled)
            self.assertEqual(
                ('disabled', f'disk check {version}'),
                (
                    disabled.json()['Status'],
                    disabled.json()['Disabled Reason'],
                ),
            )
            enabled = hostctl(
                *pin, 'service-enable', self.host, 'nova-compute', '-f', 'json'
            )
            self.assertOk(enabled)
            self.assertEqual('enabled', enabled.json()['Status'])
