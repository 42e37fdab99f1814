"""Servers, with the status of their host (host_status, 2.16+).

host_status says what Nova knows of the server's compute service: UP,
UNKNOWN (no heartbeat within service_down_time), DOWN (forced down),
MAINTENANCE (disabled), or an empty string when the server has no host.
Nova shows it only from 2.16 and, by default policy, only to admins; the
client says which of the two hid it (`host_status_note`).
"""

from __future__ import annotations

import dataclasses
import re
from urllib import parse

from hostctl import exceptions
from hostctl import links
from hostctl import models
from hostctl.models import key
from hostctl.v2_1.base import Manager, requires, text

HOST_STATUS = (2, 16)
# Server tags (and the monitored mark made of one).
TAGS = '2.26'
# The statuses Nova can filter by (nova.api.openstack.common._STATE_MAP):
# before 2.38 it answers any other with an empty list, as if no server
# were in it; from 2.38 with a 400.
STATUSES = (
    'ACTIVE',
    'BUILD',
    'CONFIRMING_RESIZE',
    'DELETED',
    'ERROR',
    'HARD_REBOOT',
    'MIGRATING',
    'PASSWORD',
    'PAUSED',
    'REBOOT',
    'REBUILD',
    'RESCUE',
    'RESIZE',
    'REVERT_RESIZE',
    'SHELVED',
    'SHELVED_OFFLOADED',
    'SHUTOFF',
    'SOFT_DELETED',
    'SUSPENDED',
    'VERIFY_RESIZE',
)
# The server tag that marks a server for server-fping --monitored.
MONITORED_TAG = 'monitored'


@dataclasses.dataclass(frozen=True)
class Server(models.Model):
    id: str | None = None
    name: str | None = None
    status: str | None = None
    task_state: str | None = key('OS-EXT-STS:task_state')
    power_state: int | None = key('OS-EXT-STS:power_state')
    addresses: dict | None = None
    host_status: str | None = None
    host: str | None = key('OS-EXT-SRV-ATTR:host')
    hypervisor_hostname: str | None = key(
        'OS-EXT-SRV-ATTR:hypervisor_hostname'
    )
    tenant_id: str | None = None
    created: str | None = None
    # When the server last changed; Nova's clock, not ours.
    updated: str | None = None
    tags: list | None = None
    # Why it is in ERROR: {'message': ..., 'code': ...}.
    fault: dict | None = None
    # Not Nova's: the identity service's name for tenant_id, joined in by
    # the commands that show it (Nova gives IDs only).
    project_name: str | None = None

    @property
    def monitored(self) -> bool | None:
        """Whether the server carries the monitored tag (None: unknown)."""
        return None if self.tags is None else MONITORED_TAG in self.tags


class ServerManager(Manager):
    @requires('2.1', what='listing servers')
    def list(self, version, **filters) -> list[Server]:
        """Servers (all pages); filters as `_list` takes them.

        `host` names one host exactly (see hosts.resolve): a host that
        does not exist is NotFound, not an empty list, and a server on
        another host is never listed, whatever the cloud's filter did.
        """
        return self._list(version, **self._resolved(version, filters))

    def _resolved(self, version, filters: dict) -> dict:
        """`filters` with its host, if any, resolved exactly."""
        host = filters.get('host')
        if host is None:
            return filters
        host = self._client.hosts._resolve(version, host)[0]
        return dict(filters, host=host)

    @requires('2.1', what='listing servers')
    def list_since(self, version, since=None, host=None):
        """(servers, as_of): every server of every project (on `host`)
        whose record changed at or after `since`, or all of them when
        `since` is None; and the cloud's clock when it answered the first
        page, to pass as the next `since`. `host` is an exact service host
        (hosts.resolve), checked as `list` checks it.

        Nova's ``changes-since`` compares its own clock (updated_at), hence
        the cloud's time and not this machine's. It includes servers
        deleted since then, with status DELETED. Host Status is computed
        when read, so a change of the host's service does not show here.
        """
        dates: list = []
        servers = self._list(
            version,
            all_projects=True,
            host=host,
            changes_since=since.isoformat() if since is not None else None,
            dates=dates,
        )
        return servers, dates[0]

    @requires('2.1', what='showing a server')
    def get(self, version, name_or_id: str, all_projects=False) -> Server:
        """A server by UUID, or by exact name (one lookup)."""
        if models.looks_like_uuid(name_or_id):
            try:
                body = self._client.get(
                    f'/servers/{parse.quote(name_or_id)}', version
                )
                return Server.from_json(body['server'])
            except exceptions.NotFound:
                pass  # A server may be named like a UUID; try the name.
        matches = self._list(
            version,
            all_projects=all_projects,
            name=f'^{re.escape(name_or_id)}$',
        )
        if len(matches) == 1:
            return matches[0]
        if not matches:
            where = 'any project' if all_projects else 'this project'
            hint = '' if all_projects else ' (--all-projects looks further)'
            raise exceptions.NotFound(
                f'no server named or with ID {name_or_id!r} in {where}{hint}'
            )
        listed = ', '.join(f'{s.id} (project {s.tenant_id})' for s in matches)
        raise exceptions.UsageError(
            f'{len(matches)} servers are named {name_or_id!r}: {listed}; '
            'give an ID'
        )

    @requires(TAGS, what='listing servers by tag')
    def list_tagged(self, version, tag: str, **filters) -> list[Server]:
        """Servers that carry `tag` (all pages), filtered by the API and
        checked here: an untagged server is never taken for a tagged one."""
        filters = self._resolved(version, filters)
        servers = self._list(version, tags=tag, **filters)
        return [s for s in servers if tag in (s.tags or ())]

    @requires(TAGS, what='marking a server monitored (a server tag)')
    def set_monitored(self, version, server: Server, monitored=True):
        """Tag or untag `server` as monitored; (server, changed).

        The server's own tags (from the listing or GET that found it) say
        whether anything needs doing, so asking twice changes nothing. The
        tag request is idempotent either way: a DELETE retried after a lost
        answer meets a 404, which is the state asked for.
        """
        if server.monitored is monitored:
            return server, False
        url = _tag_url(server.id, MONITORED_TAG)
        if monitored:
            self._client.put(url, version)
            tags = [*(server.tags or ()), MONITORED_TAG]
        else:
            try:
                self._client.delete(url, version)
            except exceptions.NotFound:
                pass  # Untagged already: what was asked for.
            tags = [t for t in server.tags or () if t != MONITORED_TAG]
        return dataclasses.replace(server, tags=tags), True

    @requires('2.1', what='listing servers')
    def host_status_missing(
        self, version, servers
    ) -> exceptions.HostctlError | None:
        """Why host_status is missing from `servers`, as the error it is
        (too old a version, or policy), or None if it is not missing."""
        if version < HOST_STATUS:
            return exceptions.UnsupportedVersion(
                'Host Status is empty: it needs compute API version 2.16 or '
                f'later, and {text(version)} is in use'
            )
        if servers and all('host_status' not in s.raw for s in servers):
            return exceptions.AuthError(
                "Host Status is empty: the cloud's policy does not show it "
                'to this user (rule os_compute_api:servers:show:host_status'
                ', admin only by default)'
            )
        return None

    def host_status_note(self, servers) -> str | None:
        """The words of `host_status_missing`, for a note on stderr."""
        missing = self.host_status_missing(servers)
        return None if missing is None else str(missing)

    def _list(
        self,
        version,
        *,
        all_projects=False,
        host=None,
        status=None,
        name=None,
        project=None,
        limit=None,
        tags=None,
        changes_since=None,
        dates=None,
    ) -> list[Server]:
        """`dates`, a list, is given the cloud's clock (Date) of each
        page's answer."""
        params = {}
        # Another project's servers, or a host's, are only visible when
        # asking across projects.
        if all_projects or project:
            params['all_tenants'] = 1
        if project:
            params['project_id'] = project
        if host:
            params['host'] = host
        if status:
            status = status.upper()
            if status not in STATUSES:
                raise exceptions.UsageError(
                    f'no server status {status!r}; the statuses: '
                    + ', '.join(STATUSES)
                )
            params['status'] = status
        if name:
            params['name'] = name
        if tags:
            params['tags'] = tags
        if changes_since:
            # Deleted servers are listed too, with status DELETED.
            params['changes-since'] = changes_since
        if dates is None:
            items = self._client.get_all(
                '/servers/detail',
                version,
                'servers',
                params=params,
                limit=limit,
            )
        else:

            def page(query):
                body, date = self._client.get_dated(
                    '/servers/detail', version, params=query
                )
                dates.append(date)
                return body

            items = links.collect(
                page, 'servers', 'servers_links', params, limit
            )
        servers = [Server.from_json(s) for s in items]
        return only_on(host, servers) if host else servers


def _tag_url(server_id: str, tag: str) -> str:
    return f'/servers/{parse.quote(server_id)}/tags/{parse.quote(tag)}'


def only_on(host: str, servers: list[Server]) -> list[Server]:
    """The servers really on `host`, whatever the API did with the filter.

    Nova drops ``host`` from a non-admin's query without a word and lists
    the user's servers instead; it also hides their hosts from such a user.
    A listing that cannot be checked is refused rather than shown as if it
    were filtered.
    """
    key = 'OS-EXT-SRV-ATTR:host'
    if any(key not in s.raw for s in servers):
        raise exceptions.AuthError(
            f'cannot list the servers on host {host!r}: the compute API '
            "ignores the host filter for this user and hides servers' "
            'hosts (admin only by default policy)'
        )
    return [s for s in servers if s.host == host]
