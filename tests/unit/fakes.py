"""requests-mock fixtures: a compute API and an identity service.

They serve the version document with a chosen microversion range, so that
tests can put the client on either side of a version boundary, and record
every request for assertions on method, path, body and headers.
"""

from __future__ import annotations

import copy

import fixtures
from requests_mock import ANY
from requests_mock.contrib import fixture as rm_fixture

COMPUTE_URL = 'http://compute.example:8774/v2.1'
IDENTITY_URL = 'http://identity.example:5000/v3'
TOKEN = 'tok-0123456789abcdef'

SERVICES = [
    {
        'id': 1,
        'uuid': 'a1b2c3d4-0000-4000-8000-000000000001',
        'binary': 'nova-scheduler',
        'host': 'controller',
        'zone': 'internal',
        'status': 'enabled',
        'state': 'up',
        'forced_down': False,
        'disabled_reason': None,
        'updated_at': '2026-11-23T10:00:00.000000',
    },
    {
        'id': 7,
        'uuid': 'a1b2c3d4-0000-4000-8000-000000000007',
        'binary': 'nova-compute',
        'host': 'compute1',
        'zone': 'nova',
        'status': 'enabled',
        'state': 'up',
        'forced_down': False,
        'disabled_reason': None,
        'updated_at': '2026-11-23T10:00:01.000000',
    },
    {
        'id': 8,
        'uuid': 'a1b2c3d4-0000-4000-8000-000000000008',
        'binary': 'nova-compute',
        'host': 'compute2',
        'zone': 'nova',
        'status': 'disabled',
        'state': 'down',
        'forced_down': True,
        'disabled_reason': 'fenced by the fault manager',
        'updated_at': '2026-11-23T10:00:02.000000',
    },
]


# The identity service's version document, as keystoneauth discovers it.
IDENTITY_VERSION = {
    'version': {
        'id': 'v3.14',
        'status': 'stable',
        'links': [{'rel': 'self', 'href': IDENTITY_URL + '/'}],
    }
}


def version_document(low='2.1', high='2.104'):
    return {
        'version': {
            'id': 'v2.1',
            'status': 'CURRENT',
            'version': high,
            'min_version': low,
            'updated': '2013-07-23T11:33:21Z',
            'links': [{'rel': 'self', 'href': COMPUTE_URL + '/'}],
            'media-types': [
                {
                    'base': 'application/json',
                    'type': (
                        'application/vnd.openstack.compute+json;version=2.1'
                    ),
                }
            ],
        }
    }


def service_json(service: dict, version: tuple[int, int]) -> dict:
    """A service as Nova shows it at `version`."""
    data = copy.deepcopy(service)
    uuid = data.pop('uuid')
    if version >= (2, 53):
        data['id'] = uuid
    if version < (2, 11):
        data.pop('forced_down')
    return data


class ComputeFixture(fixtures.Fixture):
    """A compute API serving microversions low..high, on requests-mock."""

    def __init__(self, low='2.1', high='2.104', services=None, others=None):
        super().__init__()
        self.low, self.high = low, high
        # What any other URL answers (requests-mock kwargs), or None for
        # requests-mock's NoMockAddress.
        self.others = others
        self.services = copy.deepcopy(
            SERVICES if services is None else services
        )

    def _setUp(self):
        # Host names keep their case, as Nova keeps it.
        self.mock = self.useFixture(rm_fixture.Fixture(case_sensitive=True))
        if self.others is not None:
            # Registered first: the later, specific routes win.
            self.mock.register_uri(ANY, ANY, **self.others)
        document = version_document(self.low, self.high)
        self.mock.get(COMPUTE_URL, json=document)
        self.mock.get(COMPUTE_URL + '/', json=document)
        self.mock.get(COMPUTE_URL + '/os-services', json=self._list_services)
        self.mock.get(
            COMPUTE_URL + '/os-hypervisors/detail', json=self._list_hypervisors
        )

    @staticmethod
    def version_of(request) -> tuple[int, int]:
        value = request.headers.get('OpenStack-API-Version', 'compute 2.1')
        major, minor = value.split()[1].split('.')
        return int(major), int(minor)

    def _list_services(self, request, context):
        version = self.version_of(request)
        query = request.qs
        found = [
            service_json(s, version)
            for s in self.services
            if s['host'] == query.get('host', [s['host']])[0]
            and s['binary'] == query.get('binary', [s['binary']])[0]
        ]
        return {'services': found}

    def _list_hypervisors(self, request, context):
        # One hypervisor per compute service, named as its host is.
        version = self.version_of(request)
        return {
            'hypervisors': [
                {
                    'id': s['uuid'] if version >= (2, 53) else s['id'],
                    'hypervisor_hostname': s['host'],
                    'state': s['state'],
                    'status': s['status'],
                    'service': {
                        'host': s['host'],
                        'id': s['uuid'] if version >= (2, 53) else s['id'],
                        'disabled_reason': s['disabled_reason'],
                    },
                }
                for s in self.services
                if s['binary'] == 'nova-compute'
            ]
        }

    def api_requests(self):
        """The requests sent to the API proper (not version discovery)."""
        return [
            r
            for r in self.mock.request_history
            if r.path.rstrip('/') != '/v2.1'
        ]


class PasswordCloud(fixtures.Fixture):
    """OS_* settings for a password cloud, and its identity service on
    `compute`'s requests-mock: version document and token requests (each
    answered from `tokens`, requests-mock response dicts)."""

    def __init__(self, compute: ComputeFixture, tokens, password='pw'):
        super().__init__()
        self.compute, self.answers, self.password = compute, tokens, password

    def _setUp(self):
        for name, value in (
            ('OS_AUTH_URL', IDENTITY_URL),
            ('OS_USERNAME', 'admin'),
            ('OS_PASSWORD', self.password),
            ('OS_PROJECT_NAME', 'admin'),
            ('OS_USER_DOMAIN_ID', 'default'),
            ('OS_PROJECT_DOMAIN_ID', 'default'),
            ('OS_REGION_NAME', 'RegionOne'),
        ):
            self.useFixture(fixtures.EnvironmentVariable(name, value))
        mock = self.compute.mock
        mock.get(IDENTITY_URL, json=IDENTITY_VERSION)
        self.tokens = mock.post(IDENTITY_URL + '/auth/tokens', self.answers)


# The identity service's answers.
CATALOG = [
    {
        'type': 'compute',
        'name': 'nova',
        'endpoints': [
            {
                'interface': 'public',
                'region': 'RegionOne',
                'region_id': 'RegionOne',
                'url': COMPUTE_URL,
            },
            {
                'interface': 'internal',
                'region': 'RegionOne',
                'region_id': 'RegionOne',
                'url': 'http://internal.example:8774/v2.1',
            },
        ],
    },
    {
        'type': 'identity',
        'name': 'keystone',
        'endpoints': [
            {
                'interface': 'public',
                'region': 'RegionOne',
                'region_id': 'RegionOne',
                'url': IDENTITY_URL,
            },
        ],
    },
]


def token_response():
    return {
        'token': {
            'methods': ['password'],
            'expires_at': '2099-01-01T00:00:00.000000Z',
            'issued_at': '2026-11-23T00:00:00.000000Z',
            'user': {
                'id': 'u1',
                'name': 'admin',
                'domain': {'id': 'default', 'name': 'Default'},
            },
            'project': {
                'id': 'p1',
                'name': 'admin',
                'domain': {'id': 'default', 'name': 'Default'},
            },
            'roles': [{'id': 'r1', 'name': 'admin'}],
            'catalog': CATALOG,
        }
    }


UNAUTHORIZED = {
    'error': {
        'code': 401,
        'message': 'The request you have made requires authentication.',
    }
}
