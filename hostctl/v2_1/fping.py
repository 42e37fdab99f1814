"""os-fping: Nova pings servers on the caller's behalf (2.1 to 2.35).

``GET /os-fping`` checks every server of the project, or of every project
with ``all_tenants``; ``include`` keeps only the listed server IDs and
``exclude`` drops them (ignored when ``include`` is given). ``GET
/os-fping/{id}`` checks one server. Nova deprecated the API at 2.36 and
has since removed it: today it answers 410 Gone at every version, and 500
to ``all_tenants=1``. Both answers are remembered with the cached version
range, so that a cloud without the API is asked once, not on every run.
"""

from __future__ import annotations

import dataclasses
from urllib import parse

from hostctl import exceptions
from hostctl import models
from hostctl.v2_1.base import Manager, parse as parse_version, requires

# The last microversion that had os-fping: written here and nowhere else.
LAST = '2.35'

# What the cache remembers (see Client.mark_gone).
_GONE = 'os-fping'
_GONE_ACROSS_PROJECTS = 'os-fping all_tenants'


class Gone(exceptions.HostctlError):
    """The cloud does not serve os-fping, or not across projects.

    Not an UnsupportedVersion: that one makes `requires` read the version
    range again, which would forget that the API is gone and ask it anew.
    """

    exit_code = exceptions.ExitCode.UNSUPPORTED


@dataclasses.dataclass(frozen=True)
class Fping(models.Model):
    id: str | None = None
    project_id: str | None = None
    alive: bool | None = None


class FpingManager(Manager):
    def available(self, all_projects=False) -> bool:
        """Whether os-fping is worth asking: the cloud's range (or the
        pinned version) reaches down to it, and the cloud has not lately
        said that it is gone."""
        pinned = self._client.requested
        low = pinned if pinned is not None else self._client.server_versions[0]
        return low <= parse_version(LAST) and not self._remembered(
            all_projects
        )

    @requires('2.1', LAST, what='os-fping')
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
        body = self._ask('/os-fping', version, params, all_projects)
        return [Fping.from_json(s) for s in body.get('servers', [])]

    @requires('2.1', LAST, what='os-fping')
    def get(self, version, server_id: str) -> Fping:
        url = f'/os-fping/{parse.quote(server_id)}'
        body = self._ask(url, version, None, False)
        return Fping.from_json(body.get('server', {}))

    def _remembered(self, all_projects: bool) -> bool:
        client = self._client
        return client.is_gone(_GONE) or (
            all_projects and client.is_gone(_GONE_ACROSS_PROJECTS)
        )

    def _ask(self, url, version, params, all_projects):
        if self._remembered(all_projects):
            raise Gone(
                'this cloud does not serve os-fping'
                + (' across projects' if all_projects else '')
                + ' (it said so lately; kept with the cached version range)'
            )
        try:
            return self._client.get(url, version, params=params)
        except exceptions.HostctlError as exc:
            status = exc.http_status
            if status in (404, 410):
                self._client.mark_gone(_GONE)
                where = ''
            elif status == 500 and all_projects:
                # Nova's stub of the removed API fails on all_tenants
                # instead of answering 410; as sure a sign as the 410.
                self._client.mark_gone(_GONE_ACROSS_PROJECTS)
                where = ' across projects'
            else:
                raise
            gone = Gone(
                f'this cloud does not serve os-fping{where} (HTTP {status}: '
                f'{exc.detail})',
                exc.detail,
            )
            gone.http_status = status
            raise gone from exc
