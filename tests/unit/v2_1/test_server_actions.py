"""Move actions: the request body on each side of every boundary.

evacuate 2.13/2.14 (onSharedStorage), 2.28/2.29 and 2.67/2.68 (force),
2.94/2.95 (arrives stopped); live migration 2.24/2.25 (block_migration
auto); cold migration 2.55/2.56 (target host). And none of them is ever
retried.
"""

import logging

import fixtures
import requests
import testtools
from keystoneauth1 import token_endpoint

from hostctl import exceptions
from hostctl import transport
from hostctl.v2_1 import client
from tests.unit import fakes
from tests.unit.v2_1.test_client import make_client

SERVER = '9f3a6a2e-5b1c-4d6e-8f70-0123456789ab'
ACTION = f'{fakes.COMPUTE_URL}/servers/{SERVER}/action'


class ActionBodyTest(testtools.TestCase):
    def actions(self, pinned):
        self.compute = self.useFixture(fakes.ComputeFixture())
        self.compute.mock.post(ACTION, status_code=202)
        return make_client(pinned).server_actions

    def sent(self):
        """(microversion, body) of each action sent."""
        return [
            (r.headers['OpenStack-API-Version'], r.json())
            for r in self.compute.api_requests()
            if r.method == 'POST'
        ]

    def evacuate(self, pinned, host=None, **kwargs):
        accepted = self.actions(pinned).evacuate(SERVER, host, **kwargs)
        (sent,) = self.sent()
        self.assertEqual('compute ' + pinned, sent[0])
        return accepted, sent[1]

    def test_evacuate_on_shared_storage_only_before_2_14(self):
        _, body = self.evacuate('2.13')
        self.assertEqual({'evacuate': {'onSharedStorage': False}}, body)
        _, body = self.evacuate('2.13', 'compute2', on_shared_storage=True)
        self.assertEqual(
            {'evacuate': {'host': 'compute2', 'onSharedStorage': True}}, body
        )
        _, body = self.evacuate('2.14', on_shared_storage=True)
        self.assertEqual({'evacuate': {}}, body)
        _, body = self.evacuate('2.14', 'compute2')
        self.assertEqual({'evacuate': {'host': 'compute2'}}, body)

    def test_evacuate_force_false_from_2_29_to_2_67(self):
        _, body = self.evacuate('2.28', 'compute2')
        self.assertEqual({'evacuate': {'host': 'compute2'}}, body)
        for version in ('2.29', '2.67'):
            _, body = self.evacuate(version, 'compute2')
            self.assertEqual(
                {'evacuate': {'host': 'compute2', 'force': False}}, body
            )
            # No target: nothing to force, Nova refuses force without one.
            _, body = self.evacuate(version)
            self.assertEqual({'evacuate': {}}, body)
        _, body = self.evacuate('2.68', 'compute2')
        self.assertEqual({'evacuate': {'host': 'compute2'}}, body)

    def test_evacuated_server_arrives_stopped_from_2_95(self):
        accepted, body = self.evacuate('2.94', 'compute2')
        self.assertEqual({'evacuate': {'host': 'compute2'}}, body)
        self.assertIsNone(accepted.arrives_as)
        self.assertEqual((2, 94), accepted.version)
        accepted, body = self.evacuate('2.95', 'compute2')
        self.assertEqual({'evacuate': {'host': 'compute2'}}, body)
        self.assertEqual('SHUTOFF', accepted.arrives_as)

    def test_evacuate_negotiates_the_newest(self):
        self.compute = self.useFixture(fakes.ComputeFixture())
        self.compute.mock.post(ACTION, status_code=200)
        accepted = make_client().server_actions.evacuate(SERVER)
        self.assertEqual((2, 104), accepted.version)
        self.assertEqual('SHUTOFF', accepted.arrives_as)

    def test_evacuate_answer_with_a_password_is_not_kept_or_logged(self):
        # Before 2.14 Nova may answer with the rebuilt server's password;
        # keystoneauth logs every answer's body at DEBUG (--debug).
        logged = self.useFixture(
            fixtures.FakeLogger(name='keystoneauth', level=logging.DEBUG)
        )
        self.compute = self.useFixture(fakes.ComputeFixture())
        json_type = {'Content-Type': 'application/json'}
        self.compute.mock.post(
            ACTION, json={'adminPass': 'Secret-9'}, headers=json_type
        )
        actions = make_client('2.13').server_actions
        accepted = actions.evacuate(SERVER)
        self.assertNotIn('Secret-9', repr(accepted))
        self.assertNotIn('Secret-9', logged.output)
        # From 2.14 there is no password, and the exchange is logged.
        self.compute.mock.post(
            ACTION, json={'note': 'Logged-7'}, headers=json_type
        )
        make_client('2.14').server_actions.evacuate(SERVER)
        self.assertIn('Logged-7', logged.output)

    def live(self, pinned, host=None):
        self.actions(pinned).live_migrate(SERVER, host)
        (sent,) = self.sent()
        self.assertEqual('compute ' + pinned, sent[0])
        return sent[1]

    def test_live_migration_block_migration_auto_from_2_25(self):
        self.assertEqual(
            {
                'os-migrateLive': {
                    'host': None,
                    'block_migration': False,
                    'disk_over_commit': False,
                }
            },
            self.live('2.24'),
        )
        self.assertEqual(
            {'os-migrateLive': {'host': None, 'block_migration': 'auto'}},
            self.live('2.25'),
        )
        self.assertEqual(
            {
                'os-migrateLive': {
                    'host': 'compute2',
                    'block_migration': 'auto',
                }
            },
            self.live('2.68', 'compute2'),
        )

    def test_cold_migration_target_host_from_2_56(self):
        actions = self.actions('2.56')
        actions.migrate(SERVER, 'compute2')
        actions.migrate(SERVER)
        self.assertEqual(
            [
                ('compute 2.56', {'migrate': {'host': 'compute2'}}),
                ('compute 2.56', {'migrate': None}),
            ],
            self.sent(),
        )

    def test_cold_migration_to_a_host_refused_before_2_56(self):
        actions = self.actions('2.55')
        error = self.assertRaises(
            exceptions.UnsupportedVersion,
            actions.migrate,
            SERVER,
            'compute2',
        )
        self.assertEqual(
            'cold migration to a chosen host needs compute API version '
            '2.56 or later, but 2.55 was asked for with '
            '--os-compute-api-version',
            str(error),
        )
        self.assertEqual([], self.sent())
        # Without a target the scheduler chooses: fine at any version.
        actions.migrate(SERVER)
        self.assertEqual([('compute 2.55', {'migrate': None})], self.sent())

    def test_confirm_resize(self):
        self.actions('2.56').confirm_resize(SERVER)
        self.assertEqual(
            [('compute 2.56', {'confirmResize': None})], self.sent()
        )

    def test_conflict_is_novas_words(self):
        self.compute = self.useFixture(fakes.ComputeFixture())
        message = "Cannot 'evacuate' instance while it is in vm_state paused"
        self.compute.mock.post(
            ACTION,
            status_code=409,
            json={'conflictingRequest': {'message': message, 'code': 409}},
        )
        error = self.assertRaises(
            exceptions.Conflict,
            make_client().server_actions.evacuate,
            SERVER,
        )
        self.assertEqual(message, error.detail)


class ActionNeverRetriedTest(testtools.TestCase):
    """A move is not idempotent: one POST, whatever happens to it."""

    def actions(self):
        self.compute = self.useFixture(fakes.ComputeFixture())
        auth = token_endpoint.Token(fakes.COMPUTE_URL, fakes.TOKEN)
        session = transport.Session(auth=auth, retries=3)
        return client.Client(
            session, endpoint_override=fakes.COMPUTE_URL
        ).server_actions

    def posts(self):
        return [
            r for r in self.compute.mock.request_history if r.method == 'POST'
        ]

    def test_503_is_not_retried(self):
        actions = self.actions()
        self.compute.mock.post(
            ACTION,
            status_code=503,
            json={'computeFault': {'message': 'busy', 'code': 503}},
        )
        error = self.assertRaises(
            exceptions.ServerError, actions.evacuate, SERVER
        )
        self.assertEqual(1, len(self.posts()))
        self.assertIn('HTTP 503: busy', str(error))
        self.assertIn('may or may not have been made', str(error))

    def test_lost_answer_is_not_retried(self):
        for method in (
            'evacuate',
            'live_migrate',
            'migrate',
            'confirm_resize',
        ):
            actions = self.actions()
            self.compute.mock.post(
                ACTION, exc=requests.exceptions.ConnectionError('reset')
            )
            error = self.assertRaises(
                exceptions.ServerError, getattr(actions, method), SERVER
            )
            self.assertEqual(1, len(self.posts()), method)
            self.assertIn('may or may not have been made', str(error))

    def test_time_out_is_not_retried(self):
        actions = self.actions()
        self.compute.mock.post(ACTION, exc=requests.exceptions.ReadTimeout)
        error = self.assertRaises(
            exceptions.ServerError, actions.live_migrate, SERVER
        )
        self.assertEqual(1, len(self.posts()))
        self.assertIn('may or may not have been made', str(error))
