"""Migrations (``GET /os-migrations``): evacuations, live and cold moves.

What the API gives changes with the microversion: ``migration_type`` from
2.23; paging by marker, each migration's ``uuid`` and the ``changes-since``
filter from 2.59 (before 2.59 Nova drops ``changes-since`` without a word,
so hostctl refuses it there rather than list everything); ``user_id`` and
``project_id`` from 2.80. ``host`` matches a migration's source or
destination compute exactly.
"""

from __future__ import annotations

import dataclasses

from hostctl import models
from hostctl.v2_1.base import Manager, requires

PAGED = (2, 59)


@dataclasses.dataclass(frozen=True)
class Migration(models.Model):
    id: int | None = None
    uuid: str | None = None
    instance_uuid: str | None = None
    migration_type: str | None = None
    status: str | None = None
    source_compute: str | None = None
    dest_compute: str | None = None
    source_node: str | None = None
    dest_node: str | None = None
    created_at: str | None = None
    updated_at: str | None = None
    user_id: str | None = None
    project_id: str | None = None


class MigrationManager(Manager):
    @requires('2.1', what='listing migrations')
    def list(
        self,
        version,
        *,
        host: str | None = None,
        source_host: str | None = None,
        server_id: str | None = None,
        migration_type: str | None = None,
        status: str | None = None,
        since: str | None = None,
    ) -> list[Migration]:
        """Migrations, newest first from 2.59; all pages.

        `since` is an ISO 8601 time: migrations updated at or after it.
        `host` matches either end of a migration, `source_host` only where
        it came from.
        """
        params: dict = {}
        if host:
            params['host'] = host
        if source_host:
            params['source_compute'] = source_host
        if server_id:
            params['instance_uuid'] = server_id
        if migration_type:
            params['migration_type'] = migration_type
        if status:
            params['status'] = status
        if since:
            self._client.version_for(
                PAGED, None, 'listing migrations changed since a time'
            )
            params['changes-since'] = since
        # Before 2.59 there is no next link, and the first page is all.
        items = self._client.get_all(
            '/os-migrations', version, 'migrations', params=params
        )
        return [Migration.from_json(m) for m in items]
