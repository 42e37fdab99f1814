"""Which requests are retried, how often, and which never are."""

import fixtures
import requests

from hostctl import exceptions
from tests.unit import cli
from tests.unit import fakes

SERVICES_URL = fakes.COMPUTE_URL + '/os-services'
BUSY = {'status_code': 503, 'json': {'computeFault': {'message': 'busy'}}}
OK = {'json': {'services': []}}


class RetryTest(cli.TestCase):
    def setUp(self):
        super().setUp()
        self.compute = self.useFixture(fakes.ComputeFixture())

    def run_list(self, *options):
        return cli.run_cli([*options, *cli.TOKEN_ARGS, 'service-list'])

    def sent(self, method='GET', path='/v2.1/os-services'):
        return [
            r
            for r in self.compute.mock.request_history
            if r.method == method and r.path == path
        ]

    def test_every_request_is_bounded_in_time(self):
        self.compute.mock.get(SERVICES_URL, **OK)
        self.assertEqual(0, self.run_list()[0])
        self.assertEqual(
            {60.0}, {r.timeout for r in self.compute.mock.request_history}
        )
        self.assertEqual(0, self.run_list('--timeout', '2.5')[0])
        self.assertEqual(2.5, self.compute.mock.request_history[-1].timeout)

    def test_503_twice_then_success(self):
        self.compute.mock.get(SERVICES_URL, [BUSY, BUSY, OK])
        rc, _, err = self.run_list()
        self.assertEqual((0, ''), (rc, err))
        self.assertEqual(3, len(self.sent()))
        # keystoneauth's exponential backoff, between the attempts.
        self.assertEqual(
            [0.5, 1.0], [c.args[0] for c in self.backoff.call_args_list]
        )

    def test_retries_are_bounded(self):
        self.compute.mock.get(SERVICES_URL, **BUSY)
        rc, _, err = self.run_list()
        self.assertEqual(exceptions.ExitCode.SERVER, rc)
        self.assertIn('HTTP 503: busy', err)
        self.assertEqual(4, len(self.sent()))  # 1 + the default 3 retries

    def test_retries_option_and_environment(self):
        self.compute.mock.get(SERVICES_URL, **BUSY)
        self.run_list('--retries', '1')
        self.assertEqual(2, len(self.sent()))
        self.useFixture(fixtures.EnvironmentVariable('HOSTCTL_RETRIES', '0'))
        self.run_list()
        self.assertEqual(3, len(self.sent()))

    def test_502_and_504_are_retried_500_is_not(self):
        for code, attempts in ((502, 2), (504, 2), (500, 1)):
            self.compute.mock.get(SERVICES_URL, status_code=code, json={})
            before = len(self.sent())
            rc, _, _ = self.run_list('--retries', '1')
            self.assertEqual(exceptions.ExitCode.SERVER, rc)
            self.assertEqual(attempts, len(self.sent()) - before, code)

    def test_connection_failure_is_retried(self):
        self.compute.mock.get(
            SERVICES_URL, [{'exc': requests.exceptions.ConnectionError}, OK]
        )
        rc, _, err = self.run_list()
        self.assertEqual((0, ''), (rc, err))
        self.assertEqual(2, len(self.sent()))

    def test_broken_body_is_retried(self):
        self.compute.mock.get(
            SERVICES_URL,
            [{'exc': requests.exceptions.ChunkedEncodingError}, OK],
        )
        rc, _, err = self.run_list()
        self.assertEqual((0, ''), (rc, err))
        self.assertEqual(2, len(self.sent()))

    def test_timeouts_are_never_retried(self):
        for exc in (
            requests.exceptions.ReadTimeout,
            requests.exceptions.ConnectTimeout,
        ):
            self.compute.mock.get(SERVICES_URL, exc=exc)
            before = len(self.sent())
            rc, _, err = self.run_list()
            self.assertEqual(exceptions.ExitCode.SERVER, rc)
            self.assertIn('within --timeout', err)
            self.assertEqual(1, len(self.sent()) - before, exc)

    def test_put_is_retried(self):
        # Setting a service's state is idempotent: safe to repeat.
        service = fakes.SERVICES[1]
        url = f'{fakes.COMPUTE_URL}/os-services/{service["uuid"]}'
        answer = {'json': {'service': dict(service, status='disabled')}}
        self.compute.mock.put(url, [BUSY, answer])
        rc, _, err = cli.run_cli(
            [*cli.TOKEN_ARGS, 'service-disable', 'compute1', 'nova-compute']
        )
        self.assertEqual((0, ''), (rc, err))
        self.assertEqual(
            2, len(self.sent('PUT', url[len('http://compute.example:8774') :]))
        )

    def test_failed_put_says_the_change_may_have_been_made(self):
        service = fakes.SERVICES[1]
        url = f'{fakes.COMPUTE_URL}/os-services/{service["uuid"]}'
        self.compute.mock.put(url, exc=requests.exceptions.ReadTimeout)
        rc, _, err = cli.run_cli(
            [*cli.TOKEN_ARGS, 'service-disable', 'compute1', 'nova-compute']
        )
        self.assertEqual(exceptions.ExitCode.SERVER, rc)
        self.assertIn('the change may or may not have been made', err)
        self.assertEqual(1, len(err.splitlines()))


class TokenRequestTest(cli.LabCloudTestCase):
    """The token request is a POST: it is never retried."""

    def test_token_post_is_not_retried(self):
        self.compute.mock.post(
            fakes.IDENTITY_URL + '/auth/tokens', [BUSY, BUSY]
        )
        rc, _, err = cli.run_cli(['--os-cloud', 'lab', 'service-list'])
        self.assertEqual(exceptions.ExitCode.SERVER, rc)
        posts = [
            r for r in self.compute.mock.request_history if r.method == 'POST'
        ]
        self.assertEqual(1, len(posts))

    def test_version_discovery_is_retried(self):
        document = fakes.version_document()
        self.compute.mock.get(fakes.COMPUTE_URL, [BUSY, {'json': document}])
        rc, _, err = cli.run_cli(
            [
                '--os-cloud',
                'lab',
                'service-force-down',
                'compute2',
                'nova-compute',
            ]
        )
        # 2.11 or later was negotiated (compute2 is already down), so the
        # version document was read on the second try.
        self.assertEqual(0, rc, err)
        self.assertIn('already forced down', err)
        discovery = [
            r
            for r in self.compute.mock.request_history
            if r.url.rstrip('/') == fakes.COMPUTE_URL
        ]
        self.assertEqual(2, len(discovery))

    def test_unreadable_version_document_is_not_taken_for_2_1(self):
        self.compute.mock.get(fakes.COMPUTE_URL, **BUSY)
        self.compute.mock.get(fakes.COMPUTE_URL + '/', **BUSY)
        rc, _, err = cli.run_cli(
            [
                '--os-cloud',
                'lab',
                'service-force-down',
                'compute2',
                'nova-compute',
            ]
        )
        # Not exit 6 ("this cloud serves 2.1"): the cloud failed.
        self.assertEqual(exceptions.ExitCode.SERVER, rc, err)
        self.assertIn('HTTP 503: busy', err)
