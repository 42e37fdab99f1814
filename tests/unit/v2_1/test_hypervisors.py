"""Hypervisors at the 2.32/2.33, 2.52/2.53 and 2.87/2.88 boundaries."""

import testtools

from hostctl import exceptions
from tests.unit import fakes
from tests.unit.v2_1.test_client import make_client

URL = fakes.COMPUTE_URL + '/os-hypervisors'
UUID1 = '1bb62a04-c576-402c-8147-9e89757a09e3'


def hypervisor(version, number, hostname, state='up', status='enabled'):
    data = {
        'id': f'{UUID1[:-1]}{number}' if version >= (2, 53) else number,
        'hypervisor_hostname': hostname,
        'state': state,
        'status': status,
    }
    return data


def detail(version, number, hostname, **kwargs):
    data = hypervisor(version, number, hostname, **kwargs)
    data.update(
        hypervisor_type='fake',
        hypervisor_version=1000,
        host_ip='127.0.0.1',
        service={'host': hostname, 'id': 10 + number, 'disabled_reason': None},
    )
    if version < (2, 88):
        data.update(
            vcpus=8,
            vcpus_used=2,
            memory_mb=16384,
            memory_mb_used=1024,
            local_gb=100,
            local_gb_used=5,
            running_vms=2,
        )
    else:
        data['uptime'] = ' 10:00:00 up 1 day'
    return data


class HypervisorTest(testtools.TestCase):
    def client(self, pinned):
        self.compute = self.useFixture(fakes.ComputeFixture())
        self.version = tuple(int(p) for p in pinned.split('.'))
        return make_client(pinned).hypervisors

    def paths(self):
        return [
            r.path + ('?' + r.query if r.query else '')
            for r in self.compute.api_requests()
        ]

    def test_list_one_request_before_2_33(self):
        hypervisors = self.client('2.32')
        self.compute.mock.get(
            URL,
            json={
                'hypervisors': [
                    hypervisor(self.version, 1, 'compute1'),
                    hypervisor(
                        self.version, 2, 'compute2', 'down', 'disabled'
                    ),
                ]
            },
        )
        found = hypervisors.list()
        self.assertEqual(
            [
                (1, 'compute1', 'up', 'enabled'),
                (2, 'compute2', 'down', 'disabled'),
            ],
            [(h.id, h.hypervisor_hostname, h.state, h.status) for h in found],
        )
        self.assertEqual(['/v2.1/os-hypervisors'], self.paths())

    def test_list_follows_pages_from_2_33(self):
        hypervisors = self.client('2.33')
        self.compute.mock.get(
            URL,
            [
                {
                    'json': {
                        'hypervisors': [hypervisor(self.version, 1, 'c1')],
                        'hypervisors_links': [
                            {
                                'rel': 'next',
                                'href': 'http://internal:8774/v2.1/os-hypervisors?marker=1',
                            }
                        ],
                    }
                },
                {'json': {'hypervisors': [hypervisor(self.version, 2, 'c2')]}},
            ],
        )
        found = hypervisors.list()
        self.assertEqual(['c1', 'c2'], [h.hypervisor_hostname for h in found])
        self.assertEqual(
            ['/v2.1/os-hypervisors', '/v2.1/os-hypervisors?marker=1'],
            self.paths(),
        )

    def test_matching_long_follows_pages_from_2_33_to_2_52(self):
        # The search path has no detailed form, so --matching --long reads
        # the detailed list: every page of it, not only the first.
        for pinned in ('2.33', '2.52'):
            hypervisors = self.client(pinned)
            self.compute.mock.get(
                URL + '/detail',
                [
                    {
                        'json': {
                            'hypervisors': [detail(self.version, 1, 'c1')],
                            'hypervisors_links': [
                                {
                                    'rel': 'next',
                                    'href': URL + '/detail?marker=1',
                                }
                            ],
                        }
                    },
                    {
                        'json': {
                            'hypervisors': [
                                detail(self.version, 2, 'compute2'),
                                detail(self.version, 3, 'compute3'),
                            ]
                        }
                    },
                ],
            )
            found = hypervisors.list(matching='compute', detailed=True)
            self.assertEqual(
                ['compute2', 'compute3'],
                [h.hypervisor_hostname for h in found],
            )
            self.assertEqual(
                [
                    '/v2.1/os-hypervisors/detail',
                    '/v2.1/os-hypervisors/detail?marker=1',
                ],
                self.paths(),
            )

    def test_matching_before_2_53_uses_the_search_path(self):
        hypervisors = self.client('2.52')
        self.compute.mock.get(
            URL + '/comp/search',
            json={'hypervisors': [hypervisor(self.version, 1, 'compute1')]},
        )
        found = hypervisors.list(matching='comp')
        self.assertEqual([1], [h.id for h in found])
        self.assertEqual(['/v2.1/os-hypervisors/comp/search'], self.paths())

    def test_matching_from_2_53_uses_the_query(self):
        hypervisors = self.client('2.53')
        self.compute.mock.get(
            URL,
            json={'hypervisors': [hypervisor(self.version, 1, 'compute1')]},
        )
        hypervisors.list(matching='comp')
        self.assertEqual(
            ['/v2.1/os-hypervisors?hypervisor_hostname_pattern=comp'],
            self.paths(),
        )

    def test_matching_nothing_is_not_found(self):
        for pinned in ('2.52', '2.53'):
            hypervisors = self.client(pinned)
            self.compute.mock.get(
                URL + '/nope/search', status_code=404, json={}
            )
            self.compute.mock.get(URL, status_code=404, json={})
            error = self.assertRaises(
                exceptions.NotFound, hypervisors.list, matching='nope'
            )
            self.assertEqual(
                "no hypervisor hostname matches 'nope'", str(error)
            )

    def test_matching_is_a_substring_not_a_sql_pattern(self):
        # Nova searches with SQL LIKE '%P%': '_' (and, before 2.53, '%')
        # match any character, so 'compute_' finds compute1, which does not
        # contain it. Only hostnames that hold P as it is are listed.
        everything = ['compute1', 'compute_gpu1', 'compute10.example.org']
        for pinned, name in (('2.52', 'compute_'), ('2.53', 'compute_')):
            hypervisors = self.client(pinned)
            found = [
                hypervisor(self.version, n, h)
                for n, h in enumerate(everything, 1)
            ]
            self.compute.mock.get(
                URL + f'/{name}/search', json={'hypervisors': found}
            )
            self.compute.mock.get(URL, json={'hypervisors': found})
            self.assertEqual(
                ['compute_gpu1'],
                [
                    h.hypervisor_hostname
                    for h in hypervisors.list(matching=name)
                ],
            )
        for pinned in ('2.52', '2.53'):
            hypervisors = self.client(pinned)
            found = [
                hypervisor(self.version, n, h)
                for n, h in enumerate(everything, 1)
            ]
            self.compute.mock.get(
                URL + '/%25/search', json={'hypervisors': found}
            )
            self.compute.mock.get(URL, json={'hypervisors': found})
            error = self.assertRaises(
                exceptions.NotFound, hypervisors.list, matching='%'
            )
            self.assertEqual("no hypervisor hostname matches '%'", str(error))

    def test_detailed_list_has_usage_until_2_88(self):
        for pinned, vcpus in (('2.87', 8), ('2.88', None)):
            hypervisors = self.client(pinned)
            self.compute.mock.get(
                URL + '/detail',
                json={'hypervisors': [detail(self.version, 1, 'compute1')]},
            )
            (found,) = hypervisors.list(detailed=True)
            self.assertEqual(vcpus, found.vcpus)
            self.assertEqual('127.0.0.1', found.host_ip)

    def test_servers_per_hypervisor_from_2_53_in_the_same_request(self):
        for pinned, count in (('2.52', None), ('2.53', 0), ('2.88', 2)):
            hypervisors = self.client(pinned)
            body = detail(self.version, 1, 'compute1')
            if count:
                body['servers'] = [
                    {'name': 'a', 'uuid': UUID1},
                    {'name': 'b', 'uuid': UUID1[:-1] + '2'},
                ]
            self.compute.mock.get(
                URL + '/detail', json={'hypervisors': [body]}
            )
            (found,) = hypervisors.list(detailed=True)
            self.assertEqual(count, found.server_count, pinned)
            (request,) = self.compute.api_requests()
            self.assertEqual(
                {} if count is None else {'with_servers': ['true']},
                request.qs,
                pinned,
            )

    def test_show_by_integer_id_before_2_53(self):
        hypervisors = self.client('2.52')
        self.compute.mock.get(
            URL + '/1',
            json={'hypervisor': detail(self.version, 1, 'compute1')},
        )
        self.compute.mock.get(
            URL + '/1/uptime', json={'hypervisor': {'uptime': ' up 3 days'}}
        )
        found = hypervisors.get('1')
        self.assertEqual(
            ('compute1', 11, ' up 3 days'),
            (found.service_host, found.service_id, found.uptime),
        )
        # Before 2.88 the uptime is a request of its own.
        self.assertEqual(
            ['/v2.1/os-hypervisors/1', '/v2.1/os-hypervisors/1/uptime'],
            self.paths(),
        )

    def test_show_by_hostname_before_2_53(self):
        hypervisors = self.client('2.52')
        self.compute.mock.get(
            URL + '/compute1/search',
            json={
                'hypervisors': [
                    hypervisor(self.version, 1, 'compute1'),
                    hypervisor(self.version, 11, 'compute11'),
                ]
            },
        )
        self.compute.mock.get(
            URL + '/1',
            json={'hypervisor': detail(self.version, 1, 'compute1')},
        )
        self.compute.mock.get(URL + '/1/uptime', json={'hypervisor': {}})
        self.assertEqual('compute1', hypervisors.get('compute1').service_host)
        self.assertEqual(
            [
                '/v2.1/os-hypervisors/compute1/search',
                '/v2.1/os-hypervisors/1',
                '/v2.1/os-hypervisors/1/uptime',
            ],
            self.paths(),
        )

    def test_show_by_uuid_and_by_hostname_from_2_53(self):
        hypervisors = self.client('2.88')
        uuid = f'{UUID1[:-1]}1'
        self.compute.mock.get(
            URL + '/' + uuid,
            json={'hypervisor': detail(self.version, 1, 'compute1')},
        )
        self.compute.mock.get(
            URL + '/detail',
            json={
                'hypervisors': [
                    detail(self.version, 1, 'compute1'),
                    detail(self.version, 2, 'compute11'),
                ]
            },
        )
        self.assertEqual(uuid, hypervisors.get(uuid).id)
        by_name = hypervisors.get('compute1')
        self.assertEqual(
            (uuid, 'compute1', 11),
            (by_name.id, by_name.service_host, by_name.service_id),
        )
        # A name is one request: the detailed list, filtered by Nova.
        self.assertEqual(
            [
                '/v2.1/os-hypervisors/' + uuid + '?with_servers=true',
                '/v2.1/os-hypervisors/detail'
                '?hypervisor_hostname_pattern=compute1&with_servers=true',
            ],
            self.paths(),
        )

    def test_a_substring_never_names_a_hypervisor(self):
        # Nova's search is a substring match: 'comp', 'mpute2' and
        # 'compute1' (where only compute10 is left) all find something.
        for pinned in ('2.52', '2.53'):
            hypervisors = self.client(pinned)
            found = [
                detail(self.version, 10, 'compute10'),
                detail(self.version, 12, 'compute12.example.org'),
            ]
            self.compute.mock.get(URL + '/detail', json={'hypervisors': found})
            for name in ('comp', 'compute1', 'ompute10', '1'):
                self.compute.mock.get(
                    URL + f'/{name}/search', json={'hypervisors': found}
                )
                if name == '1' and pinned == '2.52':
                    continue  # an ID before 2.53
                error = self.assertRaises(
                    exceptions.NotFound, hypervisors.get, name
                )
                holding = ', '.join(
                    h['hypervisor_hostname']
                    for h in found
                    if name in h['hypervisor_hostname']
                )
                self.assertEqual(
                    f'no hypervisor named {name!r}; hostnames that contain '
                    f'it: {holding}',
                    str(error),
                )

    def test_short_name_matches_its_fqdn_when_only_one_fits(self):
        # 2.88: the uptime is in the detailed body, no request of its own.
        hypervisors = self.client('2.88')
        self.compute.mock.get(
            URL + '/detail',
            json={
                'hypervisors': [
                    detail(self.version, 1, 'compute1.example.org'),
                    detail(self.version, 2, 'compute10.example.org'),
                ]
            },
        )
        self.assertEqual(
            'compute1.example.org',
            hypervisors.get('compute1').hypervisor_hostname,
        )
        self.compute.mock.get(
            URL + '/detail',
            json={
                'hypervisors': [
                    detail(self.version, 1, 'compute1.east.example.org'),
                    detail(self.version, 2, 'compute1.west.example.org'),
                ]
            },
        )
        error = self.assertRaises(
            exceptions.UsageError, hypervisors.get, 'compute1'
        )
        self.assertIn("'compute1' names 2 hypervisors", str(error))

    def test_nothing_contains_the_name(self):
        for pinned in ('2.52', '2.53'):
            hypervisors = self.client(pinned)
            self.compute.mock.get(URL + '/detail', status_code=404, json={})
            self.compute.mock.get(
                URL + '/nope/search', status_code=404, json={}
            )
            error = self.assertRaises(
                exceptions.NotFound, hypervisors.get, 'nope'
            )
            self.assertEqual("no hypervisor named 'nope'", str(error))

    def test_blank_name_is_a_usage_error(self):
        hypervisors = self.client('2.53')
        self.assertRaises(exceptions.UsageError, hypervisors.get, ' ')
        self.assertEqual([], self.paths())

    def test_unknown_id(self):
        hypervisors = self.client('2.53')
        self.compute.mock.get(URL + '/' + UUID1, status_code=404, json={})
        error = self.assertRaises(exceptions.NotFound, hypervisors.get, UUID1)
        self.assertEqual(f'no hypervisor with ID {UUID1!r}', str(error))
