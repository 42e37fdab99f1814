"""Hypervisors (os-hypervisors), with the state and status of their service.

Versions that matter here: 2.33 pages the lists (limit/marker); 2.53 names
hypervisors by UUID and searches hostnames with a query parameter instead
of ``/os-hypervisors/<pattern>/search``; 2.88 drops the usage figures
(vcpus, memory, disk, running VMs) from the API, so they are None from then
on and the commands show them empty. 2.88 also puts ``uptime`` into the
hypervisor itself; before, it has its own request
(``/os-hypervisors/{id}/uptime``), which hypervisor-show makes.
"""

from __future__ import annotations

import dataclasses
from urllib import parse

from hostctl import exceptions
from hostctl import models
from hostctl.v2_1 import UUID_IDS
from hostctl.v2_1.base import Manager, requires

PAGED = (2, 33)
# Usage figures leave the API; uptime joins the hypervisor's own body.
USAGE_GONE = (2, 88)
# with_servers: each hypervisor's servers (name and UUID) in the same
# answer. The same microversion as UUID IDs.
WITH_SERVERS = UUID_IDS


@dataclasses.dataclass(frozen=True)
class Hypervisor(models.Model):
    id: int | str | None = None
    hypervisor_hostname: str | None = None
    state: str | None = None
    status: str | None = None
    hypervisor_type: str | None = None
    hypervisor_version: int | None = None
    host_ip: str | None = None
    # Usage figures: gone from the API at 2.88.
    vcpus: int | None = None
    vcpus_used: int | None = None
    memory_mb: int | None = None
    memory_mb_used: int | None = None
    local_gb: int | None = None
    local_gb_used: int | None = None
    free_ram_mb: int | None = None
    free_disk_gb: int | None = None
    disk_available_least: int | None = None
    current_workload: int | None = None
    running_vms: int | None = None
    cpu_info: dict | str | None = None
    uptime: str | None = None
    # Name and UUID of each server on it, where asked for (with_servers).
    servers: list | None = None
    service: dict | None = None

    @property
    def server_count(self):
        return None if self.servers is None else len(self.servers)

    @property
    def service_host(self):
        return (self.service or {}).get('host')

    @property
    def service_id(self):
        return (self.service or {}).get('id')

    @property
    def disabled_reason(self):
        return (self.service or {}).get('disabled_reason')


class HypervisorManager(Manager):
    @requires('2.1', what='listing hypervisors')
    def list(
        self, version, matching=None, detailed=False, servers=None
    ) -> list[Hypervisor]:
        """Hypervisors, all or those whose hostname contains `matching`;
        `servers` as `_list` takes it."""
        return self._list(version, matching, detailed, servers)

    def _list(self, version, matching=None, detailed=False, servers=None):
        """`servers` (default: with a detailed list) asks for each
        hypervisor's servers, for their count; a caller that has the
        servers already leaves them out of the answer."""
        if servers is None:
            servers = detailed
        if matching and version < UUID_IDS:
            return _containing(
                matching,
                self._search_before_2_53(version, matching, detailed),
            )
        url = '/os-hypervisors/detail' if detailed else '/os-hypervisors'
        params = {}
        if matching:
            params['hypervisor_hostname_pattern'] = matching
        if servers and version >= WITH_SERVERS:
            # The server count of --long, in the same request: the usage
            # figures (running_vms among them) are gone from 2.88.
            params['with_servers'] = 'true'
        try:
            items = self._all_pages(url, version, params)
        except exceptions.NotFound:
            # Nova answers a pattern that matches nothing with 404.
            raise _no_match(matching) from None
        found = [_with_server_list(h, params) for h in items]
        return _containing(matching, found) if matching else found

    @requires('2.1', what='showing a hypervisor')
    def get(self, version, name_or_id: str) -> Hypervisor:
        """A hypervisor by ID (integer before 2.53, UUID from 2.53) or name.

        A name is matched exactly (a short name matches its FQDN when only
        one fits); Nova's search is by substring, so its answer is only the
        candidates. A name costs one request from 2.53 (the detailed list,
        searched by Nova), two before (the search path has no detailed
        form). Before 2.53 an all-digit name is taken as an ID.
        """
        if not name_or_id.strip():
            raise exceptions.UsageError(
                'a hypervisor ID or hostname is needed'
            )
        is_id = (
            models.looks_like_uuid(name_or_id)
            if version >= UUID_IDS
            else name_or_id.isdigit()
        )
        if not is_id:
            try:
                candidates = self._list(
                    version, name_or_id, detailed=version >= UUID_IDS
                )
            except exceptions.NotFound:
                candidates = []
            found = _pick(name_or_id, candidates)
            if version >= UUID_IDS:
                return self._with_uptime(version, found)
            name_or_id = str(found.id)
        params = {'with_servers': 'true'} if version >= WITH_SERVERS else {}
        try:
            body = self._client.get(
                f'/os-hypervisors/{parse.quote(name_or_id)}',
                version,
                params=params,
            )
        except exceptions.NotFound:
            raise exceptions.NotFound(
                f'no hypervisor with ID {name_or_id!r}'
            ) from None
        return self._with_uptime(
            version, _with_server_list(body['hypervisor'], params)
        )

    def _with_uptime(self, version, hypervisor: Hypervisor) -> Hypervisor:
        """The hypervisor with its uptime, asked for where the body lacks
        it (before 2.88); empty where Nova cannot tell."""
        if version >= USAGE_GONE or hypervisor.uptime is not None:
            return hypervisor
        url = f'/os-hypervisors/{parse.quote(str(hypervisor.id))}/uptime'
        try:
            body = self._client.get(url, version)
        except exceptions.HostctlError as exc:
            # 501: the virt driver cannot tell; 400: the host's compute
            # service is down (a failed host, the very one an operator
            # looks at); 404: it has no host mapping. Nothing else is lost.
            if exc.http_status not in (400, 404, 501):
                raise
            return hypervisor
        uptime = (body.get('hypervisor') or {}).get('uptime')
        return dataclasses.replace(hypervisor, uptime=uptime)

    def _all_pages(self, url, version, params=None) -> list[dict]:
        """Every hypervisor a list URL gives: Nova pages them from 2.33."""
        if version >= PAGED:
            return self._client.get_all(
                url, version, 'hypervisors', params=params
            )
        return self._client.get(url, version, params=params)['hypervisors']

    def _search_before_2_53(self, version, matching, detailed):
        if detailed:
            # The search path has no detailed form; one detailed list,
            # filtered here as Nova filters (a substring), beats a GET per
            # match.
            found = [
                h
                for h in self._all_pages('/os-hypervisors/detail', version)
                if matching in (h.get('hypervisor_hostname') or '')
            ]
            if not found:
                raise _no_match(matching)
            return [Hypervisor.from_json(h) for h in found]
        try:
            body = self._client.get(
                f'/os-hypervisors/{parse.quote(matching)}/search', version
            )
        except exceptions.NotFound:
            raise _no_match(matching) from None
        return [Hypervisor.from_json(h) for h in body['hypervisors']]


def _pick(hostname: str, candidates: list[Hypervisor]) -> Hypervisor:
    """The one hypervisor `hostname` names among Nova's substring matches:
    the exact hostname, or the one FQDN whose first label it is. Never
    another hostname that merely contains it."""
    exact = [h for h in candidates if h.hypervisor_hostname == hostname]
    if not exact and '.' not in hostname:
        exact = [
            h
            for h in candidates
            if (h.hypervisor_hostname or '').split('.', 1)[0] == hostname
        ]
    if len(exact) == 1:
        return exact[0]
    if exact:
        names = ', '.join(
            sorted(f'{h.hypervisor_hostname} ({h.id})' for h in exact)
        )
        raise exceptions.UsageError(
            f'{hostname!r} names {len(exact)} hypervisors: {names}; give '
            'the full hostname or an ID'
        )
    others = sorted(h.hypervisor_hostname or '?' for h in candidates)
    hint = (
        f'; hostnames that contain it: {", ".join(others)}' if others else ''
    )
    raise exceptions.NotFound(f'no hypervisor named {hostname!r}{hint}')


def _containing(text: str, found: list[Hypervisor]) -> list[Hypervisor]:
    """The hypervisors whose hostname holds `text` as it is. Nova searches
    with SQL LIKE '%text%', where '_' (and before 2.53 '%') match any
    character: 'compute_' would find compute1."""
    kept = [h for h in found if text in (h.hypervisor_hostname or '')]
    if not kept:
        raise _no_match(text)
    return kept


def _no_match(pattern: str) -> exceptions.NotFound:
    return exceptions.NotFound(f'no hypervisor hostname matches {pattern!r}')


def _with_server_list(data: dict, params: dict) -> Hypervisor:
    hypervisor = Hypervisor.from_json(data)
    if params.get('with_servers') and hypervisor.servers is None:
        # Before 2.75 Nova leaves out the key of a hypervisor without
        # servers: asked for, and absent, is none.
        return dataclasses.replace(hypervisor, servers=[])
    return hypervisor
