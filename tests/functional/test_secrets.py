"""No secret in any output: every command, --debug and -v -v included.

A user made for this test, with a password that appears nowhere else,
runs every command through the fault proxy, which collects every token
that passes; the test searches all of hostctl's stdout and stderr for each
of them, and for an application credential secret and a wrong password
that were sent and refused.
"""

from __future__ import annotations

import json
import secrets
import urllib.request

from tests.functional import base

SECRET_PASSWORD = 'pw-' + secrets.token_hex(12)
SECRET_APP_CREDENTIAL = 'ac-' + secrets.token_hex(12)
WRONG_PASSWORD = 'wrong-' + secrets.token_hex(12)


def _keystone(method, path, token, body=None):
    request = urllib.request.Request(
        base.cloud()['auth_url'].rstrip('/') + path,
        data=json.dumps(body).encode() if body is not None else None,
        method=method,
        headers={'Content-Type': 'application/json', 'X-Auth-Token': token},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        text = response.read()
        return json.loads(text) if text else {}


class SecretsTest(base.TestCase):
    def setUp(self):
        super().setUp()
        self.cloud = self.useFixture(base.ProxiedCloud())
        admin = base.issue_token()
        project = base.cloud()['projects']['admin']
        user = _keystone(
            'POST',
            '/users',
            admin,
            {
                'user': {
                    'name': 'secrets-' + secrets.token_hex(4),
                    'password': SECRET_PASSWORD,
                    'domain_id': 'default',
                }
            },
        )['user']
        self.addCleanup(_keystone, 'DELETE', f'/users/{user["id"]}', admin)
        (role,) = _keystone('GET', '/roles?name=admin', admin)['roles']
        _keystone(
            'PUT',
            f'/projects/{project}/users/{user["id"]}/roles/{role["id"]}',
            admin,
        )
        self.user = user
        self.outputs: list[str] = []

    def password_args(self):
        return [
            '--os-auth-url',
            self.cloud.auth_url,
            '--os-username',
            self.user['name'],
            '--os-password',
            SECRET_PASSWORD,
            '--os-project-name',
            'admin',
            '--os-user-domain-id',
            'default',
            '--os-project-domain-id',
            'default',
        ]

    def app_credential_args(self):
        return [
            '--os-auth-url',
            self.cloud.auth_url,
            '--os-auth-type',
            'v3applicationcredential',
            '--os-application-credential-id',
            # The local Keystone (30, on SQLite) fails to store application
            # credentials (a duplicate-key error in application_credential_
            # role), so this one does not exist: the secret still travels
            # in the token request, and the refusal must not show it.
            'f' * 32,
            '--os-application-credential-secret',
            SECRET_APP_CREDENTIAL,
        ]

    def run_hostctl(self, *argv, expect=(0,)):
        result = self.cloud.hostctl(*argv, cloud_name=None)
        self.assertIn(result.rc, expect, f'{argv}\n{result.err}')
        self.outputs.append(result.out + result.err)
        return result

    def assertNoSecrets(self):
        self.assertNotEqual(set(), self.cloud.proxy.tokens)
        wanted = [SECRET_PASSWORD, SECRET_APP_CREDENTIAL, WRONG_PASSWORD]
        wanted += sorted(self.cloud.proxy.tokens)
        for output in self.outputs:
            for secret in wanted:
                self.assertNotIn(secret, output)

    def test_every_command_with_debug_shows_no_secret(self):
        servers = base.cloud()['servers']
        answering = base.cloud()['instances']['answering']['name']
        commands = [
            (['service-list'], (0,)),
            (
                ['service-force-down', '--unset', 'compute3', 'nova-compute'],
                (0,),
            ),
            (['service-enable', 'compute3', 'nova-compute'], (0,)),
            (['host-show', 'compute3'], (0,)),
            (['host-down', '--no-disable', 'compute3'], (0,)),
            (['host-up', 'compute3'], (0,)),
            (['host-show', 'nowhere'], (4,)),
            (['service-disable', 'nowhere', 'nova-compute'], (4,)),
            (['hypervisor-list', '--long'], (0,)),
            (['hypervisor-show', 'compute1'], (0,)),
            (['server-list', '--all-projects', '--long'], (0,)),
            (['server-show', servers[0]['id']], (0,)),
            (['server-show', 'no-such-server'], (4,)),
            (['instance-rpc-ping', answering], (0,)),
            (['server-fping', '--all-projects'], (0, 3)),
            (['server-fping', '--host', 'compute1', '--long'], (0, 3)),
            (['server-list', '--project', 'demo', '--long'], (0,)),
            (['instance-rpc-ping', '--host', 'compute1'], (3,)),
            (['server-monitor', 'web-1'], (0,)),
            (['server-monitor', '--unset', 'web-1'], (0,)),
            # A Nagios state: CRITICAL, for the silent guests.
            (['check', '--rpc-ping'], (2,)),
            (['check', '--format', 'json'], (0,)),
            (['check', '--fping', '--format', 'prometheus'], (3,)),
            # The preflight refuses: compute3 is up.
            (['host-evacuate', 'compute3', '--dry-run'], (9,)),
            (['host-drain', 'compute3', '--dry-run'], (0,)),
            (['migration-list', '--long'], (0,)),
            (['--timeout', '0.001', 'service-list'], (7,)),
        ]
        verbosity = [['--debug'], ['-v', '-v'], []]
        for argv, expect in commands:
            for extra in verbosity:
                self.run_hostctl(
                    *extra, *self.password_args(), *argv, expect=expect
                )
        # A traceback (--debug on an error) shows no secret either.
        self.assertTrue(any('Traceback' in o for o in self.outputs))
        self.assertTrue(any('X-Auth-Token' in o for o in self.outputs))
        self.assertNoSecrets()

    def test_other_ways_to_authenticate_show_no_secret(self):
        token = base.issue_token()
        self.cloud.proxy.tokens.add(token)
        compute = self.cloud.proxy.url('compute') + '/v2.1'
        for extra in (['--debug'], ['-v', '-v']):
            result = self.run_hostctl(
                *extra,
                *self.app_credential_args(),
                'service-list',
                expect=(5,),
            )
            self.assertIn('refused the credentials', result.err)
            # A token with an identity service, and a token alone.
            self.run_hostctl(
                *extra,
                '--os-auth-url',
                self.cloud.auth_url,
                '--os-token',
                token,
                '--os-project-name',
                'admin',
                '--os-project-domain-id',
                'default',
                'hypervisor-list',
            )
            self.run_hostctl(
                *extra,
                '--os-token',
                token,
                '--os-endpoint',
                compute,
                'service-list',
            )
            self.run_hostctl(
                *extra,
                '--os-token',
                token,
                '--os-endpoint',
                compute,
                'hypervisor-show',
                'nope',
                expect=(4,),
            )
            # A wrong password is not shown back either.
            wrong = self.password_args()
            wrong[wrong.index('--os-password') + 1] = WRONG_PASSWORD
            self.run_hostctl(*extra, *wrong, 'service-list', expect=(5,))
        self.assertNoSecrets()
