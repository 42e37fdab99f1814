"""Never a wrong answer: filters the API ignores, names that do not exist.

Each test is a case where hostctl once answered with exit 0 (or a false
alarm) against the real local cloud; see issue 17.
"""

from tests.functional import base
from tests.functional.base import hostctl


class IgnoredFilterTest(base.TestCase):
    def test_member_listing_by_host_is_refused_not_unfiltered(self):
        # Nova drops host from a member's query: the member's own servers
        # came back as if they were on the host.
        for host in ('compute1', 'nosuchhost'):
            result = hostctl(
                'server-list', '--host', host, cloud_name='member'
            )
            self.assertFails(result, 5)
            self.assertEqual('', result.out)


class ProjectTest(base.TestCase):
    def test_project_by_name_with_its_name_beside_its_id(self):
        demo = base.cloud()['projects']['demo']
        result = hostctl(
            'server-list',
            '--all-projects',
            '--project',
            'demo',
            '--long',
            '-f',
            'json',
        )
        self.assertOk(result)
        rows = result.json()
        self.assertTrue(rows, 'the cloud seeds no server for demo')
        self.assertEqual(
            {(demo, 'demo')},
            {(r['Project'], r['Project Name']) for r in rows},
        )

    def test_unknown_project_names_the_visible_ones(self):
        result = hostctl('server-list', '--all-projects', '--project', 'nope')
        self.assertFails(result, 4, "no project named or with ID 'nope'")
        self.assertIn('demo', result.err)
        self.assertEqual('', result.out)


class HypervisorFieldTest(base.TestCase):
    def test_servers_per_hypervisor_from_2_88(self):
        expected = {}
        for seeded in base.cloud()['servers']:
            if seeded.get('host'):
                host = seeded['host']
                expected[host] = expected.get(host, 0) + 1
        result = hostctl(
            '--os-compute-api-version',
            '2.88',
            'hypervisor-list',
            '--long',
            '-f',
            'json',
        )
        self.assertOk(result)
        rows = result.json()
        self.assertEqual(
            {
                name: expected.get(host, 0)
                for host, name in base.cloud()['hypervisor_hostnames'].items()
            },
            {r['Hypervisor Hostname']: r['Servers'] for r in rows},
        )
        self.assertEqual({None}, {r['Running VMs'] for r in rows})

    def test_matching_is_a_substring_not_a_sql_pattern(self):
        # Nova's hostname search is SQL LIKE '%P%': 'compute_' listed
        # every hypervisor, though none has 'compute_' in its name; before
        # 2.53, so did '%'.
        for version, pattern in (
            ('2.52', 'compute_'),
            ('2.52', '%'),
            ('2.53', 'compute_'),
        ):
            result = hostctl(
                '--os-compute-api-version',
                version,
                'hypervisor-list',
                '--matching',
                pattern,
            )
            self.assertFails(
                result, 4, f'no hypervisor hostname matches {pattern!r}'
            )
            self.assertEqual('', result.out)

    def test_show_has_the_same_titled_fields_at_every_version(self):
        seen = set()
        for version in ('2.52', '2.87', '2.88'):
            pin = ('--os-compute-api-version', version)
            listed = hostctl(*pin, 'hypervisor-list', '-f', 'json')
            self.assertOk(listed)
            first = str(listed.json()[0]['ID'])
            shown = hostctl(*pin, 'hypervisor-show', first, '-f', 'json')
            self.assertOk(shown)
            seen.add(tuple(shown.json()))
            self.assertFalse(
                [k for k in shown.json() if '_' in k], (version, shown.out)
            )
        self.assertEqual(1, len(seen), seen)


class HostScopedCheckTest(base.TestCase):
    def test_server_fping_host_checks_only_that_hosts_servers(self):
        # compute1 is a prefix of compute10: each checks its own servers.
        for host in ('compute1', 'compute10'):
            there = {
                s['id']
                for s in base.cloud()['servers']
                if s.get('host') == host
            }
            self.assertTrue(there, f'the cloud seeds no server on {host}')
            result = hostctl(
                'server-fping', '--host', host, '--long', '-f', 'json'
            )
            self.assertOk(result)
            self.assertEqual(there, {r['ID'] for r in result.json()}, host)
        missing = hostctl('server-fping', '--host', 'compute9')
        self.assertFails(missing, 4, "no host 'compute9'")
        member = hostctl(
            'server-fping', '--host', 'compute1', cloud_name='member'
        )
        self.assertFails(member, 5)
        self.assertEqual('', missing.out + member.out)

    def test_rpc_ping_host_pings_only_the_guests_there(self):
        # The local Trove's stand-in Nova puts every guest on compute1.
        guests = base.cloud()['instances']
        result = hostctl(
            'instance-rpc-ping', '--host', 'compute1', '-f', 'json'
        )
        self.assertEqual(3, result.rc, result.err)
        self.assertEqual(
            {g['id'] for g in guests.values()},
            {r['ID'] for r in result.json()},
        )
        # Nothing to check is not "every guest answered".
        elsewhere = hostctl(
            'instance-rpc-ping', '--host', 'compute2', '-f', 'json'
        )
        self.assertFails(
            elsewhere,
            4,
            'no database instance runs on host compute2; nothing to check',
        )
        self.assertEqual('', elsewhere.out)
        self.assertFails(
            hostctl('instance-rpc-ping', '--host', 'nosuch'),
            4,
            "no host 'nosuch'",
        )
