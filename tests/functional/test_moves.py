"""Moving servers on the local cloud: evacuation, live and cold migration.

hostctl's host-evacuate and host-drain stand on these, so this proves the
cloud can do them for real: Nova's own API, its scheduler, conductor and
fake-driver computes, its neutron stand-in answering the port look-ups and
binding changes each move makes, and the launcher's restart of one
nova-compute, which Nova requires before it lets a host that was evacuated
be forced up again.

Each test boots its own server on compute2 and deletes it after, so the
seeded servers stay where cloud.json says they are.
"""

import time

from tests.functional import base

HOST = 'compute2'
FORCE_UP_REFUSED = (
    'Unable to force up host compute2 as `done` evacuation migration '
    'records remain associated with the host. Ensure the compute service '
    'has been restarted'
)


class MovesTest(base.TestCase):
    def setUp(self):
        super().setUp()
        self.nova = base.compute_api()
        self.server = self.boot(HOST)

    def call(self, method, path, body=None, ok=(200,), **kwargs):
        response = self.nova.request(path, method, json=body, **kwargs)
        self.assertIn(
            response.status_code, ok, f'{method} {path}: {response.text}'
        )
        return response.json() if response.content else None

    def boot(self, host):
        live = base.cloud()['networks']['live']['id']
        body = {
            'server': {
                'name': f'move-{self.id().rsplit(".", 1)[-1]}',
                'imageRef': '155d900f-4e14-4e4c-a73d-069cbf4541e6',
                'flavorRef': '1',
                'networks': [{'uuid': live}],
                'host': host,
            }
        }
        server = self.call('POST', '/servers', body, ok=(202,))['server']
        self.addCleanup(self.delete, server['id'])
        return self.wait(server['id'], {'ACTIVE'})

    def delete(self, server_id):
        self.call('DELETE', f'/servers/{server_id}', ok=(204, 404))
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            response = self.nova.get(f'/servers/{server_id}')
            if response.status_code == 404:
                return
            time.sleep(0.3)
        self.fail(f'server {server_id} was not deleted within 60 s')

    def show(self, server_id):
        return self.call('GET', f'/servers/{server_id}')['server']

    def wait(self, server_id, statuses, moved_from=None, seconds=60):
        """The server once its task is over, its status is one of statuses
        and (with moved_from) it is on another host; fail on ERROR or at
        the deadline.

        The host is part of the condition because Nova finishes an
        evacuation in that order: the server is ACTIVE (or SHUTOFF from
        2.95) with no task while still on the failed host, and only then
        moves to its new host and the migration becomes `done`.
        """
        deadline = time.monotonic() + seconds
        while True:
            server = self.show(server_id)
            settled = server['OS-EXT-STS:task_state'] is None
            moved = server['OS-EXT-SRV-ATTR:host'] != moved_from
            if settled and moved and server['status'] in statuses:
                return server
            if server['status'] == 'ERROR':
                self.fail(f'server went to ERROR: {server.get("fault")}')
            if time.monotonic() > deadline:
                self.fail(
                    f'server is {server["status"]} '
                    f'({server["OS-EXT-STS:task_state"]}) on '
                    f'{server["OS-EXT-SRV-ATTR:host"]}, not '
                    f'{sorted(statuses)} off {moved_from} after {seconds} s'
                )
            time.sleep(0.2)

    def action(self, body, ok=(202,)):
        return self.call(
            'POST', f'/servers/{self.server["id"]}/action', body, ok=ok
        )

    def migrations(self, kind):
        return self.call(
            'GET',
            f'/os-migrations?instance_uuid={self.server["id"]}'
            f'&migration_type={kind}',
        )['migrations']

    def wait_migration(self, kind, status, seconds=30):
        """The server's one migration of kind once it has status.

        Nova's records lag behind the server: a live-migrated server is
        ACTIVE on its new host while its migration is still `running`
        (the source compute finishes it after), an evacuated one is
        `done` only once on its new host.
        """
        deadline = time.monotonic() + seconds
        while True:
            (migration,) = self.migrations(kind)
            if migration['status'] == status:
                return migration
            if time.monotonic() > deadline:
                self.fail(
                    f'{kind} is {migration["status"]}, not {status} '
                    f'after {seconds} s'
                )
            time.sleep(0.2)

    def compute_service(self):
        (service,) = self.call(
            'GET', f'/os-services?binary=nova-compute&host={HOST}'
        )['services']
        return service

    def force_down(self, value):
        return self.nova.put(
            f'/os-services/{self.compute_service()["id"]}',
            json={'forced_down': value},
        )

    def assertMovedFrom(self, host, server):
        self.assertNotEqual(host, server['OS-EXT-SRV-ATTR:host'])
        self.assertIn(
            server['OS-EXT-SRV-ATTR:host'], base.cloud()['hosts'], server
        )
        # The port went with it: the server keeps its address.
        self.assertEqual(
            self.server['addresses'], server['addresses'], 'addresses'
        )

    def test_live_migration_lets_the_scheduler_pick(self):
        self.action(
            {'os-migrateLive': {'host': None, 'block_migration': 'auto'}}
        )
        moved = self.wait(self.server['id'], {'ACTIVE'}, HOST)
        self.assertMovedFrom(HOST, moved)
        migration = self.wait_migration('live-migration', 'completed')
        self.assertEqual(
            (HOST, moved['OS-EXT-SRV-ATTR:host']),
            (migration['source_compute'], migration['dest_compute']),
        )

    def test_live_migration_to_the_fqdn_hypervisor(self):
        # compute10's hypervisor is compute10.example.org: the target is
        # named by its service host and lands on that node.
        self.action(
            {
                'os-migrateLive': {
                    'host': 'compute10',
                    'block_migration': 'auto',
                }
            }
        )
        moved = self.wait(self.server['id'], {'ACTIVE'}, HOST)
        self.assertEqual(
            ('compute10', 'compute10.example.org'),
            (
                moved['OS-EXT-SRV-ATTR:host'],
                moved['OS-EXT-SRV-ATTR:hypervisor_hostname'],
            ),
        )

    def test_cold_migration_then_confirm(self):
        self.action({'migrate': None})
        resized = self.wait(self.server['id'], {'VERIFY_RESIZE'}, HOST)
        self.assertMovedFrom(HOST, resized)
        self.action({'confirmResize': None}, ok=(204,))
        confirmed = self.wait(self.server['id'], {'ACTIVE'}, HOST)
        self.assertEqual(
            resized['OS-EXT-SRV-ATTR:host'],
            confirmed['OS-EXT-SRV-ATTR:host'],
        )
        self.wait_migration('migration', 'confirmed')

    def test_evacuation_needs_a_compute_restart_to_force_up(self):
        # Whatever happens, the host comes back: restart its compute (which
        # completes the evacuation records) and clear forced_down.
        self.addCleanup(self.force_down, False)
        self.addCleanup(base.devcloud, 'compute', 'restart', HOST)
        self.assertEqual(200, self.force_down(True).status_code)

        # From 2.95 an evacuated server arrives stopped.
        self.action({'evacuate': {}}, ok=(200,))
        moved = self.wait(self.server['id'], {'SHUTOFF'}, HOST)
        self.assertMovedFrom(HOST, moved)
        self.wait_migration('evacuation', 'done')

        refused = self.force_down(False)
        self.assertEqual(400, refused.status_code)
        self.assertIn(
            FORCE_UP_REFUSED, refused.json()['badRequest']['message']
        )

        restarted = base.devcloud('compute', 'restart', HOST)
        self.assertEqual(0, restarted.rc, restarted.err)
        self.assertIn(f'{HOST}: nova-compute restarted', restarted.err)
        (migration,) = self.migrations('evacuation')
        self.assertEqual('completed', migration['status'])

        self.assertEqual(200, self.force_down(False).status_code)
        service = self.compute_service()
        self.assertEqual(
            (False, 'up'), (service['forced_down'], service['state'])
        )
        # The restarted compute still runs the servers it had.
        for seeded in base.cloud()['servers']:
            if seeded['host'] == HOST:
                self.assertEqual('ACTIVE', self.show(seeded['id'])['status'])

    def test_evacuation_to_a_named_host_before_2_95_keeps_it_running(self):
        self.addCleanup(self.force_down, False)
        self.addCleanup(base.devcloud, 'compute', 'restart', HOST)
        self.assertEqual(200, self.force_down(True).status_code)
        self.call(
            'POST',
            f'/servers/{self.server["id"]}/action',
            {'evacuate': {'host': 'compute1'}},
            microversion='2.94',
        )
        moved = self.wait(self.server['id'], {'ACTIVE'}, HOST)
        self.assertEqual('compute1', moved['OS-EXT-SRV-ATTR:host'])


class ComputeRestartTest(base.TestCase):
    def test_restart_reports_the_host_up(self):
        result = base.devcloud('compute', 'restart', 'compute10')
        self.assertEqual(0, result.rc, result.err)
        nova = base.compute_api()
        (service,) = nova.get(
            '/os-services?binary=nova-compute&host=compute10'
        ).json()['services']
        self.assertEqual('up', service['state'])

    def test_unknown_host_is_refused(self):
        result = base.devcloud('compute', 'restart', 'compute9')
        self.assertEqual(1, result.rc, result.err)
        self.assertIn(
            "compute restart compute9: no compute host 'compute9'", result.err
        )
