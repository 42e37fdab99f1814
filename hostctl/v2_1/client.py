"""The compute client: microversion negotiation and requests.

The client wraps a keystoneauth1 Adapter for service type ``compute``.
keystoneauth does the version discovery (and caches it on the session) and
sends both microversion headers; this module decides which version to ask
for, in `Client.version_for`, and nowhere else.
"""

from __future__ import annotations

import functools
import importlib

from hostctl import exceptions
from hostctl import links
from hostctl.v2_1 import MAX_VERSION, MIN_VERSION
from hostctl.v2_1 import base

SERVICE = 'the compute API'


class _Manager:
    """A resource's manager, made (and its module imported) on first use.

    A command uses one or two of the seven; importing the others would
    cost each run of hostctl about 5 ms. `path` is 'module:Class'.
    """

    def __init__(self, path: str) -> None:
        self.path = path
        self.name = ''

    def __set_name__(self, owner, name: str) -> None:
        self.name = name

    def __get__(self, client, owner=None):
        if client is None:
            return self
        module, _, name = self.path.partition(':')
        manager = getattr(importlib.import_module(module), name)(client)
        # Kept on the instance, where the next lookup finds it first.
        client.__dict__[self.name] = manager
        return manager


class Client:
    """A thin client of the compute API v2.1.

    :param session: a keystoneauth1 Session carrying the authentication.
    :param version: the microversion the user pinned ('2.53'), or None,
        'auto' or 'latest' to negotiate the highest both sides support.
    :param endpoint_override: a compute endpoint to use instead of the
        service catalogue's.
    :param cache: where the version range of the endpoint is kept across
        runs (a `hostctl.cache.Entry`), or None to read it every time.
    """

    services = _Manager('hostctl.v2_1.services:ServiceManager')
    hypervisors = _Manager('hostctl.v2_1.hypervisors:HypervisorManager')
    servers = _Manager('hostctl.v2_1.servers:ServerManager')
    fping = _Manager('hostctl.v2_1.fping:FpingManager')
    server_actions = _Manager(
        'hostctl.v2_1.server_actions:ServerActionManager'
    )
    migrations = _Manager('hostctl.v2_1.migrations:MigrationManager')
    hosts = _Manager('hostctl.v2_1.hosts:HostManager')

    def __init__(
        self,
        session,
        *,
        version: str | None = None,
        endpoint_override: str | None = None,
        region_name: str | None = None,
        interface: str | None = None,
        cache=None,
    ) -> None:
        from keystoneauth1 import adapter

        self.requested = base.parse_requested(version)
        self._cache = cache
        self._versions_from_cache = False
        self._adapter = adapter.Adapter(
            session,
            service_type='compute',
            endpoint_override=endpoint_override,
            region_name=region_name,
            interface=interface,
            client_name='hostctl',
        )

    @functools.cached_property
    def server_versions(self) -> tuple[base.Version, base.Version]:
        """The (min, max) microversions the cloud serves.

        From the cache when it knows this endpoint's range, else read from
        the endpoint's version document (and kept in the cache).
        """
        if self._cache is None:
            return self._discover_versions()
        endpoint = self._endpoint()
        cached = self._cache.versions(endpoint) if endpoint else None
        if cached is not None:
            try:
                found = base.parse(cached[0]), base.parse(cached[1])
            except exceptions.UsageError:
                found = None
            if found is not None:
                self._versions_from_cache = True
                return found
        low, high = self._discover_versions()
        if endpoint:
            self._cache.set_versions(endpoint, base.text(low), base.text(high))
        return low, high

    def forget_cached_versions(self) -> bool:
        """Drop a version range that came from the cache (the cloud has
        refused a version in it); True if there was one to drop."""
        if not self._versions_from_cache:
            return False
        self._cache.drop_versions(self._endpoint())
        self._versions_from_cache = False
        del self.server_versions
        return True

    def is_gone(self, api: str) -> bool:
        """Whether this endpoint lately answered 404 or 410 to `api`."""
        if self._cache is None:
            return False
        endpoint = self._endpoint()
        return bool(endpoint) and api in self._cache.gone(endpoint)

    def mark_gone(self, api: str) -> None:
        """Remember, beside the version range, that `api` is gone here."""
        endpoint = self._endpoint() if self._cache is not None else None
        if endpoint:
            self._cache.set_gone(endpoint, api)

    def _endpoint(self) -> str | None:
        from keystoneauth1 import exceptions as ksa

        try:
            return self._adapter.get_endpoint()
        except ksa.ClientException as exc:
            raise exceptions.from_keystoneauth(exc, SERVICE) from exc

    def _discover_versions(self) -> tuple[base.Version, base.Version]:
        """The (min, max) microversions the version document gives."""
        from keystoneauth1 import discover
        from keystoneauth1 import exceptions as ksa

        try:
            url = self._adapter.get_endpoint()
            if url is None:
                raise exceptions.UsageError(
                    'no compute endpoint in the service catalogue: check '
                    '--os-region-name and --os-interface'
                )
            # get_endpoint_data alone does not fail when the version
            # document cannot be read: it falls back to the catalogue URL
            # with no microversions, and hostctl would then claim that the
            # cloud serves only 2.1. Discovery through keystoneauth's own
            # function raises the real error, and caches the document on
            # the session for get_endpoint_data.
            discover.get_discovery(self._adapter.session, url.rstrip('/'))
            data = self._adapter.get_endpoint_data()
        except ksa.ClientException as exc:
            raise exceptions.from_keystoneauth(exc, SERVICE) from exc
        high = data.max_microversion if data is not None else None
        if not high:
            # A cloud without microversions speaks the 2.0/2.1 base API.
            return MIN_VERSION, MIN_VERSION
        low = data.min_microversion or MIN_VERSION
        return (low[0], low[1]), (high[0], high[1])

    def version_for(
        self, low: base.Version, high: base.Version | None, what: str
    ) -> base.Version:
        """The microversion to send for an operation that needs low..high.

        A version the user pinned is used as it is or refused, never
        changed. Otherwise it is the highest that hostctl, the cloud and the
        operation all allow.
        """
        server_low, server_high = self.server_versions
        needed = base.span(low, high)
        served = base.span(server_low, server_high)
        if self.requested is not None:
            pinned = self.requested
            if not server_low <= pinned <= server_high:
                if self.forget_cached_versions():
                    # A range from the cache: the cloud may have been
                    # upgraded since. Read it again before refusing.
                    return self.version_for(low, high, what)
                raise exceptions.UnsupportedVersion(
                    f'compute API version {base.text(pinned)} was asked for '
                    f'(--os-compute-api-version) but this cloud serves '
                    f'{served}'
                )
            if pinned > MAX_VERSION:
                raise exceptions.UnsupportedVersion(
                    f'compute API version {base.text(pinned)} was asked for '
                    '(--os-compute-api-version) but hostctl supports up to '
                    f'{base.text(MAX_VERSION)}'
                )
            if pinned < low or (high is not None and pinned > high):
                raise exceptions.UnsupportedVersion(
                    f'{what} needs compute API version {needed}, but '
                    f'{base.text(pinned)} was asked for with '
                    '--os-compute-api-version'
                )
            return pinned
        best = min(MAX_VERSION, server_high, high or MAX_VERSION)
        if best < low or best < server_low:
            if self.forget_cached_versions():
                return self.version_for(low, high, what)
            raise exceptions.UnsupportedVersion(
                f'{what} needs compute API version {needed}; this cloud '
                f'serves {served}'
            )
        return best

    def get(self, url, version, *, params=None):
        return self._request('GET', url, version, params=params)

    def get_all(self, url, version, key, *, params=None, limit=None):
        """Every item of a paginated list, one page after another.

        Nova pages lists by marker and says there is more with a ``next``
        link in ``<key>_links``. `limit` caps the total.
        """
        return links.collect(
            lambda page: self.get(url, version, params=page),
            key,
            f'{key}_links',
            params,
            limit,
        )

    def get_dated(self, url, version, *, params=None):
        """(body, the cloud's clock when it answered: its Date header).

        For filters by time (``changes-since``) that must be measured by
        the cloud's clock, not this machine's. None when the cloud sent
        no readable Date.
        """
        import email.utils

        response = self._request('GET', url, version, params=params, raw=True)
        try:
            date = email.utils.parsedate_to_datetime(response.headers['Date'])
        except (KeyError, TypeError, ValueError):
            date = None
        return self._body(response, 'GET', url), date

    def post(self, url, version, *, json=None, secret_answer=False):
        """A POST: an action, sent once and never retried (see
        hostctl.transport); a failure after it was sent says the change
        may or may not have been made. `secret_answer`: the answer may
        hold a secret, so --debug does not log this exchange."""
        extra = {'log': False} if secret_answer else {}
        return self._request('POST', url, version, json=json, **extra)

    def put(self, url, version, *, json=None):
        return self._request('PUT', url, version, json=json)

    def delete(self, url, version):
        return self._request('DELETE', url, version)

    def _request(self, method, url, version, raw=False, **kwargs):
        from keystoneauth1 import exceptions as ksa

        try:
            response = self._adapter.request(
                url, method, microversion=base.text(version), **kwargs
            )
        except ksa.ClientException as exc:
            error = exceptions.from_keystoneauth(exc, SERVICE)
            if method != 'GET' and isinstance(error, exceptions.ServerError):
                # The request may have been carried out before the failure.
                error = exceptions.ServerError(
                    f'{error}; the change may or may not have been made: '
                    'look before trying again'
                )
            raise error from exc
        return response if raw else self._body(response, method, url)

    @staticmethod
    def _body(response, method, url):
        if not response.content:
            return {}
        try:
            return response.json()
        except ValueError:
            raise exceptions.ServerError(
                f'{SERVICE} answered {method} {url} with a body that is not '
                'JSON; is the endpoint right?'
            ) from None
