"""os-fping: Nova pings servers on the caller's behalf (2.1 to 2.35).

``GET /os-fping`` checks every server of the project, or of every project
with ``all_tenants``; ``include`` keeps only the listed server IDs and
``exclude`` drops them (ignored when ``include`` is given). ``GET
/os-fping/{id}`` checks one server. Nova deprecated the API at 2.36 and
has since removed it: today it answers 410 Gone at every version, which is
why server-fping can also probe servers itself (see hostctl.fping).
"""

from __future__ import annotations

import dataclasses
from urllib import parse

from hostctl import models
from hostctl.v2_1.base import Manager, requires


@dataclasses.dataclass(frozen=True)
class Fping(models.Model):
    id: str | None = None
    project_id: str | None = None
    alive: bool | None = None


class FpingManager(Manager):
    @requires('2.1', '2.35', what='os-fping')
    def list(
        self, version, *, all_projects=False, include=(), exclude=()
    ) -> list[Fping]:
        params = {}
        if all_projects:
            params['all_tenants'] = 1
        # Both as given: Nova itself ignores exclude when include is there.
        if include:
            params['include'] = ','.join(include)
        if exclude:
            params['exclude'] = ','.join(exclude)
        body = self._client.get('/os-fping', version, params=params)
        return [Fping.from_json(s) for s in body.get('servers', [])]

    @requires('2.1', '2.35', what='os-fping')
    def get(self, version, server_id: str) -> Fping:
        body = self._client.get(f'/os-fping/{parse.quote(server_id)}', version)
        return Fping.from_json(body.get('server', {}))
