"""Microversion negotiation: the version each request is sent with."""

import testtools
from keystoneauth1 import session as ksa_session
from keystoneauth1 import token_endpoint

from hostctl import exceptions
from hostctl.v2_1 import base
from hostctl.v2_1 import client
from tests.unit import fakes


def make_client(version=None):
    auth = token_endpoint.Token(fakes.COMPUTE_URL, fakes.TOKEN)
    session = ksa_session.Session(auth=auth)
    return client.Client(
        session, version=version, endpoint_override=fakes.COMPUTE_URL
    )


class _Probe(base.Manager):
    """A manager with one method per kind of declared range."""

    @base.requires('2.1', what='listing')
    def open_ended(self, version):
        return version

    @base.requires('2.11', what='forcing a service down')
    def from_2_11(self, version):
        return version

    @base.requires('2.1', '2.35', what='pinging servers through os-fping')
    def up_to_2_35(self, version):
        return version


class NegotiationTest(testtools.TestCase):
    def probe(self, low, high, version=None):
        self.useFixture(fakes.ComputeFixture(low, high))
        return _Probe(make_client(version))

    def test_negotiates_the_highest_both_support(self):
        self.assertEqual((2, 104), self.probe('2.1', '2.104').open_ended())
        self.assertEqual((2, 60), self.probe('2.1', '2.60').open_ended())

    def test_never_above_the_tested_maximum(self):
        self.assertEqual((2, 104), self.probe('2.1', '2.120').open_ended())

    def test_method_maximum_caps_the_version(self):
        self.assertEqual((2, 35), self.probe('2.1', '2.104').up_to_2_35())
        self.assertEqual((2, 20), self.probe('2.1', '2.20').up_to_2_35())

    def test_too_old_cloud_is_refused_with_both_ranges(self):
        probe = self.probe('2.1', '2.10')
        error = self.assertRaises(
            exceptions.UnsupportedVersion, probe.from_2_11
        )
        self.assertEqual(
            'forcing a service down needs compute API version 2.11 or '
            'later; this cloud serves 2.1 to 2.10',
            str(error),
        )
        self.assertEqual(exceptions.ExitCode.UNSUPPORTED, error.exit_code)

    def test_cloud_whose_minimum_is_above_the_method_maximum(self):
        probe = self.probe('2.40', '2.104')
        error = self.assertRaises(
            exceptions.UnsupportedVersion, probe.up_to_2_35
        )
        self.assertIn('needs compute API version 2.1 to 2.35', str(error))
        self.assertIn('this cloud serves 2.40 to 2.104', str(error))

    def test_pinned_version_is_used_as_it_is(self):
        self.assertEqual(
            (2, 53), self.probe('2.1', '2.104', '2.53').open_ended()
        )
        self.assertEqual(
            (2, 11), self.probe('2.1', '2.104', '2.11').from_2_11()
        )

    def test_pinned_version_below_the_method_minimum_is_not_raised(self):
        probe = self.probe('2.1', '2.104', '2.10')
        error = self.assertRaises(
            exceptions.UnsupportedVersion, probe.from_2_11
        )
        self.assertEqual(
            'forcing a service down needs compute API version 2.11 or '
            'later, but 2.10 was asked for with --os-compute-api-version',
            str(error),
        )

    def test_pinned_version_above_the_method_maximum_is_not_lowered(self):
        probe = self.probe('2.1', '2.104', '2.36')
        self.assertRaises(exceptions.UnsupportedVersion, probe.up_to_2_35)

    def test_pinned_version_the_cloud_does_not_serve(self):
        probe = self.probe('2.1', '2.60', '2.61')
        error = self.assertRaises(
            exceptions.UnsupportedVersion, probe.open_ended
        )
        self.assertIn('2.61 was asked for', str(error))
        self.assertIn('this cloud serves 2.1 to 2.60', str(error))

    def test_pinned_version_above_what_hostctl_supports(self):
        probe = self.probe('2.1', '2.120', '2.110')
        error = self.assertRaises(
            exceptions.UnsupportedVersion, probe.open_ended
        )
        self.assertIn('hostctl supports up to 2.104', str(error))

    def test_auto_and_latest_negotiate(self):
        for word in ('auto', 'latest', 'AUTO'):
            self.assertEqual(
                (2, 70), self.probe('2.1', '2.70', word).open_ended()
            )

    def test_discovery_happens_once(self):
        compute = self.useFixture(fakes.ComputeFixture('2.1', '2.104'))
        probe = _Probe(make_client())
        probe.open_ended()
        probe.from_2_11()
        discovery = [
            r
            for r in compute.mock.request_history
            if r.path.rstrip('/') == '/v2.1'
        ]
        self.assertEqual(1, len(discovery))


class ParseTest(testtools.TestCase):
    def test_valid(self):
        self.assertEqual((2, 53), base.parse('2.53'))
        self.assertEqual((2, 1), base.parse(' 2.1 '))
        self.assertIsNone(base.parse_requested(None))
        self.assertIsNone(base.parse_requested('latest'))

    def test_invalid(self):
        for text in ('2', '3.1', '2.x', '', 'two', '2.1.1', '-2.1'):
            error = self.assertRaises(exceptions.UsageError, base.parse, text)
            self.assertIn(repr(text), str(error))
