"""Stop and resume the service-group reports of compute hosts."""

import datetime
import threading

import fixtures
import sqlalchemy as sa
from nova import context
from nova.db.main import api as main_db_api
from nova.db.main import models
from nova.servicegroup.drivers import db as sg_db
from oslo_config import cfg
from oslo_log import log as logging

CONF = cfg.CONF
LOG = logging.getLogger("devcloud")
COMPUTE_BINARY = "nova-compute"


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
