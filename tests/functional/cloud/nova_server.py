"""Run Nova on loopback for the local dev cloud, all in one process.

Run by the nova venv's python, started and stopped by devcloud.py:

    <venv>/bin/python nova_server.py --config-file nova.conf \
        --port 18774 --control-port 18775 --computes compute1,compute10 \
        --nodename compute10=compute10.example.org \
        --network live:UUID:127.0.10.0/24 --state-dir DIR

What runs here is Nova's own code: the compute API (the paste pipeline of
the wheel's api-paste.ini, keystonemiddleware included) served over HTTP,
and in-process nova-conductor, nova-scheduler and one nova-compute per
host on the fake virt driver.  What Nova talks to is stood in for by the
fixtures that the nova wheel ships in nova/tests for its functional tests:
sqlite databases for the API DB and cells v2 (cell0, cell1), the
oslo.messaging fake:// transport, placement in-process (PlacementFixture),
and the glance, cinder and neutron stubs.  The neutron stub is given two
shared networks on loopback addresses (see DevNeutron).

A second HTTP server on --control-port (loopback only) lets the launcher
steer what a real cloud would need a broken machine for:

    GET  /ready                      200 once every compute has reported
    GET  /heartbeat                  which hosts have their heartbeat stopped
    POST /heartbeat/HOST/stop        stop HOST's service-group reporting and
                                     age its last heartbeat, so Nova reports
                                     the nova-compute service down at once
    POST /heartbeat/HOST/start       resume reporting, with one report
                                     right away: up again when it returns
    POST /compute/HOST/restart       stop HOST's nova-compute and start a
                                     new one on the same fake hypervisor,
                                     as a restart of the service would
                                     (init_host runs again)

Runs until SIGTERM or SIGINT; SIGUSR2 writes every thread's stack to
stderr (the launcher's logs/nova.out).
"""

import argparse
import datetime
import faulthandler
import ipaddress
import json
import os
import signal
import sys
import threading
import time

# Nova must run on native threads, not eventlet: this has to be set before
# anything imports nova.
os.environ["OS_NOVA_DISABLE_EVENTLET_PATCHING"] = "1"

COMPUTE_BINARY = "nova-compute"


def _parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config-file", required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--control-port", type=int, required=True)
    parser.add_argument(
        "--computes",
        default="compute1,compute2,compute3",
        help="comma-separated names of the nova-compute hosts to run",
    )
    parser.add_argument(
        "--nodename",
        action="append",
        default=[],
        metavar="HOST=NODE",
        help="give HOST's hypervisor the node name NODE (default: HOST)",
    )
    parser.add_argument(
        "--network",
        action="append",
        default=[],
        metavar="NAME:UUID:CIDR",
        help="a shared network of the neutron stub, on loopback (repeatable)",
    )
    parser.add_argument(
        "--state-dir",
        required=True,
        help="where the sqlite databases and other state go",
    )
    args = parser.parse_args(argv)
    if not ipaddress.ip_address(args.host).is_loopback:
        parser.error("--host must be a loopback address")
    args.computes = [c for c in args.computes.split(",") if c]
    networks = {}
    for spec in args.network:
        try:
            name, net_id, cidr = spec.split(":")
            cidr = ipaddress.ip_network(cidr)
        except ValueError:
            parser.error(f"--network {spec}: not NAME:UUID:CIDR")
        if not cidr.is_loopback:
            parser.error(f"--network {spec}: not a loopback range")
        networks[name] = (net_id, cidr)
    args.networks = networks
    nodenames = {}
    for spec in args.nodename:
        host, _, node = spec.partition("=")
        if host not in args.computes or not node:
            parser.error(f"--nodename {spec}: not HOST=NODE for a host of --computes")
        nodenames[host] = node
    args.nodenames = nodenames
    return args


def _prepare_process(args):
    """Set what must be set before nova, oslo or fixtures are imported."""
    # The database fixtures put their sqlite files in a NestedTempfile
    # directory under tempfile's default: keep them in our state dir.
    tmp = os.path.join(os.path.abspath(args.state_dir), "tmp")
    os.makedirs(tmp, exist_ok=True)
    os.environ["TMPDIR"] = tmp
    import tempfile

    tempfile.tempdir = None
    # oslo.config parses the process's argv unless told otherwise; leave it
    # nothing of ours.
    sys.argv = sys.argv[:1]
    # As nova's own entry points do, first of all: native threads, and
    # eventlet barred (nova.tests.functional checks it was not imported).
    from nova import monkey_patch

    monkey_patch.patch()


# Everything below runs after _prepare_process; the imports are inside the
# functions and classes that need them so that order holds.


def _make_fixtures():
    """Build the classes that need nova imported; return them in a dict."""
    import contextlib
    import copy
    import random
    from unittest import mock
    import uuid

    import fixtures
    import sqlalchemy as sa
    from nova import context, objects
    from nova.db.main import api as main_db_api
    from nova.db.main import models
    from nova.servicegroup.drivers import db as sg_db
    from nova.tests import fixtures as nova_fixtures
    from nova.tests.functional import fixtures as func_fixtures
    from oslo_config import cfg
    from oslo_log import log as logging

    CONF = cfg.CONF
    LOG = logging.getLogger("devcloud")

    class DevNeutron(nova_fixtures.NeutronFixture):
        """The nova neutron stub, with networks on loopback addresses.

        The networks of --network (the launcher gives ``live``,
        127.0.10.0/24, for servers that answer, and ``dead``,
        127.0.66.0/24, a range the functional tests blackhole to play
        servers that do not), shared by every project, in place of the
        stub's own.  Ports get the fixed IP asked for, or the next free one
        of their network.
        """

        def __init__(self, test, networks):
            super().__init__(test)
            self._lock = threading.RLock()
            self._ports = {}
            self._networks = {}
            self._subnets = {}
            for name, (net_id, cidr) in networks.items():
                hosts = list(cidr.hosts())
                subnet_id = str(uuid.uuid5(uuid.UUID(net_id), "subnet"))
                self._networks[net_id] = {
                    "id": net_id,
                    "name": f"devcloud-{name}",
                    "description": "",
                    "status": "ACTIVE",
                    "subnets": [subnet_id],
                    "admin_state_up": True,
                    "tenant_id": "",
                    "project_id": "",
                    "shared": True,
                    "mtu": 1500,
                    "router:external": False,
                    "availability_zone_hints": [],
                    "availability_zones": ["nova"],
                    "port_security_enabled": True,
                    "ipv4_address_scope": None,
                    "ipv6_address_scope": None,
                    "provider:network_type": "flat",
                    "provider:physical_network": None,
                    "provider:segmentation_id": None,
                }
                self._subnets[subnet_id] = {
                    "id": subnet_id,
                    "name": f"devcloud-{name}-subnet",
                    "description": "",
                    "ip_version": 4,
                    "ipv6_address_mode": None,
                    "ipv6_ra_mode": None,
                    "enable_dhcp": True,
                    "network_id": net_id,
                    "tenant_id": "",
                    "project_id": "",
                    "dns_nameservers": [],
                    "gateway_ip": str(hosts[0]),
                    "allocation_pools": [
                        {"start": str(hosts[1]), "end": str(hosts[-1])}
                    ],
                    "host_routes": [],
                    "cidr": str(cidr),
                }

        def _default_security_group(self, project_id):
            sg_id = str(uuid.uuid5(uuid.NAMESPACE_OID, "sg-" + project_id))
            if sg_id not in self._security_groups:
                group = copy.deepcopy(self.security_group)
                group.update(
                    id=sg_id,
                    tenant_id=project_id,
                    project_id=project_id,
                    security_group_rules=[],
                )
                self._security_groups[sg_id] = group
            return self._security_groups[sg_id]

        def list_security_groups(self, retrieve_all=True, **_params):
            with self._lock:
                if not isinstance(self._security_groups, dict):
                    self._security_groups = dict(self._security_groups)
                project_id = _params.get("tenant_id")
                if project_id:
                    self._default_security_group(project_id)
                return super().list_security_groups(retrieve_all, **_params)

        def list_subnets(self, retrieve_all=True, **_params):
            return {
                "subnets": self._list_resource(self._subnets, retrieve_all, **_params)
            }

        def _next_ip(self, subnet):
            used = {
                ip["ip_address"]
                for port in self._ports.values()
                for ip in port["fixed_ips"]
                if ip["subnet_id"] == subnet["id"]
            }
            pool = subnet["allocation_pools"][0]
            start = ipaddress.ip_address(pool["start"])
            end = ipaddress.ip_address(pool["end"])
            # Leave .1-.10 to fixed requests (the seed asks for them).
            address = start + 9
            while address <= end:
                if str(address) not in used:
                    return str(address)
                address += 1
            raise ValueError(f"no free address in {subnet['cidr']}")

        def create_port(self, body=None):
            request = copy.deepcopy((body or {}).get("port", {}))
            with self._lock:
                network = self._networks.get(request.get("network_id"))
                if network is None:
                    from neutronclient.common import exceptions as nexc

                    raise nexc.NetworkNotFoundClient()
                subnet = self._subnets[network["subnets"][0]]
                wanted = [ip.get("ip_address") for ip in request.get("fixed_ips") or []]
                address = wanted[0] if wanted and wanted[0] else self._next_ip(subnet)
                port = {
                    "id": str(uuid.uuid4()),
                    "name": "",
                    "description": "",
                    "network_id": network["id"],
                    "admin_state_up": True,
                    "status": "ACTIVE",
                    "mac_address": "fa:16:3e:"
                    + ":".join(f"{random.randint(0, 255):02x}" for _ in range(3)),
                    "fixed_ips": [{"ip_address": address, "subnet_id": subnet["id"]}],
                    "tenant_id": request.get("tenant_id", ""),
                    "project_id": request.get("tenant_id", ""),
                    "device_id": request.get("device_id", ""),
                    "device_owner": request.get("device_owner", ""),
                    "binding:profile": {},
                    "binding:vif_details": {},
                    "binding:vif_type": "ovs",
                    "binding:vnic_type": "normal",
                    "port_security_enabled": True,
                    "security_groups": request.get("security_groups", []),
                }
                self._ports[port["id"]] = port
                return {"port": copy.deepcopy(port)}

        def update_port(self, port_id, body=None):
            with self._lock:
                return super().update_port(port_id, body)

        def delete_port(self, port_id, **_params):
            with self._lock:
                return super().delete_port(port_id, **_params)

        def list_ports(self, is_admin, retrieve_all=True, **_params):
            with self._lock:
                return super().list_ports(is_admin, retrieve_all, **_params)

    class Heartbeats:
        """Pause and resume the service-group reports of compute hosts."""

        def __init__(self):
            self.paused = set()
            self._lock = threading.Lock()
            self.cell = None
            self.services = {}
            real_report_state = sg_db.DbDriver._report_state
            self._real_report_state = real_report_state
            heartbeats = self

            def _report_state(driver, service):
                # Under the lock, so that a report already under way cannot
                # land after stop() aged the heartbeat.
                with heartbeats._lock:
                    if service.host in heartbeats.paused:
                        return None
                    return real_report_state(driver, service)

            self._patch = fixtures.MonkeyPatch(
                "nova.servicegroup.drivers.db.DbDriver._report_state", _report_state
            )

        def _age(self, host, seconds):
            when = datetime.datetime.now(datetime.UTC).replace(
                tzinfo=None
            ) - datetime.timedelta(seconds=seconds)
            ctxt = context.get_admin_context()
            with context.target_cell(ctxt, self.cell) as cctxt:

                @main_db_api.pick_context_manager_writer
                def _update(context):
                    return context.session.execute(
                        sa.update(models.Service)
                        .where(
                            models.Service.host == host,
                            models.Service.binary == COMPUTE_BINARY,
                            models.Service.deleted == 0,
                        )
                        .values(last_seen_up=when, updated_at=when)
                    ).rowcount

                return _update(cctxt)

        def stop(self, host):
            with self._lock:
                self.paused.add(host)
                # Put the last heartbeat well past service_down_time so
                # that the service is down now, not a minute later.
                rows = self._age(host, CONF.service_down_time + 60)
            LOG.info("devcloud: heartbeat of %s stopped", host)
            return rows

        def start(self, host):
            with self._lock:
                self.paused.discard(host)
                # Report at once rather than at the next tick of its timer:
                # the host is up again when this returns.
                service = self.services.get(("compute", host))
                if service is not None:
                    self._real_report_state(service.servicegroup_api._driver, service)
            LOG.info("devcloud: heartbeat of %s resumed", host)
            return 1

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

    class OneComputeCell(nova_fixtures.CellDatabases):
        """Nova's cell databases without the fixture's global cell switch.

        Upstream, target_cell() points every untargeted database access of
        the whole process at the targeted cell, guarded by a
        writer-preferring reader/writer lock; under native threads each
        sqlite writer transaction also holds a per-database lock
        (DatabaseWriteLock).  That deadlocks: thread A inside target_cell()
        (a reader) waits for cell1's write lock, held by thread B, whose
        transaction needs a read lock (an untargeted context, or a nested
        target_cell()) and must queue behind thread C, waiting to switch
        the cell (a writer), which waits for A.  Nova then never answers
        again (a stack dump of the hang: some thirty API threads waiting
        for the read lock in target_cell, one waiting to write, the
        conductor waiting for cell1's write lock).  Here every compute service is in cell1, so an untargeted
        access always belongs to cell1, as it would with nova.conf's
        [database] of a real cell1 service: no switch, no lock.  Targeted
        contexts (cell0 for servers that failed to schedule, the API's
        scatter-gather) carry their own connection as in a real cloud.
        """

        @contextlib.contextmanager
        def _wrap_target_cell(self, context, cell_mapping):
            with self._real_target_cell(context, cell_mapping) as cctxt:
                yield cctxt

        def _wrap_get_context_manager(self, context):
            connection = getattr(context, "db_connection", None)
            return connection or self._default_ctxt_mgr

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

            return fixtures.MonkeyPatch(
                "nova.virt.fake.FakeDriver.init_host", init_host
            )

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

    return {"DevCloud": DevCloud, "LOG": LOG}


def _serve_control(args, cloud, log):
    """The loopback control endpoint (see the module docstring)."""
    from http import server as http_server

    class Handler(http_server.BaseHTTPRequestHandler):
        def log_message(self, format, *a):
            log.info("devcloud control: " + format, *a)

        def _reply(self, status, body):
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
            if self.path == "/ready":
                try:
                    up = cloud.all_up()
                except Exception as exc:  # noqa: BLE001 - any failure: not ready
                    log.warning("devcloud: readiness check failed: %s", exc)
                    up = False
                self._reply(
                    200 if up else 503, {"ready": up, "computes": cloud.compute_hosts}
                )
            elif self.path == "/heartbeat":
                self._reply(
                    200,
                    {
                        "stopped": sorted(cloud.heartbeats.paused),
                        "computes": cloud.compute_hosts,
                    },
                )
            else:
                self._reply(404, {"error": "no such path"})

        def do_POST(self):
            parts = self.path.strip("/").split("/")
            actions = {
                ("heartbeat", "stop"): cloud.heartbeats.stop,
                ("heartbeat", "start"): cloud.heartbeats.start,
                ("compute", "restart"): cloud.restart_compute,
            }
            action = actions.get((parts[0], parts[-1])) if len(parts) == 3 else None
            if action is None:
                self._reply(404, {"error": "no such path"})
                return
            host = parts[1]
            if host not in cloud.compute_hosts:
                self._reply(
                    404,
                    {
                        "error": f"no compute host {host!r}",
                        "computes": cloud.compute_hosts,
                    },
                )
                return
            try:
                action(host)
            except Exception as exc:
                log.exception("devcloud: %s %s failed", self.path, host)
                self._reply(500, {"error": str(exc)})
                return
            self._reply(
                200,
                {
                    "host": host,
                    parts[0]: parts[2],
                    "stopped": sorted(cloud.heartbeats.paused),
                },
            )

    server = http_server.ThreadingHTTPServer((args.host, args.control_port), Handler)
    server.daemon_threads = True
    thread = threading.Thread(
        target=server.serve_forever, name="devcloud-control", daemon=True
    )
    thread.start()
    return server


def _serve_api(args, log):
    """Nova's compute API (its paste pipeline) over HTTP on loopback."""
    import socketserver
    from wsgiref import simple_server

    from nova.api.openstack import wsgi_app
    from oslo_config import cfg
    from paste import deploy

    CONF = cfg.CONF
    wsgi_app._setup_service(CONF.host, "osapi_compute")
    application = deploy.loadapp(
        f"config:{CONF.wsgi.api_paste_config}", name="osapi_compute"
    )

    class Server(socketserver.ThreadingMixIn, simple_server.WSGIServer):
        daemon_threads = True
        allow_reuse_address = True
        request_queue_size = 64

    class Handler(simple_server.WSGIRequestHandler):
        def log_message(self, format, *a):
            # nova's request_log middleware logs every request already.
            pass

    server = Server((args.host, args.port), Handler)
    server.set_app(application)
    return server


def main(argv=None):
    args = _parse_args(sys.argv[1:] if argv is None else argv)
    started = time.monotonic()
    _prepare_process(args)

    from nova import config, objects
    from oslo_log import log as logging

    objects.register_all()
    config.parse_args(
        ["nova"],
        default_config_files=[os.path.abspath(args.config_file)],
        configure_db=False,
        init_rpc=False,
    )
    logging.setup(config.CONF, "nova")

    built = _make_fixtures()
    log = built["LOG"]
    cloud = built["DevCloud"](args.computes, args.networks, args.nodenames)

    def _stop(signum, frame):
        # Everything this process has is thrown away with it (the launcher
        # empties the run dir on the next start): no graceful shutdown of
        # each service, which takes seconds, just leave.
        log.info("devcloud: signal %d, exiting", signum)
        logging_shutdown()
        os._exit(0)

    import logging as std_logging

    logging_shutdown = std_logging.shutdown
    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    # `kill -USR2 PID` writes every thread's stack to nova.out: what to
    # look at when Nova stops answering.
    faulthandler.register(signal.SIGUSR2, all_threads=True)

    with cloud:
        api = _serve_api(args, log)
        control = _serve_control(args, cloud, log)
        msg = (
            f"nova serving on http://{args.host}:{args.port}/ (control on port "
            f"{args.control_port}, computes {','.join(args.computes)}, "
            f"set up in {time.monotonic() - started:.1f}s)"
        )
        log.info("devcloud: %s", msg)
        print(msg, file=sys.stderr, flush=True)
        try:
            api.serve_forever(poll_interval=0.2)
        finally:
            control.shutdown()
            api.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
