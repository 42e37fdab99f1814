"""The API clients a command may use, each built when first asked for.

The session comes from `hostctl.session.connect`; this module hands it the
cache (`hostctl.cache`): the token kept from an earlier run, installed in
the auth plugin before the first request, and kept again after the last.
Nothing here runs until a command asks for a client, so ``--help`` and
``--version`` never pay for it.
"""

from __future__ import annotations

import functools

from hostctl import exceptions
from hostctl import startup
from hostctl.settings import Settings


class ClientManager:
    def __init__(self, parsed_options) -> None:
        self.settings = Settings(parsed_options)

    _cache = None

    @functools.cached_property
    def connection(self):
        from hostctl import session

        settings = self.settings
        warm = _warm(settings)
        if warm is not None:
            connection, self._cache = warm
        else:
            connection = session.connect(settings)
            self._cache, _ = _open_cache(settings, connection)
        # The heavy imports are done; the command's own work begins.
        startup.started()
        return connection

    @property
    def session(self):
        return self.connection.session

    def save_cache(self) -> None:
        """Keep the token and version ranges for the next run, if a
        session was made and the cache is on."""
        if self._cache is not None:
            _save_cache(self._cache, self.connection, self.settings)

    @functools.cached_property
    def compute(self):
        from hostctl.v2_1 import client

        connection = self.connection
        return client.Client(
            connection.session,
            version=self.settings.get('compute_api_version'),
            endpoint_override=connection.compute,
            cache=self._cache,
            region_name=connection.region_name,
            interface=connection.interface,
        )

    @functools.cached_property
    def identity(self):
        from hostctl.identity import client

        connection = self.connection
        if connection.mode == 'token-endpoint':
            # The token plugin would send identity requests to --os-endpoint.
            return client.Client(
                None,
                unavailable='no identity service with --os-token and '
                '--os-endpoint',
            )
        return client.Client(
            connection.session,
            region_name=connection.region_name,
            interface=connection.interface,
            cache=self._cache,
        )

    @functools.cached_property
    def database(self):
        from hostctl.database import client

        connection = self.connection
        if connection.mode == 'token-endpoint' and not connection.database:
            # Without a catalogue, the compute endpoint is all there is;
            # Trove's requests would go to Nova and come back 404.
            raise exceptions.UsageError(
                'a token and --os-endpoint name the compute API only: give '
                'the database API too with --os-database-endpoint (or '
                'OS_DATABASE_ENDPOINT)'
            )
        return client.Client(
            connection.session,
            endpoint_override=connection.database,
            region_name=connection.region_name,
            interface=connection.interface,
        )

    def explain(self, error: Exception) -> Exception:
        """A better error for `error`, where its real cause is known here.

        No endpoint in the catalogue, with a token scoped to no project, is
        not about the region: an unscoped token has no catalogue at all.
        """
        if not isinstance(error, exceptions.NoEndpoint):
            return error
        ref = getattr(getattr(self.session, 'auth', None), 'auth_ref', None)
        if ref is not None and not ref.scoped:
            return exceptions.UsageError(
                'the token is scoped to no project, so it comes with no '
                'service catalogue: give --os-project-name or '
                '--os-project-id (or project_name in clouds.yaml)'
            )
        return error


def _warm(settings):
    """(connection, cache entry) from what an earlier run resolved, when
    the cache holds a live token for it; None otherwise (hostctl.resolved).
    """
    from hostctl import session

    if settings.no_cache or session.token_endpoint_mode(settings):
        return None
    from hostctl import cache
    from hostctl import resolved

    record = resolved.lookup(settings)
    if record is None:
        return None
    entry = cache.Entry.for_identity(
        record.get('identity') or {}, record.get('cache_id')
    )
    state = entry.auth_state()
    if state is None:
        return None
    settings.check()
    try:
        connection = resolved.connect(settings, record, state)
    except Exception:  # a record or state this keystoneauth cannot use
        return None
    if settings.insecure:
        session.warn_insecure()
    return connection, entry


def _open_cache(settings, connection):
    """(the cache entry of this identity, whether a token from it is now
    in the session's auth plugin); (None, False) when the cache is off."""
    if settings.no_cache or not connection.identity:
        return None, False
    from hostctl import cache

    entry = cache.Entry.for_identity(
        connection.identity, connection.cache_id()
    )
    state = entry.auth_state() if connection.caches_token else None
    if state is None:
        return entry, False
    auth = connection.session.auth
    try:
        auth.set_auth_state(state)
    except Exception:  # a state this keystoneauth cannot read
        auth.set_auth_state(None)
        entry.drop_auth_state()
        return entry, False
    return entry, True


def _save_cache(entry, connection, settings) -> None:
    if connection.caches_token:
        # After a 401 keystoneauth dropped the token and authenticated
        # again: what the plugin holds now is what is worth keeping, and
        # nothing when authentication failed.
        auth = connection.session.auth
        ref = getattr(auth, 'auth_ref', None)
        if ref is None or ref.expires is None:
            entry.drop_auth_state()
        else:
            entry.set_auth_state(
                auth.get_auth_state(), ref.expires.timestamp()
            )
            if not connection.warm:
                # A configuration that got a token: worth keeping.
                from hostctl import resolved

                resolved.remember(settings, connection)
    entry.save()
