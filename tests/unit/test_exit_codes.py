"""One table of exit codes, and each failure recognised by what it is."""

import http.client
import os
import socket
import ssl

import requests
from urllib3 import exceptions as urllib3_exceptions

from hostctl import exceptions
from hostctl import failures
from tests.unit import cli
from tests.unit import fakes

TOP = os.path.dirname(os.path.dirname(os.path.dirname(__file__)))
FORCED_DOWN = fakes.SERVICES[2]
FORCED_DOWN_URL = f'{fakes.COMPUTE_URL}/os-services/{FORCED_DOWN["uuid"]}'
EVACUATIONS_REMAIN = {
    'badRequest': {
        'code': 400,
        'message': 'Unable to force up host compute2 as `done` evacuation '
        'migration records remain associated with the host.',
    }
}


class TableTest(cli.TestCase):
    def test_readme_table_is_the_enums(self):
        with open(os.path.join(TOP, 'README.md'), encoding='utf-8') as f:
            readme = f.read().splitlines()
        table = exceptions.readme_table()
        start = readme.index(table[0])
        self.assertEqual(table, readme[start : start + len(table)])

    def test_help_is_the_enums(self):
        rc, out, _ = cli.run_cli(['--help'])
        self.assertEqual(0, rc)
        self.assertIn(exceptions.exit_code_table(), out)
        self.assertEqual(
            [int(c) for c in exceptions.ExitCode],
            list(range(len(exceptions.ExitCode))),
        )

    def test_every_member_carries_its_meaning(self):
        for code in exceptions.ExitCode:
            self.assertTrue(code.help and code.doc, code)


class BadRequestTest(cli.TestCase):
    """Nova's 400 by what was asked: a change refused for the resource's
    state is a conflict, a read's bad value a usage error."""

    def setUp(self):
        super().setUp()
        self.compute = self.useFixture(fakes.ComputeFixture())

    def test_a_change_refused_for_the_hosts_state_is_9(self):
        self.compute.mock.put(
            FORCED_DOWN_URL, status_code=400, json=EVACUATIONS_REMAIN
        )
        rc, out, err = cli.run_cli(
            [
                *cli.TOKEN_ARGS,
                'service-force-down',
                '--unset',
                'compute2',
                'nova-compute',
            ]
        )
        self.assertEqual(exceptions.ExitCode.CONFLICT, rc)
        self.assertEqual(
            'hostctl: the compute API refused the change: Unable to force up '
            'host compute2 as `done` evacuation migration records remain '
            'associated with the host.\n',
            err,
        )

    def test_a_value_a_read_was_refused_for_is_2(self):
        self.compute.mock.get(
            fakes.COMPUTE_URL + '/os-services',
            status_code=400,
            json={'badRequest': {'code': 400, 'message': 'Invalid host'}},
        )
        rc, _, err = cli.run_cli([*cli.TOKEN_ARGS, 'service-list'])
        self.assertEqual(exceptions.ExitCode.USAGE, rc)
        self.assertIn('rejected the request: Invalid host', err)

    def test_a_malformed_post_is_a_bug_with_the_clouds_words(self):
        error = _http_error(400, 'POST', 'Invalid input for field')
        mapped = failures.translate(error, 'the compute API')
        self.assertEqual(
            exceptions.ExitCode.UNEXPECTED, exceptions.exit_code_for(mapped)
        )
        self.assertIn('Invalid input for field', str(mapped))
        self.assertIn('a bug in hostctl', str(mapped))


class DeleteTest(cli.TestCase):
    """A DELETE is sent once: a retry of one that was carried out would be
    answered 404, and read as "it was not there"."""

    def setUp(self):
        super().setUp()
        self.compute = self.useFixture(fakes.ComputeFixture())

    def test_delete_is_not_retried(self):
        from hostctl import transport

        self.assertNotIn('DELETE', transport.IDEMPOTENT)
        self.compute.mock.delete(
            fakes.COMPUTE_URL + '/tagged',
            [{'status_code': 503, 'json': {}}, {'status_code': 204}],
        )
        from hostctl.v2_1 import client

        sess = transport.Session(retries=3)
        compute = client.Client(
            sess, endpoint_override=fakes.COMPUTE_URL, version='2.26'
        )
        error = self.assertRaises(
            exceptions.ServerError, compute.delete, '/tagged', (2, 26)
        )
        self.assertIn('may or may not have been made', str(error))
        deletes = [
            r
            for r in self.compute.mock.request_history
            if r.method == 'DELETE'
        ]
        self.assertEqual(1, len(deletes))


def _http_error(code, method, message):
    from keystoneauth1 import exceptions as ksa

    response = requests.Response()
    response.status_code = code
    response._content = b'{"badRequest": {"code": %d, "message": "%s"}}' % (
        code,
        message.encode(),
    )
    return ksa.from_response(response, method, fakes.COMPUTE_URL + '/x')


def _wrapped(error, url='http://compute.example:8774/v2.1/os-services'):
    """`error` as keystoneauth raises it: in requests' error, in urllib3's."""
    from keystoneauth1 import exceptions as ksa

    try:
        try:
            try:
                raise error
            except BaseException as exc:
                raise urllib3_exceptions.ProtocolError(
                    'Connection aborted.', exc
                ) from exc
        except BaseException as exc:
            raise requests.exceptions.ConnectionError(
                exc, request=requests.Request('GET', url)
            ) from exc
    except requests.exceptions.ConnectionError:
        try:
            raise ksa.ConnectFailure('words that may change')
        except ksa.ConnectFailure as failure:
            return failure


class ByTypeTest(cli.TestCase):
    """The reason comes from the socket error's type, whatever the words."""

    def message(self, error):
        return str(failures.translate(_wrapped(error), 'the compute API'))

    def test_socket_errors(self):
        for error, words in (
            (ConnectionRefusedError('x'), 'cannot reach'),
            (ConnectionResetError('x'), '(the connection was reset)'),
            (http.client.RemoteDisconnected('x'), 'closed the connection'),
            (socket.gaierror('x'), '(unknown host name)'),
        ):
            message = self.message(error)
            self.assertIn(words, message)
            self.assertIn(
                'http://compute.example:8774/v2.1/os-services', message
            )

    def test_tls_verification(self):
        error = ssl.SSLCertVerificationError('words')
        error.verify_message = 'self-signed certificate'
        from keystoneauth1 import exceptions as ksa

        try:
            try:
                raise requests.exceptions.SSLError(
                    error,
                    request=requests.Request(
                        'GET', 'https://nova.example:8774/x'
                    ),
                )
            except requests.exceptions.SSLError:
                raise ksa.SSLError('anything') from None
        except ksa.SSLError as exc:
            failure = exc
        failure.__context__ = requests.exceptions.SSLError(
            error,
            request=requests.Request('GET', 'https://nova.example:8774/x'),
        )
        message = str(failures.translate(failure, 'the compute API'))
        self.assertIn(
            'the TLS certificate of https://nova.example:8774 is not trusted '
            '(self-signed certificate)',
            message,
        )
