"""The database client: requests to Trove's v1.0 API.

The same shape as the compute client, less the microversions: a thin
client on a keystoneauth1 Adapter for service type ``database``. Trove's
catalogue URL already carries the project (``/v1.0/<project id>``).
"""

from __future__ import annotations

from hostctl import exceptions
from hostctl import links
from hostctl import rest
from hostctl.database import instances

SERVICE = 'the database API'


class Client:
    def __init__(
        self,
        session,
        *,
        endpoint_override: str | None = None,
        region_name: str | None = None,
        interface: str | None = None,
    ) -> None:
        from keystoneauth1 import adapter

        self.session = session
        self._adapter = adapter.Adapter(
            session,
            service_type='database',
            endpoint_override=endpoint_override,
            region_name=region_name,
            interface=interface,
            client_name='hostctl',
        )
        self.instances = instances.InstanceManager(self)

    def authenticate(self) -> None:
        """Get the token now, before requests run in parallel threads."""
        from keystoneauth1 import exceptions as ksa

        try:
            self._adapter.get_endpoint()
        except ksa.ClientException as exc:
            raise exceptions.from_keystoneauth(exc, SERVICE) from exc

    def request(
        self, method, url, *, params=None, timeout=None, raise_exc=True
    ):
        """The raw response; HTTP errors (with raise_exc) and connection
        errors become hostctl errors."""
        return rest.request(
            self._adapter,
            SERVICE,
            method,
            url,
            params=params,
            timeout=timeout,
            raise_exc=raise_exc,
        )

    def get(self, url, *, params=None):
        response = self.request('GET', url, params=params)
        return rest.json_of(response, SERVICE, 'GET', url)

    def get_all(self, url, key, *, params=None):
        """Every page of a list; Trove links to the next page by marker."""
        return links.collect(
            lambda page: self.get(url, params=page), key, 'links', params
        )
