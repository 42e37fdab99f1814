"""instance-rpc-ping against the real Trove of the local cloud."""

from tests.functional import base
from tests.functional.base import hostctl


def instances():
    return base.cloud()['instances']


class RpcPingTest(base.TestCase):
    def test_all_shows_each_guest_as_it_is(self):
        result = hostctl('instance-rpc-ping', '--all', '-f', 'json')
        self.assertEqual(3, result.rc, result.err)
        rows = {r['Name']: r for r in result.json()}
        for kind in ('answering', 'silent', 'failing'):
            self.assertIn(instances()[kind]['name'], rows)
        answering = rows[instances()['answering']['name']]
        silent = rows[instances()['silent']['name']]
        failing = rows[instances()['failing']['name']]
        self.assertEqual(
            (True, None), (answering['Alive'], answering['Error'])
        )
        self.assertEqual(
            (False, 'Timeout trying to connect to the Guest Agent.'),
            (silent['Alive'], silent['Error']),
        )
        self.assertFalse(failing['Alive'])
        self.assertTrue(
            failing['Error'].startswith(
                'An error occurred communicating with the guest'
            )
        )
        self.assertIn('guests not alive', result.err)

    def test_by_name_and_by_id(self):
        answering = instances()['answering']
        by_name = hostctl('instance-rpc-ping', answering['name'], '-f', 'json')
        self.assertOk(by_name)
        self.assertEqual(answering['id'], by_name.json()[0]['ID'])
        by_id = hostctl(
            'instance-rpc-ping', answering['id'], '-f', 'value', '-c', 'Alive'
        )
        self.assertOk(by_id)
        self.assertEqual('True\n', by_id.out)

    def test_silent_guest_alone_exits_not_alive(self):
        result = hostctl('instance-rpc-ping', instances()['silent']['name'])
        self.assertEqual(3, result.rc)
        self.assertEqual('hostctl: 1 of 1 guests not alive\n', result.err)

    def test_unknown_instance(self):
        self.assertFails(
            hostctl('instance-rpc-ping', 'db-nope'),
            4,
            "no database instance named or with ID 'db-nope'",
        )
        unknown = '00000000-0000-4000-8000-000000000000'
        result = hostctl('instance-rpc-ping', unknown, '-f', 'json')
        self.assertEqual(4, result.rc, result.err)
        self.assertIsNone(result.json()[0]['Alive'])

    def test_member_is_told_it_needs_admin(self):
        result = hostctl('instance-rpc-ping', '--all', cloud_name='member')
        self.assertFails(result, 5, 'need the admin role')
        self.assertIn('User does not have admin privileges.', result.err)
        result = hostctl(
            'instance-rpc-ping', instances()['demo']['id'], cloud_name='member'
        )
        self.assertFails(result, 5, 'need the admin role')
