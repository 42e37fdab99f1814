"""Stand-ins for the services Trove's API calls besides its guests.

Trove's API asks Nova for the server behind each database instance, Neutron
for its ports, Cinder for its volume; which client it builds is a setting
(``remote_nova_client`` and friends).  In the local cloud those settings name
the factories below, so Trove never leaves its own process for them.

The compute servers are derived from Trove's own database: every instance row
that is not deleted has one ACTIVE server, tagged the way Trove tags the
servers it creates, on the one compute host of the local cloud.  Neutron has no
ports for them and Cinder no volumes, so instances show no addresses and no
volume details.  Glance, Swift and the rest refuse: nothing the local cloud
serves needs them.
"""

import hashlib

from cinderclient import exceptions as cinder_exceptions
from novaclient import api_versions
from novaclient import exceptions as nova_exceptions
from novaclient.v2 import servers as nova_servers
from trove.common import cfg

CONF = cfg.CONF

# The host name the servers report; trove_server sets it from its config.
COMPUTE_HOST = "devcloud-compute"


def _tags(db_info):
    return [
        "trove_instance",
        f"trove_instance_id_{db_info.id}",
        f"trove_project_id_{db_info.tenant_id}",
    ]


def _server(db_info):
    host_id = hashlib.sha224((db_info.tenant_id + COMPUTE_HOST).encode()).hexdigest()
    info = {
        "id": db_info.compute_instance_id,
        "name": db_info.name,
        "status": "ACTIVE",
        "tenant_id": db_info.tenant_id,
        "hostId": host_id,
        "OS-EXT-SRV-ATTR:host": COMPUTE_HOST,
        "addresses": {},
        "tags": _tags(db_info),
    }
    return nova_servers.Server(None, info, loaded=True)


def _matches(server, search_opts):
    """Apply the tag filters of Nova's server list (2.26 and later)."""
    tags = set(server.tags)
    wanted_all = search_opts.get("tags")
    wanted_any = search_opts.get("tags-any")
    all_present = not wanted_all or set(wanted_all.split(",")) <= tags
    any_present = not wanted_any or bool(set(wanted_any.split(",")) & tags)
    return all_present and any_present


class _Servers:
    def _all(self):
        # Imported here: this module is loaded by Trove's configuration,
        # before its models are.
        from trove.instance.models import DBInstance

        return [_server(db) for db in DBInstance.find_all(deleted=False)]

    def list(self, search_opts=None, limit=None, **kwargs):
        search_opts = search_opts or {}
        return [s for s in self._all() if _matches(s, search_opts)]

    def get(self, server_id):
        for server in self._all():
            if server.id == server_id:
                return server
        raise nova_exceptions.NotFound(
            404, f"No server with a name or ID of '{server_id}' exists."
        )


class _ServerGroups:
    def list(self, *args, **kwargs):
        return []

    def get(self, group_id):
        raise nova_exceptions.NotFound(404, f"Server group {group_id} not found.")


class NovaStandIn:
    """What Trove's API reads of a Nova client."""

    def __init__(self):
        self.api_version = api_versions.APIVersion(CONF.nova_client_version)
        self.servers = _Servers()
        self.server_groups = _ServerGroups()


class NeutronStandIn:
    """A Neutron with no ports and no floating IPs."""

    def list_ports(self, **filters):
        return {"ports": []}

    def list_floatingips(self, **filters):
        return {"floatingips": []}


class _Volumes:
    def get(self, volume_id):
        raise cinder_exceptions.NotFound(404, f"Volume {volume_id} could not be found.")

    def list(self, *args, **kwargs):
        return []


class CinderStandIn:
    """A Cinder with no volumes."""

    def __init__(self):
        self.volumes = _Volumes()


def nova_client(context, region_name=None, password=None):
    return NovaStandIn()


def neutron_client(context, region_name=None):
    return NeutronStandIn()


def cinder_client(context, region_name=None):
    return CinderStandIn()


def unavailable_client(*args, **kwargs):
    """Glance, Swift, DNS and remote Trove are not part of the local cloud."""
    raise RuntimeError("this service is not part of the local cloud")
