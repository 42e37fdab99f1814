"""The warm run's auth plugin answers as the real plugin would."""

import json

import testtools
from keystoneauth1 import session
from keystoneauth1.identity import generic

from hostctl import cachedtoken
from tests.unit import fakes

STATE = json.dumps({'auth_token': fakes.TOKEN, 'body': fakes.token_response()})


def real():
    plugin = generic.Password(
        fakes.IDENTITY_URL, username='admin', password='unused'
    )
    plugin.set_auth_state(STATE)
    return plugin


class CachedTokenTest(testtools.TestCase):
    def test_token_and_endpoints_as_the_real_plugin_gives_them(self):
        sess = session.Session()
        built = []
        plugin = cachedtoken.CachedToken(
            STATE, lambda: built.append(1) or real()
        )
        self.assertEqual(fakes.TOKEN, plugin.get_token(sess))
        for interface in (None, 'public', 'internal'):
            for region in (None, 'RegionOne'):
                self.assertEqual(
                    real().get_endpoint(
                        sess,
                        service_type='compute',
                        interface=interface,
                        region_name=region,
                    ),
                    plugin.get_endpoint(
                        sess,
                        service_type='compute',
                        interface=interface,
                        region_name=region,
                    ),
                    (interface, region),
                )
        self.assertEqual([], built)  # no identity plugin was needed
        self.assertTrue(plugin.auth_ref.scoped)
        self.assertEqual(STATE, plugin.get_auth_state())

    def test_a_missing_service_is_keystoneauths_error(self):
        from keystoneauth1 import exceptions as ksa

        plugin = cachedtoken.CachedToken(STATE, real)
        self.assertRaises(
            ksa.EndpointNotFound,
            plugin.get_endpoint,
            session.Session(),
            service_type='database',
        )

    def test_a_refused_token_hands_over_to_the_real_plugin(self):
        built = []

        def build():
            built.append(real())
            return built[-1]

        plugin = cachedtoken.CachedToken(STATE, build)
        self.assertTrue(plugin.invalidate())
        self.assertEqual(1, len(built))
        self.assertIsNone(plugin.auth_ref)  # dropped: authenticate anew
