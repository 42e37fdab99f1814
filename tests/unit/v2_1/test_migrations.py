"""os-migrations at 2.58/2.59 (paging, UUIDs, changes-since) and 2.79/2.80
(user and project)."""

import testtools

from hostctl import exceptions
from tests.unit import fakes
from tests.unit.v2_1.test_client import make_client

URL = fakes.COMPUTE_URL + '/os-migrations'
INSTANCE = '9f3a6a2e-5b1c-4d6e-8f70-0123456789ab'


def migration(number, version=(2, 104), **extra):
    """A migration as Nova shows it at `version`."""
    data = {
        'id': number,
        'instance_uuid': INSTANCE,
        'source_compute': 'compute1',
        'dest_compute': 'compute2',
        'source_node': 'compute1.example.org',
        'dest_node': 'compute2.example.org',
        'dest_host': '127.0.0.1',
        'status': 'done',
        'old_instance_type_id': 1,
        'new_instance_type_id': 1,
        'created_at': '2026-12-01T05:00:00.000000',
        'updated_at': '2026-12-01T05:00:09.000000',
    }
    if version >= (2, 23):
        data['migration_type'] = 'evacuation'
    if version >= (2, 59):
        data['uuid'] = f'5d1c0c00-0000-4000-8000-0000000000{number:02d}'
    if version >= (2, 80):
        data['user_id'] = 'u1'
        data['project_id'] = 'p1'
    data.update(extra)
    return data


class MigrationListTest(testtools.TestCase):
    def migrations(self, pinned=None, high='2.104'):
        self.compute = self.useFixture(fakes.ComputeFixture('2.1', high))
        return make_client(pinned).migrations

    def sent(self):
        return [
            (r.query, r.headers['OpenStack-API-Version'])
            for r in self.compute.api_requests()
        ]

    def test_filters_are_sent(self):
        migrations = self.migrations()
        self.compute.mock.get(URL, json={'migrations': [migration(1)]})
        (found,) = migrations.list(
            host='compute1',
            server_id=INSTANCE,
            migration_type='evacuation',
            status='done',
            since='2026-12-01T05:00:00Z',
        )
        self.assertEqual(
            [
                (
                    'host=compute1&instance_uuid='
                    + INSTANCE
                    + '&migration_type=evacuation&status=done'
                    '&changes-since=2026-12-01T05%3A00%3A00Z',
                    'compute 2.104',
                )
            ],
            self.sent(),
        )
        self.assertEqual('evacuation', found.migration_type)
        self.assertEqual(('u1', 'p1'), (found.user_id, found.project_id))

    def test_before_2_59_one_request_and_no_uuid(self):
        migrations = self.migrations('2.58')
        self.compute.mock.get(
            URL, json={'migrations': [migration(1, (2, 58))]}
        )
        (found,) = migrations.list(host='compute1')
        self.assertEqual([('host=compute1', 'compute 2.58')], self.sent())
        self.assertEqual(1, found.id)
        self.assertIsNone(found.uuid)
        self.assertEqual('evacuation', found.migration_type)

    def test_from_2_59_every_page(self):
        migrations = self.migrations('2.59')
        first = migration(2, (2, 59))
        self.compute.mock.get(
            URL,
            [
                {
                    'json': {
                        'migrations': [first],
                        'migrations_links': [
                            {
                                'rel': 'next',
                                'href': f'{URL}?marker={first["uuid"]}',
                            }
                        ],
                    }
                },
                {'json': {'migrations': [migration(1, (2, 59))]}},
            ],
        )
        found = migrations.list(host='compute1')
        self.assertEqual([2, 1], [m.id for m in found])
        self.assertEqual(first['uuid'], found[0].uuid)
        self.assertEqual(
            [
                ('host=compute1', 'compute 2.59'),
                ('host=compute1&marker=' + first['uuid'], 'compute 2.59'),
            ],
            self.sent(),
        )
        # User and project arrive at 2.80.
        self.assertIsNone(found[0].project_id)

    def test_since_is_refused_before_2_59(self):
        # Before 2.59 Nova drops changes-since and lists everything.
        for kwargs in ({'pinned': '2.58'}, {'high': '2.58'}):
            migrations = self.migrations(**kwargs)
            error = self.assertRaises(
                exceptions.UnsupportedVersion,
                migrations.list,
                since='2026-12-01T05:00:00Z',
            )
            self.assertIn(
                'listing migrations changed since a time needs compute API '
                'version 2.59 or later',
                str(error),
            )
            self.assertEqual([], self.sent())

    def test_before_2_23_no_type_in_the_answer(self):
        migrations = self.migrations('2.22')
        self.compute.mock.get(
            URL, json={'migrations': [migration(1, (2, 22))]}
        )
        (found,) = migrations.list(migration_type='evacuation')
        self.assertIsNone(found.migration_type)
        self.assertEqual(
            [('migration_type=evacuation', 'compute 2.22')], self.sent()
        )
