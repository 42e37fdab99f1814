"""The failure matrix: hostctl against the real cloud, through a faulty proxy.

Each test puts one fault between hostctl and the real Keystone, Nova or
Trove (faultproxy.py) and asserts what an operator sees: the documented
exit code, one ``hostctl:`` line on stderr that says what to do, no
traceback, and what was (and was not) sent again. README.md's "Failure
behaviour" table lists the same rows.
"""

from __future__ import annotations

import os
import time

import testtools

from tests.functional import base
from tests.functional import test_evacuate
from tests.functional import faultproxy as fp
from tests.functional import test_tls

SERVICES = r'/v2.1/os-services$'
VERSIONS = r'/v2.1$'
LIST = ('service-list', '-f', 'value', '-c', 'Host')


class FaultTestCase(base.TestCase):
    def setUp(self):
        super().setUp()
        self.cloud = self.useFixture(base.ProxiedCloud())
        self.proxy = self.cloud.proxy

    def hostctl(self, *argv, **kwargs):
        start = time.monotonic()
        result = self.cloud.hostctl(*argv, **kwargs)
        self.elapsed = time.monotonic() - start
        return result

    def sent(self, service='compute', method='GET', path=SERVICES) -> int:
        return self.proxy.count(service, method, path)

    def assertListed(self, result):
        self.assertOk(result)
        self.assertEqual(
            sorted(base.cloud()['hosts']),
            sorted(h for h in result.out.split() if h.startswith('compute')),
        )


class ConnectionFaultTest(FaultTestCase):
    def test_identity_refuses_connections(self):
        closed = f'http://127.0.0.1:{self.proxy.closed_port}/v3'
        result = self.hostctl('--os-auth-url', closed, *LIST)
        self.assertFails(result, 7, f'cannot reach {closed}')
        self.assertIn('(connection refused); is the cloud up', result.err)

    def test_compute_refuses_connections(self):
        # The catalogue names a port nobody listens on: Nova is down.
        self.proxy.refuse.add('compute')
        result = self.hostctl('--retries', '1', *LIST)
        self.assertFails(result, 7, '(connection refused)')
        self.assertIn(f':{self.proxy.closed_port}/v2.1', result.err)

    def test_connection_reset_mid_body_is_retried(self):
        self.proxy.add('compute', fp.Fault(reset=True), path=SERVICES, times=1)
        self.assertListed(self.hostctl(*LIST))
        self.assertEqual(2, self.sent())

    def test_connection_reset_every_time(self):
        self.proxy.add('compute', fp.Fault(reset=True), path=SERVICES)
        result = self.hostctl('--retries', '2', *LIST)
        self.assertFails(result, 7, 'lost the connection to http://')
        self.assertIn('(the connection was reset)', result.err)
        self.assertIn('try again later', result.err)
        self.assertEqual(3, self.sent())

    def test_slower_than_timeout_is_not_retried(self):
        self.proxy.add('compute', fp.Fault(delay=10), path=SERVICES)
        result = self.hostctl('--timeout', '1', *LIST)
        self.assertFails(result, 7, 'did not answer within --timeout')
        self.assertIn('raise --timeout', result.err)
        self.assertEqual(1, self.sent())
        self.assertLess(self.elapsed, 4)

    def test_a_server_that_never_answers_costs_about_timeout(self):
        self.proxy.add('compute', fp.Fault(delay=60))
        result = self.hostctl('--timeout', '1', *LIST)
        self.assertFails(result, 7, '/v2.1 did not answer within --timeout')
        self.assertEqual(1, self.sent(path=''))
        self.assertLess(self.elapsed, 4)

    def test_identity_that_never_answers(self):
        # keystoneauth asks the identity service for its versions, then
        # for a token, once each: about twice --timeout.
        self.proxy.add('identity', fp.Fault(delay=60))
        result = self.hostctl('--timeout', '1', *LIST)
        self.assertFails(result, 7, '/v3/auth/tokens did not answer')
        self.assertEqual(1, self.sent('identity', 'POST', ''))
        self.assertLess(self.elapsed, 5)


class PagingTest(FaultTestCase):
    """Every list follows every page: the real Nova, made to page small."""

    def test_hypervisors_matching_long_pinned_between_2_33_and_2_52(self):
        detail = r'/v2.1/os-hypervisors/detail'
        self.proxy.add('compute', fp.Fault(page_size=1), path=detail)
        for version in ('2.33', '2.52'):
            result = self.hostctl(
                '--os-compute-api-version',
                version,
                'hypervisor-list',
                '--matching',
                'compute',
                '--long',
                '-f',
                'json',
            )
            self.assertOk(result)
            # A hypervisor hostname may be its host's FQDN.
            self.assertEqual(
                sorted(base.cloud()['hypervisor_hostnames'].values()),
                sorted(r['Hypervisor Hostname'] for r in result.json()),
                version,
            )
        # At least a page per hypervisor, each version.
        self.assertGreaterEqual(
            self.sent(path=detail), 2 * len(base.cloud()['hosts'])
        )

    def test_servers_across_pages(self):
        servers = r'/v2.1/servers/detail'
        self.proxy.add('compute', fp.Fault(page_size=2), path=servers)
        result = self.hostctl('server-list', '--all-projects', '-f', 'json')
        self.assertOk(result)
        self.assertEqual(
            sorted(s['id'] for s in base.cloud()['servers']),
            sorted(r['ID'] for r in result.json()),
        )
        self.assertGreater(self.sent(path=servers), 2)


class StatusFaultTest(FaultTestCase):
    def test_503_twice_then_success(self):
        self.proxy.add(
            'compute', fp.status(503, 'busy'), path=SERVICES, times=2
        )
        self.assertListed(self.hostctl(*LIST))
        self.assertEqual(3, self.sent())

    def test_503_on_version_discovery_is_retried_too(self):
        self.proxy.add(
            'compute', fp.status(503, 'busy'), path=VERSIONS, times=1
        )
        # A command that needs 2.11: the version document was read.
        result = self.hostctl(
            'service-force-down', '--unset', 'compute1', 'nova-compute'
        )
        self.assertOk(result)
        self.assertEqual(2, self.sent(path=VERSIONS))

    def test_503_always_gives_up_after_the_retries(self):
        self.proxy.add('compute', fp.status(503, 'busy'), path=SERVICES)
        result = self.hostctl('--retries', '2', *LIST)
        self.assertFails(result, 7, 'failed with HTTP 503: busy')
        self.assertIn('try again later', result.err)
        self.assertEqual(3, self.sent())

    def test_server_fping_lookup_failing_is_not_blamed_on_os_fping(self):
        web1 = [s for s in base.cloud()['servers'] if s['name'] == 'web-1']
        lookup = r'/v2.1/servers/' + web1[0]['id'] + '$'
        self.proxy.add('compute', fp.status(503, 'busy'), path=lookup)
        result = self.hostctl(
            '--retries', '0', '--no-cache', 'server-fping', web1[0]['id']
        )
        self.assertFails(result, 7, 'the compute API failed with HTTP 503')
        self.assertNotIn('os-fping', result.err)
        self.assertEqual('', result.out)
        # Sent once; os-fping never asked, nothing probed.
        self.assertEqual(1, self.sent(path=lookup))
        self.assertEqual(0, self.sent(path='/os-fping'))

    def test_no_retries_with_retries_0(self):
        self.proxy.add('compute', fp.status(503, 'busy'), path=SERVICES)
        self.assertFails(self.hostctl('--retries', '0', *LIST), 7, 'HTTP 503')
        self.assertEqual(1, self.sent())

    def test_500_always_is_not_retried(self):
        self.proxy.add('compute', fp.status(500, 'boom'), path=SERVICES)
        result = self.hostctl(*LIST)
        self.assertFails(result, 7, 'the compute API failed with HTTP 500')
        self.assertEqual(1, self.sent())

    def test_malformed_json(self):
        self.proxy.add(
            'compute',
            fp.Fault(status=200, body=b'{"services": ['),
            path=SERVICES,
        )
        result = self.hostctl(*LIST)
        self.assertFails(result, 7, 'with a body that is not JSON')

    def test_html_error_page(self):
        self.proxy.add(
            'compute', fp.html(502, '502 Bad Gateway'), path=SERVICES
        )
        result = self.hostctl('--retries', '1', *LIST)
        self.assertFails(
            result, 7, 'HTTP 502: 502 Bad Gateway (an HTML page, not an API'
        )
        self.assertNotIn('<', result.err)
        self.assertEqual(2, self.sent())

    def test_401_once_token_expired_mid_run(self):
        # keystoneauth fetches a new token and repeats the request once.
        self.proxy.add(
            'compute',
            fp.status(
                401,
                'The request you have made requires authentication.',
                'error',
            ),
            path=SERVICES,
            times=1,
        )
        self.assertListed(self.hostctl(*LIST))
        self.assertEqual(2, self.sent('identity', 'POST', '/auth/tokens'))
        self.assertEqual(2, self.sent())

    def test_401_always(self):
        self.proxy.add(
            'compute',
            fp.status(
                401,
                'The request you have made requires authentication.',
                'error',
            ),
            path=SERVICES,
        )
        result = self.hostctl(*LIST)
        self.assertFails(result, 5, 'authentication refused by the compute')
        self.assertIn('check your credentials', result.err)

    def test_wrong_password_is_5(self):
        result = self.hostctl('--os-password', 'not-the-password', *LIST)
        self.assertFails(
            result, 5, 'the identity service refused the credentials'
        )

    def test_403_policy(self):
        self.proxy.add(
            'compute',
            fp.status(
                403,
                "Policy doesn't allow os_compute_api:os-services:"
                'list to be performed.',
                'forbidden',
            ),
            path=SERVICES,
        )
        result = self.hostctl(*LIST)
        self.assertFails(result, 5, "the compute API's policy refused")

    def test_403_from_the_real_nova(self):
        result = self.hostctl(*LIST, cloud_name='member')
        self.assertFails(result, 5, "Policy doesn't allow")

    def test_404(self):
        self.proxy.add(
            'compute',
            fp.status(404, 'The resource could not be found.', 'itemNotFound'),
            path=SERVICES,
        )
        result = self.hostctl(*LIST)
        self.assertFails(result, 4, 'not found: The resource could not')

    def test_404_from_the_real_nova(self):
        result = self.hostctl('hypervisor-show', 'no-such-host')
        self.assertFails(result, 4, 'no-such-host')

    def test_406_version_not_acceptable(self):
        self.proxy.add(
            'compute',
            fp.status(
                406,
                'Version 2.104 is not supported by the API. '
                'Minimum is 2.1 and maximum is 2.96.',
                'computeFault',
            ),
            path=SERVICES,
        )
        result = self.hostctl(*LIST)
        self.assertFails(
            result, 6, 'does not accept the API version requested'
        )

    def test_409_conflict_changes_nothing(self):
        self.proxy.add(
            'compute',
            fp.status(409, 'Service is being updated', 'conflictingRequest'),
            method='PUT',
        )
        result = self.hostctl('service-disable', 'compute1', 'nova-compute')
        self.assertFails(result, 9, 'refused the change: Service is being')
        self.assertEqual(1, self.sent(method='PUT', path=''))
        self.assertServiceStatus('enabled')

    def test_400_on_a_change_is_a_conflict(self):
        # Nova's answer to forcing up a host whose evacuations are done
        # but not cleaned up: the host's state, not a bad command line.
        self.proxy.add(
            'compute',
            fp.status(
                400,
                'Unable to force up host compute1 as `done` evacuation '
                'migration records remain associated with the host.',
                'badRequest',
            ),
            method='PUT',
        )
        result = self.hostctl('service-disable', 'compute1', 'nova-compute')
        self.assertFails(
            result, 9, 'refused the change: Unable to force up host compute1'
        )
        self.assertEqual(1, self.sent(method='PUT', path=''))

    def test_identity_url_that_answers_404(self):
        wrong = self.proxy.url('identity') + '/nosuch/v3'
        result = self.hostctl('--os-auth-url', wrong, *LIST)
        self.assertFails(result, 2, 'check --os-auth-url')
        self.assertNotIn('credentials', result.err)

    def test_500_on_a_change_is_not_retried_and_says_so(self):
        self.proxy.add('compute', fp.status(500, 'boom'), method='PUT')
        result = self.hostctl('service-disable', 'compute1', 'nova-compute')
        self.assertFails(result, 7, 'the change may or may not have been made')
        self.assertEqual(1, self.sent(method='PUT', path=''))
        self.assertServiceStatus('enabled')

    def test_reset_after_a_change_is_retried(self):
        # The PUT reached Nova; its answer was cut. Setting a status is
        # idempotent, so asking again is safe and gives the true answer.
        self.addCleanup(self.enable)
        self.proxy.add('compute', fp.Fault(reset=True), method='PUT', times=1)
        result = self.hostctl(
            'service-disable', 'compute1', 'nova-compute', '-f', 'json'
        )
        self.assertOk(result)
        self.assertEqual('disabled', result.json()['Status'])
        self.assertEqual(2, self.sent(method='PUT', path=''))

    def test_reset_after_a_change_without_retries_says_it_may_be_done(self):
        self.addCleanup(self.enable)
        self.proxy.add('compute', fp.Fault(reset=True), method='PUT')
        result = self.hostctl(
            '--retries', '0', 'service-disable', 'compute1', 'nova-compute'
        )
        self.assertFails(result, 7, 'the change may or may not have been made')
        # And it was: the message did not claim otherwise.
        self.assertServiceStatus('disabled')

    def enable(self):
        self.assertOk(
            base.hostctl('service-enable', 'compute1', 'nova-compute')
        )

    def assertServiceStatus(self, status):
        result = base.hostctl(
            'service-list',
            '--host',
            'compute1',
            '--binary',
            'nova-compute',
            '-f',
            'value',
            '-c',
            'Status',
        )
        self.assertOk(result)
        self.assertEqual(status, result.out.strip())


class CatalogueFaultTest(FaultTestCase):
    def test_no_compute_endpoint(self):
        self.proxy.drop.add('compute')
        result = self.hostctl(*LIST)
        self.assertFails(
            result, 2, 'the compute API has no endpoint in the service'
        )
        self.assertIn('check --os-region-name and --os-interface', result.err)

    def test_no_database_endpoint(self):
        self.proxy.drop.add('database')
        result = self.hostctl('instance-rpc-ping', '--all')
        self.assertFails(
            result, 2, 'the database API has no endpoint in the service'
        )

    def test_unknown_region(self):
        result = self.hostctl('--os-region-name', 'RegionNine', *LIST)
        self.assertFails(
            result, 2, 'RegionNine is not a valid region name for cloud'
        )


class BulkFaultTest(FaultTestCase):
    """instance-rpc-ping --all: every guest reported, done or not."""

    def ping_all(self, *options):
        result = self.hostctl(
            *options, 'instance-rpc-ping', '--all', '-f', 'json'
        )
        rows = {row['Name']: row for row in result.json()}
        self.assertEqual(
            sorted(i['name'] for i in base.cloud()['instances'].values()),
            sorted(rows),
        )
        return result, rows

    def ping_path(self, kind):
        guest = base.cloud()['instances'][kind]['id']
        return f'/mgmt/instances/{guest}/rpc_ping$'

    def test_one_guest_failing_with_500_is_partial(self):
        self.proxy.add(
            'database',
            fp.status(500, 'boom'),
            path=self.ping_path('answering'),
        )
        result, rows = self.ping_all()
        self.assertEqual(8, result.rc, result.err)
        self.assertEqual(
            'hostctl: 1 of 4 guests could not be checked\n', result.err
        )
        answering = rows['db-answering']
        self.assertIsNone(answering['Alive'])
        self.assertIn('HTTP 500: boom', answering['Error'])
        self.assertTrue(rows['db-demo']['Alive'])
        self.assertFalse(rows['db-silent']['Alive'])

    def test_one_slow_guest_is_bounded_by_timeout(self):
        self.proxy.add(
            'database', fp.Fault(delay=30), path=self.ping_path('answering')
        )
        result, rows = self.ping_all('--timeout', '2')
        self.assertEqual(8, result.rc, result.err)
        self.assertIn(
            'did not answer within --timeout', rows['db-answering']['Error']
        )
        self.assertTrue(rows['db-demo']['Alive'])
        self.assertEqual(
            1, self.sent('database', 'GET', self.ping_path('answering'))
        )
        self.assertLess(self.elapsed, 6)

    def test_one_ping_reset_is_retried(self):
        self.proxy.add(
            'database',
            fp.Fault(reset=True),
            path=self.ping_path('answering'),
            times=1,
        )
        result, rows = self.ping_all()
        self.assertEqual(3, result.rc, result.err)  # silent and failing
        self.assertTrue(rows['db-answering']['Alive'])

    def test_every_ping_failing_is_the_failures_code(self):
        self.proxy.add('database', fp.status(500, 'boom'), path='/rpc_ping$')
        result, rows = self.ping_all()
        self.assertEqual(7, result.rc, result.err)
        self.assertEqual(
            'hostctl: 4 of 4 guests could not be checked\n', result.err
        )
        self.assertTrue(all(r['Alive'] is None for r in rows.values()))

    def test_listing_unavailable(self):
        self.proxy.add(
            'database', fp.status(503, 'busy'), path='/mgmt/instances'
        )
        result = self.hostctl('--retries', '1', 'instance-rpc-ping', '--all')
        self.assertFails(result, 7, 'the database API failed with HTTP 503')
        self.assertEqual('', result.out)


# README.md's "Failure behaviour" table, row by row: its exit code, and
# the test above (or in test_tls.py) that shows it.
MATRIX = {
    'identity service refuses connections': (
        7,
        ConnectionFaultTest.test_identity_refuses_connections,
    ),
    'compute API refuses connections': (
        7,
        ConnectionFaultTest.test_compute_refuses_connections,
    ),
    'connection reset mid-answer, once': (
        0,
        ConnectionFaultTest.test_connection_reset_mid_body_is_retried,
    ),
    'connection reset mid-answer, always': (
        7,
        ConnectionFaultTest.test_connection_reset_every_time,
    ),
    'answer slower than `--timeout`': (
        7,
        ConnectionFaultTest.test_slower_than_timeout_is_not_retried,
    ),
    'server that never answers': (
        7,
        ConnectionFaultTest.test_a_server_that_never_answers_costs_about_timeout,
    ),
    'identity service that never answers': (
        7,
        ConnectionFaultTest.test_identity_that_never_answers,
    ),
    '503 twice, then success': (
        0,
        StatusFaultTest.test_503_twice_then_success,
    ),
    '503 on the version document, once': (
        0,
        StatusFaultTest.test_503_on_version_discovery_is_retried_too,
    ),
    '503 always': (
        7,
        StatusFaultTest.test_503_always_gives_up_after_the_retries,
    ),
    '500': (7, StatusFaultTest.test_500_always_is_not_retried),
    'server-fping: the server lookup answers 503': (
        7,
        StatusFaultTest.test_server_fping_lookup_failing_is_not_blamed_on_os_fping,
    ),
    'malformed JSON': (7, StatusFaultTest.test_malformed_json),
    "HTML error page (a proxy's 502)": (
        7,
        StatusFaultTest.test_html_error_page,
    ),
    '401 once (token expired mid-run)': (
        0,
        StatusFaultTest.test_401_once_token_expired_mid_run,
    ),
    '401 always': (5, StatusFaultTest.test_401_always),
    'wrong password': (5, StatusFaultTest.test_wrong_password_is_5),
    '403 (policy)': (5, StatusFaultTest.test_403_policy),
    '404': (4, StatusFaultTest.test_404),
    '406 (version not acceptable)': (
        6,
        StatusFaultTest.test_406_version_not_acceptable,
    ),
    '409 on a change': (9, StatusFaultTest.test_409_conflict_changes_nothing),
    '400 on a change (the state of the host)': (
        9,
        StatusFaultTest.test_400_on_a_change_is_a_conflict,
    ),
    'identity URL that answers 404': (
        2,
        StatusFaultTest.test_identity_url_that_answers_404,
    ),
    '500 on a change': (
        7,
        StatusFaultTest.test_500_on_a_change_is_not_retried_and_says_so,
    ),
    'change made, answer cut off': (
        0,
        StatusFaultTest.test_reset_after_a_change_is_retried,
    ),
    'change made, answer cut off, `--retries 0`': (
        7,
        StatusFaultTest.test_reset_after_a_change_without_retries_says_it_may_be_done,
    ),
    'no compute endpoint in the catalogue': (
        2,
        CatalogueFaultTest.test_no_compute_endpoint,
    ),
    'no database endpoint in the catalogue': (
        2,
        CatalogueFaultTest.test_no_database_endpoint,
    ),
    'unknown region': (2, CatalogueFaultTest.test_unknown_region),
    'untrusted TLS certificate': (
        7,
        test_tls.TlsTest.test_verification_is_on_by_default,
    ),
    'CA bundle that does not exist': (2, test_tls.TlsTest.test_wrong_ca_file),
    'rpc-ping `--all`, one ping fails (500)': (
        8,
        BulkFaultTest.test_one_guest_failing_with_500_is_partial,
    ),
    'rpc-ping `--all`, one ping slower than `--timeout`': (
        8,
        BulkFaultTest.test_one_slow_guest_is_bounded_by_timeout,
    ),
    'rpc-ping `--all`, every ping fails alike': (
        7,
        BulkFaultTest.test_every_ping_failing_is_the_failures_code,
    ),
    'rpc-ping `--all`, the instance list fails': (
        7,
        BulkFaultTest.test_listing_unavailable,
    ),
    'host-evacuate, one request made but its answer lost': (
        8,
        test_evacuate.MoveFaultTest.test_a_lost_answer_is_not_retried_and_says_so,
    ),
    'host-evacuate, one server refused (409)': (
        8,
        test_evacuate.MoveFaultTest.test_one_refusal_is_that_servers_row,
    ),
}


class ReadmeTableTest(testtools.TestCase):
    def test_readme_lists_the_matrix(self):
        with open(os.path.join(base.TOP, 'README.md')) as f:
            text = f.read()
        section = text.split('## Failure behaviour', 1)[1].split('\n## ')[0]
        rows = {}
        for line in section.splitlines():
            cells = [c.strip() for c in line.strip().strip('|').split('|')]
            if len(cells) == 3 and cells[2].isdigit():
                rows[cells[0]] = int(cells[2])
        self.assertEqual({k: v[0] for k, v in MATRIX.items()}, rows)
