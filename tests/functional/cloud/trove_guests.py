"""The guest agents of the seeded database instances.

Trove's API talks to a guest over oslo.messaging: a call on the topic
``guestagent.<instance id>``, its payload encrypted with the instance's own
key.  The local cloud uses the ``fake://`` transport, which only carries
messages inside one process, so the guests are RPC servers in the API's
process, built with Trove's own helper (``trove.rpc.get_server``) and the key
Trove keeps for the instance, exactly as the real agent builds its server.

Three behaviours, one per seeded instance:

answering
    replies to ``rpc_ping`` (and reports a small volume); sends heartbeats.
failing
    its agent is up and sends heartbeats, but every call raises an error,
    which Trove turns into "An error occurred communicating with the guest".
silent
    no agent listens on its topic and it never sent a heartbeat: a call waits
    for ``agent_call_low_timeout`` and Trove answers "Timeout trying to
    connect to the Guest Agent."
"""

import threading

import oslo_messaging as messaging
from oslo_log import log as logging
from trove import rpc
from trove.common import cfg
from trove.guestagent import api as guest_api
from trove.instance import models as instance_models

CONF = cfg.CONF
LOG = logging.getLogger(__name__)

ANSWERING = "answering"
SILENT = "silent"
FAILING = "failing"
BEHAVIOURS = (ANSWERING, SILENT, FAILING)

FAILURE_MESSAGE = "the database service on this guest is not running"


class AnsweringGuest:
    """Answers like a healthy guest agent."""

    target = messaging.Target(version=guest_api.API.API_LATEST_VERSION)

    def __init__(self, instance_id):
        self.instance_id = instance_id

    def rpc_ping(self, context):
        LOG.debug("Guest %s answers rpc_ping.", self.instance_id)
        return True

    def get_filesystem_stats(self, context, fs_path):
        # A 1 GB volume, a fifth of it used.
        return {
            "block_size": 4096,
            "total_blocks": 262144,
            "free_blocks": 209715,
            "avail_blocks": 209715,
            "total": 1.0,
            "free": 858992640,
            "used": 0.2,
            "mgr_extra_info": {},
        }


class FailingGuest:
    """A guest agent that is up but fails whatever it is asked."""

    target = messaging.Target(version=guest_api.API.API_LATEST_VERSION)

    def __init__(self, instance_id):
        self.instance_id = instance_id

    def rpc_ping(self, context):
        LOG.debug("Guest %s fails rpc_ping.", self.instance_id)
        raise RuntimeError(FAILURE_MESSAGE)

    def get_filesystem_stats(self, context, fs_path):
        raise RuntimeError(FAILURE_MESSAGE)


ENDPOINTS = {ANSWERING: AnsweringGuest, FAILING: FailingGuest}


class Guests:
    """Starts, heartbeats and stops the guests of the seeded instances."""

    def __init__(self, behaviours):
        """behaviours: {instance id: ANSWERING | SILENT | FAILING}."""
        self.behaviours = behaviours
        self.servers = []
        self._stop = threading.Event()
        self._heartbeat_thread = None

    def start(self):
        for instance_id, behaviour in sorted(self.behaviours.items()):
            endpoint_cls = ENDPOINTS.get(behaviour)
            if endpoint_cls is None:
                continue  # silent: nobody listens
            key = instance_models.get_instance_encryption_key(instance_id)
            target = messaging.Target(
                topic=f"guestagent.{instance_id}",
                server=instance_id,
                version=guest_api.API.API_LATEST_VERSION,
            )
            server = rpc.get_server(target, [endpoint_cls(instance_id)], key=key)
            server.start()
            self.servers.append(server)
            LOG.info("Guest %s (%s) listening.", instance_id, behaviour)
        self.heartbeat()
        self._heartbeat_thread = threading.Thread(
            target=self._heartbeat_loop, name="guest-heartbeats", daemon=True
        )
        self._heartbeat_thread.start()

    def heartbeat(self):
        """Record a heartbeat for every guest whose agent is up."""
        for instance_id, behaviour in self.behaviours.items():
            if behaviour == SILENT:
                continue
            status = instance_models.InstanceServiceStatus.find_by(
                instance_id=instance_id
            )
            status.save()  # saving stamps updated_at, as the conductor does

    def _heartbeat_loop(self):
        interval = max(1, CONF.agent_heartbeat_expiry // 3)
        while not self._stop.wait(interval):
            try:
                self.heartbeat()
            except Exception:
                LOG.exception("Guest heartbeat failed.")

    def stop(self):
        self._stop.set()
        for server in self.servers:
            server.stop()
        for server in self.servers:
            server.wait()
        self.servers = []
