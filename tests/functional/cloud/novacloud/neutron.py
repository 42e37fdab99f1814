"""Nova's neutron stub with the local cloud's networks on loopback."""

import copy
import ipaddress
import random
import threading
import uuid

from nova.tests import fixtures as nova_fixtures


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
                "allocation_pools": [{"start": str(hosts[1]), "end": str(hosts[-1])}],
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
        return {"subnets": self._list_resource(self._subnets, retrieve_all, **_params)}

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
