"""gather: the parts side by side, each failure kept to its part."""

from __future__ import annotations

import threading
import time

import testtools

from hostctl import exceptions
from hostctl.health import gather
from tests.unit.health import facts as f

PAUSE = 0.5


class FakeCompute:
    """Each listing takes PAUSE and records the thread it ran in."""

    def __init__(self, versions_error=None, failing=()):
        self.versions_error = versions_error
        self.failing = failing
        self.calls = []
        self.services = self._manager('services', [f.service('compute1')])
        self.hypervisors = self._manager(
            'hypervisors', [f.hypervisor('compute1')]
        )
        self.servers = self._manager(
            'servers', [f.server('web-1', 'compute1')]
        )
        self.servers.host_status_missing = lambda servers: None

    @property
    def server_versions(self):
        self.calls.append(('versions', threading.current_thread().name))
        if self.versions_error:
            raise self.versions_error
        return (2, 1), (2, 104)

    def _manager(self, name, items):
        compute = self

        class Manager:
            def list(self, **kwargs):
                compute.calls.append((name, threading.current_thread().name))
                time.sleep(PAUSE)
                if name in compute.failing:
                    raise exceptions.ServerError(f'{name} failed')
                return items

        return Manager()


class FakeDatabase:
    def __init__(self):
        self.instances = self

    def list_all(self):
        return ['db-1']

    def rpc_ping_all(self, instances, timeout, concurrency):
        return [f.ping(name, True) for name in instances]


class GatherTest(testtools.TestCase):
    def test_the_parts_run_side_by_side_after_one_warm_up(self):
        compute = FakeCompute()
        started = time.monotonic()
        facts = gather.gather(compute, FakeDatabase, gather.Plan())
        took = time.monotonic() - started
        # Side by side: about one listing's time, not three.
        self.assertLess(took, 2 * PAUSE)
        self.assertEqual({}, facts.errors)
        self.assertEqual(['compute1'], [s.host for s in facts.services])
        # The version range (and so the token) first, in this thread;
        # then one listing of each kind, each in a thread of its own.
        self.assertEqual(
            ('versions', threading.current_thread().name), compute.calls[0]
        )
        listings = compute.calls[1:]
        self.assertEqual(
            ['hypervisors', 'servers', 'services'],
            sorted(name for name, _ in listings),
        )
        self.assertEqual(3, len({thread for _, thread in listings}))
        self.assertNotIn(
            threading.current_thread().name, dict(listings).values()
        )
        self.assertGreaterEqual(facts.duration, PAUSE)

    def test_a_failing_part_is_kept_to_itself(self):
        compute = FakeCompute(failing=('hypervisors',))
        facts = gather.gather(compute, FakeDatabase, gather.Plan())
        self.assertEqual(['hypervisors'], list(facts.errors))
        self.assertIsNone(facts.hypervisors)
        self.assertEqual(1, len(facts.servers))

    def test_an_unreachable_compute_api_fails_its_parts_not_the_guests(self):
        error = exceptions.ServerError('cannot reach compute')
        compute = FakeCompute(versions_error=error)
        facts = gather.gather(
            compute,
            FakeDatabase,
            gather.Plan(parts=('services', 'servers', 'rpc-ping')),
        )
        self.assertEqual({'services': error, 'servers': error}, facts.errors)
        self.assertEqual(['versions'], [name for name, _ in compute.calls])
        self.assertEqual([True], [p.alive for p in facts.pings])

    def test_a_database_only_check_asks_nothing_of_compute(self):
        compute = FakeCompute()
        facts = gather.gather(
            compute, FakeDatabase, gather.Plan(parts=('rpc-ping',))
        )
        self.assertEqual([], compute.calls)
        self.assertEqual(1, len(facts.pings))

    def test_a_bug_is_not_taken_for_a_failed_part(self):
        compute = FakeCompute()
        compute.services.list = lambda **kwargs: 1 / 0
        self.assertRaises(
            ZeroDivisionError,
            gather.gather,
            compute,
            FakeDatabase,
            gather.Plan(),
        )

    def test_one_host_keeps_to_the_parts_asked_for(self):
        # Host Status hidden: only a check of the servers may say so.
        compute = FakeCompute()
        missing = exceptions.UnsupportedVersion('no Host Status before 2.16')
        compute.servers.host_status_missing = lambda servers: missing

        class Host:
            name = 'compute1'
            services = [f.service('compute1')]
            hypervisors = [f.hypervisor('compute1')]
            servers = [f.server('web-1', 'compute1')]

        compute.hosts = type('Hosts', (), {'show': lambda self, h: Host})()
        facts = gather.gather(
            compute,
            FakeDatabase,
            gather.Plan(parts=('hypervisors',), host='compute1'),
        )
        self.assertEqual({}, facts.errors)
        self.assertEqual(1, len(facts.hypervisors))
        self.assertIsNone(facts.services)
        self.assertIsNone(facts.servers)
        facts = gather.gather(
            compute,
            FakeDatabase,
            gather.Plan(parts=('servers',), host='compute1'),
        )
        self.assertEqual({'servers': missing}, facts.errors)
