"""The services manager at each side of the 2.11 and 2.53 boundaries."""

import datetime

import testtools

from hostctl import exceptions
from hostctl.v2_1 import services
from tests.unit import fakes
from tests.unit.v2_1.test_client import make_client

COMPUTE1_UUID = 'a1b2c3d4-0000-4000-8000-000000000007'


class ServiceTest(testtools.TestCase):
    def cloud(self, high='2.104', pinned=None):
        self.compute = self.useFixture(fakes.ComputeFixture('2.1', high))
        # What PUT answers: the service as Nova shows it after the change.
        self.compute.mock.put(
            fakes.COMPUTE_URL + '/os-services/' + COMPUTE1_UUID,
            json=self._put_by_uuid,
        )
        for action in (
            'force-down',
            'disable',
            'disable-log-reason',
            'enable',
        ):
            self.compute.mock.put(
                fakes.COMPUTE_URL + '/os-services/' + action,
                json=self._put_by_action,
            )
        return make_client(pinned).services

    def _compute1(self):
        return next(
            s for s in self.compute.services if s['host'] == 'compute1'
        )

    def _put_by_uuid(self, request, context):
        service = self._compute1()
        service.update(request.json())
        if service.get('forced_down'):
            service['state'] = 'down'
        version = self.compute.version_of(request)
        return {'service': fakes.service_json(service, version)}

    def _put_by_action(self, request, context):
        body = request.json()
        service = self._compute1()
        action = request.path.rsplit('/', 1)[1]
        if action == 'force-down':
            service['forced_down'] = body['forced_down']
            service['state'] = 'down' if body['forced_down'] else 'up'
        elif action == 'enable':
            service.update(status='enabled', disabled_reason=None)
        else:
            service.update(
                status='disabled', disabled_reason=body.get('disabled_reason')
            )
        # The old API answers with the request's fields only.
        return {'service': body}

    def sent(self):
        """(method, path, json body, microversion) of each API request."""
        return [
            (
                r.method,
                r.path + ('?' + r.query if r.query else ''),
                r.json() if r.body else None,
                r.headers['OpenStack-API-Version'],
            )
            for r in self.compute.api_requests()
        ]

    def assert_legacy_header(self, version):
        for request in self.compute.api_requests():
            self.assertEqual(
                version, request.headers['X-OpenStack-Nova-API-Version']
            )

    # force-down ----------------------------------------------------------

    def test_force_down_by_host_and_binary_before_2_53(self):
        for version in ('2.11', '2.52'):
            services = self.cloud(pinned=version)
            change = services.force_down('compute1', 'nova-compute')
            self.assertTrue(change.changed)
            self.assertTrue(change.service.forced_down)
            self.assertEqual('down', change.service.state)
            self.assertEqual(7, change.service.id)
            query = '/v2.1/os-services?host=compute1&binary=nova-compute'
            self.assertEqual(
                [
                    # Every service, so that the host is matched exactly.
                    ('GET', '/v2.1/os-services', None, 'compute ' + version),
                    (
                        'PUT',
                        '/v2.1/os-services/force-down',
                        {
                            'host': 'compute1',
                            'binary': 'nova-compute',
                            'forced_down': True,
                        },
                        'compute ' + version,
                    ),
                    ('GET', query, None, 'compute ' + version),
                ],
                self.sent(),
            )
            self.assert_legacy_header(version)

    def test_force_down_by_uuid_from_2_53(self):
        for version, pinned in (('2.53', '2.53'), ('2.104', None)):
            services = self.cloud(pinned=pinned)
            change = services.force_down('compute1', 'nova-compute')
            self.assertTrue(change.changed)
            self.assertEqual(COMPUTE1_UUID, change.service.id)
            self.assertTrue(change.service.forced_down)
            self.assertEqual(
                [
                    ('GET', '/v2.1/os-services', None, 'compute ' + version),
                    (
                        'PUT',
                        '/v2.1/os-services/' + COMPUTE1_UUID,
                        {'forced_down': True},
                        'compute ' + version,
                    ),
                ],
                self.sent(),
            )

    def test_unset_force_down(self):
        services = self.cloud()
        self._compute1().update(forced_down=True, state='down')
        change = services.force_down('compute1', 'nova-compute', False)
        self.assertTrue(change.changed)
        self.assertFalse(change.service.forced_down)
        self.assertEqual({'forced_down': False}, self.sent()[-1][2])

    def test_force_down_refused_below_2_11(self):
        services = self.cloud(high='2.10')
        error = self.assertRaises(
            exceptions.UnsupportedVersion,
            services.force_down,
            'compute1',
            'nova-compute',
        )
        self.assertIn('2.11 or later', str(error))
        self.assertIn('serves 2.1 to 2.10', str(error))
        self.assertEqual([], self.sent())

    def test_force_down_pinned_2_10_is_refused_without_a_request(self):
        services = self.cloud(pinned='2.10')
        self.assertRaises(
            exceptions.UnsupportedVersion,
            services.force_down,
            'compute1',
            'nova-compute',
        )
        self.assertEqual([], self.sent())

    def test_already_forced_down_sends_no_change(self):
        services = self.cloud()
        self._compute1().update(forced_down=True, state='down')
        change = services.force_down('compute1', 'nova-compute')
        self.assertFalse(change.changed)
        self.assertEqual(['GET'], [s[0] for s in self.sent()])

    def test_unknown_host_names_the_hosts(self):
        services = self.cloud()
        error = self.assertRaises(
            exceptions.NotFound,
            services.force_down,
            'compute9',
            'nova-compute',
        )
        self.assertEqual(
            "no host 'compute9'; hosts: compute1, compute2, controller",
            str(error),
        )

    def test_unknown_binary_names_the_host_binaries(self):
        services = self.cloud()
        error = self.assertRaises(
            exceptions.NotFound, services.disable, 'compute1', 'nova-compot'
        )
        self.assertEqual(
            "host 'compute1' has no 'nova-compot' service; it has: "
            'nova-compute',
            str(error),
        )

    # disable / enable ----------------------------------------------------

    def test_disable_with_reason_before_2_53(self):
        services = self.cloud(pinned='2.52')
        change = services.disable('compute1', 'nova-compute', 'bad disk')
        self.assertEqual('disabled', change.service.status)
        self.assertEqual('bad disk', change.service.disabled_reason)
        self.assertEqual(
            (
                'PUT',
                '/v2.1/os-services/disable-log-reason',
                {
                    'host': 'compute1',
                    'binary': 'nova-compute',
                    'disabled_reason': 'bad disk',
                },
                'compute 2.52',
            ),
            self.sent()[1],
        )

    def test_disable_without_reason_before_2_53(self):
        services = self.cloud(pinned='2.1')
        services.disable('compute1', 'nova-compute')
        self.assertEqual(
            (
                'PUT',
                '/v2.1/os-services/disable',
                {'host': 'compute1', 'binary': 'nova-compute'},
                'compute 2.1',
            ),
            self.sent()[1],
        )

    def test_disable_with_reason_from_2_53(self):
        services = self.cloud(pinned='2.53')
        change = services.disable('compute1', 'nova-compute', 'bad disk')
        self.assertEqual('bad disk', change.service.disabled_reason)
        self.assertEqual(
            (
                'PUT',
                '/v2.1/os-services/' + COMPUTE1_UUID,
                {'status': 'disabled', 'disabled_reason': 'bad disk'},
                'compute 2.53',
            ),
            self.sent()[1],
        )
        self.assertEqual(2, len(self.sent()))

    def test_enable_in_both_eras(self):
        for pinned, path, body in (
            (
                '2.52',
                '/v2.1/os-services/enable',
                {'host': 'compute1', 'binary': 'nova-compute'},
            ),
            (
                '2.53',
                '/v2.1/os-services/' + COMPUTE1_UUID,
                {'status': 'enabled'},
            ),
        ):
            services = self.cloud(pinned=pinned)
            self._compute1().update(status='disabled', disabled_reason='x')
            change = services.enable('compute1', 'nova-compute')
            self.assertTrue(change.changed)
            self.assertEqual('enabled', change.service.status)
            self.assertEqual(('PUT', path, body), self.sent()[1][:3])

    def test_enable_when_enabled_changes_nothing(self):
        services = self.cloud()
        change = services.enable('compute1', 'nova-compute')
        self.assertFalse(change.changed)
        self.assertEqual(1, len(self.sent()))

    # list ----------------------------------------------------------------

    def test_list_filters_and_models(self):
        services = self.cloud(pinned='2.10')
        found = services.list(binary='nova-compute')
        self.assertEqual(['compute1', 'compute2'], [s.host for s in found])
        # 2.10 has no forced_down: the model says None, not False.
        self.assertIsNone(found[0].forced_down)
        self.assertEqual(
            [
                (
                    'GET',
                    '/v2.1/os-services?binary=nova-compute',
                    None,
                    'compute 2.10',
                )
            ],
            self.sent(),
        )


class AgeTest(testtools.TestCase):
    NOW = datetime.datetime(2026, 11, 23, 10, 0, 10, tzinfo=datetime.UTC)

    def test_age_text(self):
        for seconds, text in (
            (None, ''),
            (-3, '0 s ago'),
            (12.7, '12 s ago'),
            (119, '119 s ago'),
            (125, '2 min ago'),
            (7300, '2 h ago'),
            (200000, '2 d ago'),
        ):
            self.assertEqual(text, services.age_text(seconds))

    def test_report_age(self):
        for updated_at, age in (
            ('2026-11-23T10:00:00.000000', 10.0),
            ('2026-11-23T10:00:00Z', 10.0),
            ('2026-11-23T11:00:00+01:00', 10.0),
            (None, None),
            ('yesterday', None),
        ):
            reported = services.Service(updated_at=updated_at)
            self.assertEqual(age, services.report_age(reported, self.NOW))
