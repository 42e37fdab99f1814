"""Projects: a name or an ID to an ID, and IDs to names, from one listing.

An admin lists every project (``GET /v3/projects``); anyone else is
refused that and lists the projects they have a role in (``GET
/v3/auth/projects``). One listing answers every question of a run, and is
kept in the cache for `cache.PROJECTS_TTL`: a name it does not know makes
it read again once, in case the project is new.
"""

from __future__ import annotations

import logging

from hostctl import exceptions
from hostctl import models

LOG = logging.getLogger('hostctl')


class ProjectManager:
    def __init__(self, client, cache=None) -> None:
        self._client = client
        self._cache = cache
        self._listing: dict[str, str] | None = None
        self._from_cache = False
        # Keystone cuts a listing at its list_limit, and says so.
        self._truncated = False

    def names(self) -> dict[str, str]:
        """Project ID -> name, for every project this user may see."""
        if self._listing is None:
            cached = self._cache.projects() if self._cache else None
            if cached is not None:
                self._listing, self._from_cache = cached, True
            else:
                self._listing = self._list()
        return self._listing

    def names_or_none(self) -> dict[str, str]:
        """names(), or nothing (and one line saying why) when the identity
        service will not list projects: names beside IDs are a courtesy."""
        try:
            return self.names()
        except (exceptions.AuthError, exceptions.UsageError) as exc:
            LOG.warning('Project Name is empty: %s', exc)
            return {}

    def resolve(self, name_or_id: str) -> str:
        """The ID of the project named, or with this ID."""
        try:
            self.names()
            if self._find(name_or_id) is None and self._from_cache:
                # The cached listing may predate the project.
                self._listing, self._from_cache = self._list(), False
        except (exceptions.AuthError, exceptions.UsageError) as exc:
            if models.looks_like_uuid(name_or_id):
                # Cannot be checked here; Nova will filter by it.
                return name_or_id
            raise exceptions.UsageError(
                f'--project {name_or_id!r}: a name needs the identity '
                f'service to find its ID, and it failed ({exc}); give the '
                'project ID'
            ) from exc
        found = self._find(name_or_id)
        if found is None and self._truncated:
            found = self._find_beyond_the_listing(name_or_id)
        if found is None:
            known = ', '.join(sorted(self._listing.values())) or 'none'
            raise exceptions.NotFound(
                f'no project named or with ID {name_or_id!r}; projects you '
                f'can see: {known}'
            )
        return found

    def _find(self, name_or_id: str) -> str | None:
        listing = self._listing or {}
        if name_or_id in listing:
            return name_or_id
        ids = [i for i, name in listing.items() if name == name_or_id]
        if len(ids) > 1:
            raise exceptions.UsageError(
                f'{len(ids)} projects are named {name_or_id!r} (in '
                f'different domains): {", ".join(sorted(ids))}; give an ID'
            )
        return ids[0] if ids else None

    def _find_beyond_the_listing(self, name_or_id: str) -> str | None:
        """The project, asked of the identity service by name, and by ID
        (a listing cut at Keystone's list_limit may not hold it)."""
        from urllib import parse

        body = self._client.get('/projects', params={'name': name_or_id})
        for project in body.get('projects', []):
            self._listing[project['id']] = project.get('name') or ''
        found = self._find(name_or_id)
        if found is None and models.looks_like_uuid(name_or_id):
            try:
                self._client.get(f'/projects/{parse.quote(name_or_id)}')
            except exceptions.NotFound:
                return None
            return name_or_id
        return found

    def _list(self) -> dict[str, str]:
        try:
            body = self._client.get('/projects')
        except exceptions.AuthError:
            # Not an admin: the projects this user has a role in.
            body = self._client.get('/auth/projects')
        listing = {
            p['id']: p.get('name') or p['id']
            for p in body.get('projects', [])
            if p.get('id')
        }
        self._truncated = bool(body.get('truncated'))
        if self._cache is not None and not self._truncated:
            self._cache.set_projects(listing)
        return listing
