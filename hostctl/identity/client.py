"""Requests to the identity API (Keystone v3).

The same shape as the compute and database clients: a thin client on a
keystoneauth1 Adapter for service type ``identity``, version 3 (found in
the catalogue; keystoneauth reads the version document when the catalogue
URL has no version in it).
"""

from __future__ import annotations

from hostctl import exceptions
from hostctl import rest
from hostctl.identity import projects

SERVICE = 'the identity service'


class Client:
    def __init__(
        self,
        session,
        *,
        region_name: str | None = None,
        interface: str | None = None,
        cache=None,
        unavailable: str | None = None,
    ) -> None:
        self.projects = projects.ProjectManager(self, cache)
        # Why there is no identity service to ask, if there is none.
        self._unavailable = unavailable
        if unavailable:
            return
        from keystoneauth1 import adapter

        self._adapter = adapter.Adapter(
            session,
            service_type='identity',
            region_name=region_name,
            interface=interface,
            version='3',
            client_name='hostctl',
        )

    def get(self, url, *, params=None) -> dict:
        if self._unavailable:
            raise exceptions.UsageError(self._unavailable)
        response = rest.request(
            self._adapter, SERVICE, 'GET', url, params=params
        )
        return rest.json_of(response, SERVICE, 'GET', url)
