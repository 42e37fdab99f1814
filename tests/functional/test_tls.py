"""TLS: the cloud served over HTTPS by a TLS-terminating proxy, test CA.

The CA and the proxy's certificate (for 127.0.0.1) are made when the test
runs, with the cryptography package (an openstacksdk dependency).
"""

from __future__ import annotations

import datetime
import ipaddress
import os

import fixtures
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.functional import base

LIST = ('service-list', '-f', 'value', '-c', 'Host')


def _name(text):
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, text)])


def make_certificates(directory: str) -> dict[str, str]:
    """A test CA, and a server certificate for 127.0.0.1 that it signed."""
    now = datetime.datetime.now(datetime.timezone.utc)
    valid = {
        'not_valid_before': now - datetime.timedelta(minutes=5),
        'not_valid_after': now + datetime.timedelta(days=1),
    }
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (
        x509.CertificateBuilder(**valid)
        .subject_name(_name('hostctl test CA'))
        .issuer_name(_name('hostctl test CA'))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            True,
        )
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()),
            False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    server = (
        x509.CertificateBuilder(**valid)
        .subject_name(_name('127.0.0.1'))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address('127.0.0.1'))]
            ),
            False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), True)
        .add_extension(
            x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]),
            False,
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(
                ca_key.public_key()
            ),
            False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    paths = {
        'ca': os.path.join(directory, 'ca.pem'),
        'cert': os.path.join(directory, 'server.pem'),
        'key': os.path.join(directory, 'server.key'),
    }
    pem = serialization.Encoding.PEM
    with open(paths['ca'], 'wb') as f:
        f.write(ca.public_bytes(pem))
    with open(paths['cert'], 'wb') as f:
        f.write(server.public_bytes(pem))
    with open(paths['key'], 'wb') as f:
        f.write(
            key.private_bytes(
                pem,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
    return paths


class TlsTest(base.TestCase):
    def setUp(self):
        super().setUp()
        self.paths = make_certificates(
            self.useFixture(fixtures.TempDir()).path
        )
        self.cloud = self.useFixture(
            base.ProxiedCloud(tls=(self.paths['cert'], self.paths['key']))
        )
        self.assertTrue(self.cloud.auth_url.startswith('https://127.0.0.1:'))

    def assertListed(self, result):
        self.assertOk(result)
        self.assertIn('compute1', result.out.split())

    def test_verification_is_on_by_default(self):
        result = self.cloud.hostctl(*LIST)
        self.assertFails(result, 7, 'TLS certificate of https://127.0.0.1:')
        self.assertIn('is not trusted', result.err)
        self.assertIn('give its CA with --os-cacert', result.err)
        # Nothing was asked over the untrusted connection.
        self.assertEqual([], self.cloud.proxy.requests)

    def test_os_cacert(self):
        self.assertListed(
            self.cloud.hostctl('--os-cacert', self.paths['ca'], *LIST)
        )
        self.assertEqual(
            '', self.cloud.hostctl('--os-cacert', self.paths['ca'], *LIST).err
        )

    def test_os_cacert_from_the_environment(self):
        env = dict(self.cloud.env, OS_CACERT=self.paths['ca'])
        self.assertListed(self.cloud.hostctl(*LIST, env=env))

    def test_os_cacert_reaches_every_service(self):
        answering = base.cloud()['instances']['answering']['name']
        result = self.cloud.hostctl(
            '--os-cacert', self.paths['ca'], 'instance-rpc-ping', answering
        )
        self.assertOk(result)
        self.assertIn(
            'database', {r.service for r in self.cloud.proxy.requests}
        )

    def test_insecure_works_and_warns_once(self):
        result = self.cloud.hostctl('--insecure', *LIST)
        self.assertListed(result)
        self.assertEqual(
            'hostctl: --insecure: TLS certificates are not verified, so the '
            'server may not be who it claims to be; give --os-cacert '
            'instead\n',
            result.err,
        )
        # Four requests, one warning.
        self.assertGreaterEqual(len(self.cloud.proxy.requests), 4)

    def test_insecure_with_a_token_and_endpoint(self):
        compute = self.cloud.proxy.url('compute') + '/v2.1'
        result = self.cloud.hostctl(
            '--insecure',
            '--os-token',
            base.issue_token(),
            '--os-endpoint',
            compute,
            *LIST,
            cloud_name=None,
        )
        self.assertListed(result)
        self.assertEqual(1, len(result.err.splitlines()), result.err)
        self.assertIn('--insecure', result.err)

    def test_wrong_ca_file(self):
        result = self.cloud.hostctl(
            '--os-cacert', '/nonexistent/ca.pem', *LIST
        )
        self.assertFails(result, 2, '/nonexistent/ca.pem')
