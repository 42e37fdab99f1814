"""Server actions that move a server: evacuate, live and cold migration.

Each is a ``POST /servers/{id}/action``, and none is idempotent: asking
twice may start two moves. The transport sends POSTs once (no retry), and
an answer lost on the way back is reported as "may or may not have been
made" (see `Client._request`).

Where the request body changes with the microversion (each boundary is
named once, below):

- evacuate: ``onSharedStorage`` is required before 2.14 and refused from
  2.14 (Nova finds out itself); ``force`` exists from 2.29 to 2.67 (hostctl
  sends ``false`` with a target host, so the scheduler checks the target);
  from 2.95 an evacuated server arrives stopped (SHUTOFF).
- live migration: ``block_migration`` and ``disk_over_commit`` are required
  before 2.25; from 2.25 ``block_migration: auto`` lets Nova choose.
- cold migration: a target ``host`` from 2.56.
"""

from __future__ import annotations

import dataclasses
from urllib import parse

from hostctl.v2_1.base import Manager, Version, requires

SHARED_STORAGE_FOUND_BY_NOVA = (2, 14)
EVACUATE_FORCE = (2, 29)
EVACUATE_FORCE_GONE = (2, 68)
EVACUATE_TO_STOPPED = (2, 95)
LIVE_BLOCK_MIGRATION_AUTO = (2, 25)
MIGRATE_TO_HOST = (2, 56)


@dataclasses.dataclass(frozen=True)
class Accepted:
    """A move Nova took on, and what the server will be when it lands."""

    server_id: str
    version: Version
    # 'SHUTOFF' when Nova stops the server on arrival (evacuate at 2.95+);
    # None when the server keeps its state.
    arrives_as: str | None = None


def evacuate_body(
    version: Version, host: str | None, on_shared_storage: bool
) -> dict:
    body: dict = {}
    if host:
        body['host'] = host
    if version < SHARED_STORAGE_FOUND_BY_NOVA:
        body['onSharedStorage'] = on_shared_storage
    if host and EVACUATE_FORCE <= version < EVACUATE_FORCE_GONE:
        # Not forced: the scheduler checks that the target can take it.
        body['force'] = False
    return {'evacuate': body}


def live_migrate_body(version: Version, host: str | None) -> dict:
    if version >= LIVE_BLOCK_MIGRATION_AUTO:
        body = {'host': host, 'block_migration': 'auto'}
    else:
        body = {
            'host': host,
            'block_migration': False,
            'disk_over_commit': False,
        }
    return {'os-migrateLive': body}


def migrate_body(version: Version, host: str | None) -> dict:
    if host and version >= MIGRATE_TO_HOST:
        return {'migrate': {'host': host}}
    return {'migrate': None}


class ServerActionManager(Manager):
    @requires('2.1', what='evacuating a server')
    def evacuate(
        self,
        version,
        server_id: str,
        host: str | None = None,
        on_shared_storage: bool = False,
    ) -> Accepted:
        # Before 2.14 Nova may answer with the new admin password of the
        # rebuilt server: a secret, never read, kept, shown or logged.
        self._post(
            server_id,
            version,
            evacuate_body(version, host, on_shared_storage),
            secret_answer=version < SHARED_STORAGE_FOUND_BY_NOVA,
        )
        stopped = 'SHUTOFF' if version >= EVACUATE_TO_STOPPED else None
        return Accepted(server_id, version, stopped)

    @requires('2.1', what='live-migrating a server')
    def live_migrate(
        self, version, server_id: str, host: str | None = None
    ) -> Accepted:
        self._post(server_id, version, live_migrate_body(version, host))
        return Accepted(server_id, version)

    @requires('2.1', what='migrating a server')
    def migrate(
        self, version, server_id: str, host: str | None = None
    ) -> Accepted:
        if host:
            self.check_migrate_to_host()
        self._post(server_id, version, migrate_body(version, host))
        return Accepted(server_id, version)

    @requires('2.1', what='confirming a migration')
    def confirm_resize(self, version, server_id: str) -> None:
        self._post(server_id, version, {'confirmResize': None})

    def check_migrate_to_host(self) -> None:
        """Raise UnsupportedVersion unless a cold migration can name its
        target host (2.56+), before anything is changed."""
        self._client.version_for(
            MIGRATE_TO_HOST, None, 'cold migration to a chosen host'
        )

    def _post(self, server_id: str, version, body: dict, **kwargs) -> None:
        self._client.post(
            f'/servers/{parse.quote(server_id)}/action',
            version,
            json=body,
            **kwargs,
        )
