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
