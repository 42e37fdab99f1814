"""Trove's database for the local cloud: schema, one datastore, the instances.

The schema comes from Trove's own migrations; the rows are written through
Trove's own models, as ``trove-manage`` and the task manager would write them.
Seeding is idempotent: an instance that already exists (same project, same
name) is kept, so its id stays the same across restarts in one run directory.
"""

import datetime

import trove_guests
from oslo_log import log as logging
from trove.common import cfg, timeutils, utils
from trove.datastore import models as datastore_models
from trove.db import get_db_api
from trove.instance import models as instance_models
from trove.instance import service_status as srvstatus
from trove.instance.tasks import InstanceTasks

CONF = cfg.CONF
LOG = logging.getLogger(__name__)

DATASTORE = "mysql"
DATASTORE_VERSION = "8.0"
# No image service in the local cloud: the id is only recorded.
IMAGE_ID = "00000000-0000-4000-8000-000000000001"
FLAVOR_ID = "1"
VOLUME_SIZE = 1


def instances_wanted(admin_project_id, demo_project_id):
    """(seed key, name, project id, guest behaviour) of each instance."""
    wanted = [
        ("answering", "db-answering", admin_project_id, trove_guests.ANSWERING),
        ("silent", "db-silent", admin_project_id, trove_guests.SILENT),
        ("failing", "db-failing", admin_project_id, trove_guests.FAILING),
    ]
    if demo_project_id:
        wanted.append(("demo", "db-demo", demo_project_id, trove_guests.ANSWERING))
    return wanted


def sync_schema():
    db_api = get_db_api()
    db_api.db_sync(CONF)
    db_api.configure_db()


def seed_datastore():
    """The datastore every instance runs; returns its version's id."""
    datastore_models.update_datastore(DATASTORE, None)
    datastore_models.update_datastore_version(
        DATASTORE, DATASTORE_VERSION, DATASTORE, IMAGE_ID, "", "", True
    )
    datastore_models.update_datastore(DATASTORE, DATASTORE_VERSION)
    datastore = datastore_models.Datastore.load(DATASTORE)
    return datastore_models.DatastoreVersion.load(datastore, DATASTORE_VERSION).id


def _find_instance(project_id, name):
    found = list(
        instance_models.DBInstance.find_all(
            tenant_id=project_id, name=name, deleted=False
        )
    )
    return found[0] if found else None


def _create_instance(project_id, name, version_id):
    db_info = instance_models.DBInstance.create(
        name=name,
        tenant_id=project_id,
        flavor_id=FLAVOR_ID,
        volume_size=VOLUME_SIZE,
        datastore_version_id=version_id,
        task_status=InstanceTasks.NONE,
        compute_instance_id=utils.generate_uuid(),
        server_status="ACTIVE",
        region_id=CONF.service_credentials.region_name,
    )
    instance_models.InstanceServiceStatus.create(
        instance_id=db_info.id, status=srvstatus.ServiceStatuses.HEALTHY
    )
    LOG.info("Seeded instance %s (%s) in project %s.", name, db_info.id, project_id)
    return db_info


def _make_stale(instance_id):
    """A guest that never sent a heartbeat: its last one is a day old."""
    status = instance_models.InstanceServiceStatus.find_by(instance_id=instance_id)
    status["updated_at"] = timeutils.utcnow() - datetime.timedelta(days=1)
    get_db_api().save(status)


def seed(admin_project_id, demo_project_id):
    """Returns ({seed key: {id, name, project_id}}, {instance id: behaviour})."""
    version_id = seed_datastore()
    seeded = {}
    behaviours = {}
    for key, name, project_id, behaviour in instances_wanted(
        admin_project_id, demo_project_id
    ):
        db_info = _find_instance(project_id, name)
        if db_info is None:
            db_info = _create_instance(project_id, name, version_id)
        if behaviour == trove_guests.SILENT:
            _make_stale(db_info.id)
        seeded[key] = {"id": db_info.id, "name": name, "project_id": project_id}
        behaviours[db_info.id] = behaviour
    return seeded, behaviours
