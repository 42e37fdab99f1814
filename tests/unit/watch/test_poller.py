"""The poller against a fake Nova: diffs, changes-since, request counts."""

import datetime

import testtools

from hostctl import exceptions
from hostctl.commands.watch import TABLES
from hostctl.watch import poller
from tests.unit import fakes
from tests.unit.v2_1.test_client import make_client
from tests.unit.watch import fakenova


def brief(events):
    """(kind, event, name, {field: (old, new)}) per event."""
    return [
        (
            e['kind'],
            e['event'],
            e['name'],
            {k: (v['old'], v['new']) for k, v in e['changes'].items()},
        )
        for e in events
    ]


class PollerTest(testtools.TestCase):
    def setUp(self):
        super().setUp()
        self.compute = self.useFixture(fakes.ComputeFixture())
        self.nova = fakenova.FakeNova(self.compute.mock)
        self.client = make_client()

    def poller(self, **kwargs):
        return poller.Poller(self.client, TABLES, **kwargs)

    def sent(self, since=None):
        """Requests of the API proper since request number `since`."""
        found = self.nova.api_requests()[since or 0 :]
        return [f'{r.path.removeprefix("/v2.1")}?{r.query}' for r in found]

    def test_first_poll_reports_everything_then_a_quiet_poll_nothing(self):
        polls = self.poller()
        events = polls.poll()
        self.assertEqual(
            [('service', 2), ('hypervisor', 2), ('server', 4)],
            [
                (kind, sum(1 for e in events if e['kind'] == kind))
                for kind in ('service', 'hypervisor', 'server')
            ],
        )
        self.assertTrue(all(e['event'] == 'initial' for e in events))
        vm = next(e for e in events if e['name'] == 'compute1-vm1')
        self.assertEqual('UP', vm['host_status'])
        self.assertEqual(
            {'old': None, 'new': 'UP'}, vm['changes']['Host Status']
        )
        self.assertEqual('compute1', vm['host'])
        before = len(self.nova.api_requests())
        self.nova.tick()
        self.assertEqual([], polls.poll())
        # A quiet poll: three requests, the servers' filtered by time.
        self.assertEqual(
            [
                '/os-services?',
                '/os-hypervisors/detail?',
                '/servers/detail?all_tenants=1&changes-since='
                + '2026-12-01t04%3a59%3a30%2b00%3a00',
            ],
            [s.lower() for s in self.sent(before)],
        )

    def test_force_down_lists_that_hosts_servers_once(self):
        polls = self.poller()
        polls.poll()
        self.nova.tick()
        self.nova.service('compute2').update(forced_down=True, state='down')
        before = len(self.nova.api_requests())
        events = polls.poll()
        self.assertEqual(
            [
                (
                    'service',
                    'changed',
                    'nova-compute',
                    {'State': ('up', 'down'), 'Forced Down': (False, True)},
                ),
                (
                    'hypervisor',
                    'changed',
                    'compute2',
                    {'State': ('up', 'down')},
                ),
                (
                    'server',
                    'changed',
                    'compute2-vm1',
                    {'Host Status': ('UP', 'DOWN')},
                ),
                (
                    'server',
                    'changed',
                    'compute2-vm2',
                    {'Host Status': ('UP', 'DOWN')},
                ),
            ],
            brief(events),
        )
        self.assertEqual(
            ['DOWN', 'DOWN'], [e['host_status'] for e in events[2:]]
        )
        self.assertEqual(
            [
                '/os-services',
                '/os-hypervisors/detail',
                '/servers/detail',
                '/servers/detail',
            ],
            [s.split('?')[0] for s in self.sent(before)],
        )
        self.assertIn('host=compute2', self.sent(before)[-1])
        self.nova.tick()
        self.assertEqual([], polls.poll())

    def test_changes_since_follows_the_clouds_clock(self):
        polls = self.poller()
        polls.poll()
        self.nova.tick(100)
        polls.poll()
        self.nova.tick(7)
        polls.poll()
        # Measured from the previous answer's Date, less the overlap.
        query = self.nova.api_requests()[-1].qs['changes-since'][0]
        self.assertEqual(
            fakenova.START + datetime.timedelta(seconds=100) - poller.OVERLAP,
            datetime.datetime.fromisoformat(query),
        )

    def test_server_changes_added_and_deleted(self):
        polls = self.poller(kinds=['server'])
        polls.poll()
        self.nova.tick()
        self.nova.update_server('compute1-vm1', status='SHUTOFF')
        self.nova.add_server('new-1', 'compute2')
        self.nova.update_server('compute2-vm2', status='DELETED')
        events = polls.poll()
        self.assertEqual(
            [
                ('changed', 'compute1-vm1', {'Status': ('ACTIVE', 'SHUTOFF')}),
                ('removed', 'compute2-vm2'),
                ('added', 'new-1'),
            ],
            [
                (e['event'], e['name'])
                + (
                    (
                        {
                            k: (v['old'], v['new'])
                            for k, v in e['changes'].items()
                        },
                    )
                    if e['event'] == 'changed'
                    else ()
                )
                for e in events
            ],
        )
        # Within the overlap the same records come again: no new event.
        self.nova.tick()
        self.assertEqual([], polls.poll())

    def test_host_filter_sees_a_server_leave(self):
        polls = self.poller(host='compute1')
        events = polls.poll()
        self.assertEqual({'compute1'}, {e['host'] for e in events})
        # Every service and hypervisor, filtered here; the servers by Nova
        # (and checked).
        self.assertEqual(
            ['', '', 'all_tenants=1&host=compute1'],
            [r.query for r in self.nova.api_requests()],
        )
        self.nova.tick()
        self.nova.update_server(
            'compute1-vm1', **{'OS-EXT-SRV-ATTR:host': 'compute2'}
        )
        self.nova.update_server('compute2-vm1', status='ERROR')
        events = polls.poll()
        self.assertEqual(
            [
                (
                    'server',
                    'changed',
                    'compute1-vm1',
                    {'Host': ('compute1', 'compute2')},
                )
            ],
            brief(events),
        )
        self.nova.tick()
        self.nova.update_server('compute1-vm1', status='ERROR')
        self.assertEqual([], polls.poll())

    def test_a_failed_poll_keeps_nothing_and_the_next_reports_once(self):
        polls = self.poller(kinds=['server'])
        polls.poll()
        self.nova.tick()
        self.nova.service('compute1').update(status='disabled')
        self.nova.failing = 503
        self.assertRaises(exceptions.ServerError, polls.poll)
        self.nova.failing = None
        self.nova.tick(5)
        events = polls.poll()
        self.assertEqual(
            [('compute1-vm1', 'MAINTENANCE'), ('compute1-vm2', 'MAINTENANCE')],
            [(e['name'], e['changes']['Host Status']['new']) for e in events],
        )
        self.nova.tick()
        self.assertEqual([], polls.poll())

    def test_ten_thousand_servers_quiet_poll_is_three_requests(self):
        for i in range(10000 - len(self.nova.servers)):
            self.nova.add_server(f'bulk-{i}', 'compute1')
        polls = self.poller()
        self.assertEqual(10004, len(polls.poll()))
        self.nova.tick()
        before = len(self.nova.api_requests())
        self.assertEqual([], polls.poll())
        self.assertEqual(3, len(self.nova.api_requests()) - before)
