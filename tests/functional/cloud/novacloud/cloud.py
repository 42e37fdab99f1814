"""Nova's databases, stubs and services in one process, as fixtures."""

import threading
import uuid
from unittest import mock

import fixtures
from nova import context, objects
from nova.tests import fixtures as nova_fixtures
from nova.tests.functional import fixtures as func_fixtures
from oslo_config import cfg
from oslo_log import log as logging

from novacloud.cells import OneComputeCell
from novacloud.heartbeats import Heartbeats
from novacloud.neutron import DevNeutron

CONF = cfg.CONF
LOG = logging.getLogger("devcloud")


class Shim:
    """What the nova stub fixtures expect of the test case they get."""

    def __init__(self, owner):
        self._owner = owner

    def flags(self, **kw):
        group = kw.pop("group", None)
        for key, value in kw.items():
            CONF.set_override(key, value, group)

    def stub_out(self, old, new):
        self._owner.useFixture(fixtures.MonkeyPatch(old, new))

    def useFixture(self, fixture):
        return self._owner.useFixture(fixture)

    def id(self):
        return "devcloud"


class DevCloud(fixtures.Fixture):
    """Nova's databases, stubs and services, set up as fixtures."""

    def __init__(self, computes, networks, nodenames):
        super().__init__()
        self.compute_hosts = computes
        self.networks = networks
        self.nodenames = nodenames
        self.services = {}
        self.heartbeats = Heartbeats()
        self.heartbeats.services = self.services
        self._restart_lock = threading.Lock()

    def _setUp(self):
        shim = Shim(self)
        self.useFixture(nova_fixtures.RPCFixture())
        self.useFixture(nova_fixtures.OpenStackSDKFixture())
        objects.Service.clear_min_version_cache()
        from nova.compute import api as compute_api

        compute_api.CELLS = []
        context.reset_globals()

        self.useFixture(nova_fixtures.Database(database="api"))
        self.cells = self._setup_cells()
        self.heartbeats.cell = self.cells["cell1"]
        self.useFixture(nova_fixtures.DefaultFlavorsFixture())

        self.useFixture(nova_fixtures.ComputeNodeIdFixture())
        self.useFixture(func_fixtures.PlacementFixture())
        self.useFixture(DevNeutron(shim, self.networks))
        self.useFixture(nova_fixtures.GlanceFixture(shim))
        self.useFixture(nova_fixtures.CinderFixture(shim))
        self.useFixture(self.heartbeats._patch)
        self.useFixture(self._nodenames_patch())

        CONF.set_override("transport_url", self.cells["cell1"].transport_url)
        controller_host = CONF.host
        self._start("conductor", controller_host)
        self._start("scheduler", controller_host)
        try:
            for host in self.compute_hosts:
                CONF.set_override("host", host)
                self._start_compute(host)
        finally:
            CONF.clear_override("host")

    def _setup_cells(self):
        ctxt = context.get_context()
        celldbs = OneComputeCell()
        fake_transport = "fake://nowhere/"
        cells = {}
        cell0 = objects.CellMapping(
            context=ctxt,
            uuid=objects.CellMapping.CELL0_UUID,
            name="cell0",
            transport_url=fake_transport,
            database_connection=objects.CellMapping.CELL0_UUID,
        )
        cell0.create()
        celldbs.add_cell_database(objects.CellMapping.CELL0_UUID)
        cells["cell0"] = cell0
        cell1_uuid = str(uuid.uuid5(uuid.NAMESPACE_OID, "devcloud-cell1"))
        cell1 = objects.CellMapping(
            context=ctxt,
            uuid=cell1_uuid,
            name="cell1",
            transport_url=fake_transport,
            database_connection=cell1_uuid,
        )
        cell1.create()
        celldbs.add_cell_database(cell1_uuid, default=True)
        cells["cell1"] = cell1
        self.useFixture(celldbs)
        return cells

    def _start(self, name, host, cell=None, **kwargs):
        fixture = self.useFixture(
            nova_fixtures.ServiceFixture(name, host, cell=cell, **kwargs)
        )
        self.services[(name, host)] = fixture.service
        return fixture.service

    def _start_compute(self, host):
        from nova.compute import rpcapi as compute_rpcapi

        cell = self.cells["cell1"]
        service = self._start(
            "compute", host, cell=cell, topic_alt=compute_rpcapi.RPC_TOPIC_ALT
        )
        ctxt = context.get_context()
        # What nova-manage cell_v2 discover_hosts would do.
        objects.HostMapping(context=ctxt, host=host, cell_mapping=cell).create()
        with context.target_cell(ctxt, cell) as cctxt:
            node = objects.ComputeNode.get_by_service_id(
                context=cctxt, service_id=service.service_ref.id
            )
            node.mapped = 1
            node.save()
        return service

    def _nodenames_patch(self):
        """Name each fake hypervisor as --nodename says (default: its host)."""
        from nova.virt import fake

        real_init_host = fake.FakeDriver.init_host
        nodenames = self.nodenames

        def init_host(driver, host):
            real_init_host(driver, host)
            if host in nodenames:
                driver._set_nodes([nodenames[host]])

        return fixtures.MonkeyPatch("nova.virt.fake.FakeDriver.init_host", init_host)

    def restart_compute(self, host):
        """Stop HOST's nova-compute and start a new one, as a restart.

        A new service and ComputeManager, so that init_host runs again
        (it cleans up servers evacuated from the host and completes
        their migrations), on the old fake driver: what the hypervisor
        had defined survives the restart, as on a real host.  This is
        what nova.test.TestCase.restart_compute_service does.
        """
        from nova.compute import rpcapi as compute_rpcapi

        with self._restart_lock:
            old = self.services[("compute", host)]
            driver = old.manager.driver
            old.stop()
            with mock.patch(
                "nova.virt.driver.load_compute_driver", return_value=driver
            ):
                self._start(
                    "compute",
                    host,
                    cell=self.cells["cell1"],
                    topic_alt=compute_rpcapi.RPC_TOPIC_ALT,
                )
        LOG.info("devcloud: nova-compute on %s restarted", host)

    def all_up(self):
        """Whether every compute service is reported up by Nova."""
        from nova import servicegroup

        api = servicegroup.API()
        ctxt = context.get_admin_context()
        with context.target_cell(ctxt, self.cells["cell1"]) as cctxt:
            for host in self.compute_hosts:
                if host in self.heartbeats.paused:
                    continue
                ref = objects.Service.get_by_compute_host(cctxt, host)
                if not api.service_is_up(ref):
                    return False
        return True
