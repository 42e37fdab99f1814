"""An auth plugin for a warm run: the cached token, until it is not enough.

A warm run has a live token and its catalogue (keystoneauth's auth state,
from hostctl.cache): all a request needs is the token for its header and
the endpoint from the catalogue. Building the real identity plugin for that
means importing ``keystoneauth1.identity``, which loads every identity
plugin keystoneauth has (OIDC, SAML, Kerberos helpers): about 50 ms of CPU,
a fifth of a warm run. `CachedToken` answers those two questions from the
auth state with ``keystoneauth1.access`` alone, and hands everything else
(version discovery, a token the cloud refused) to the real plugin, built
the first time it is needed (`hostctl.resolved` builds it: without the
secret, which it reads in full only to authenticate again).
"""

from __future__ import annotations

import json

from keystoneauth1 import access
from keystoneauth1 import plugin


class CachedToken(plugin.BaseAuthPlugin):
    """keystoneauth's plugin interface over a cached auth state.

    `real` builds the real plugin, which is given the same auth state.
    """

    def __init__(self, state: str, real) -> None:
        super().__init__()
        data = json.loads(state)
        self._ref = access.create(
            body=data['body'], auth_token=data['auth_token']
        )
        self._state = state
        self._build_real = real
        self._real = None

    def real(self):
        """The real plugin, holding the cached token to begin with."""
        if self._real is None:
            self._real = self._build_real()
            self._real.set_auth_state(self._state)
        return self._real

    @property
    def auth_ref(self):
        return self._real.auth_ref if self._real is not None else self._ref

    def get_token(self, session, **kwargs):
        if self._real is not None:
            return self._real.get_token(session, **kwargs)
        return self._ref.auth_token

    def get_endpoint(
        self,
        session,
        service_type=None,
        interface=None,
        region_name=None,
        service_name=None,
        **kwargs,
    ):
        asks_more = any(v is not None for v in kwargs.values())
        if self._real is not None or asks_more or not service_type:
            # A version to discover, or the token was replaced.
            return self.real().get_endpoint(
                session,
                service_type=service_type,
                interface=interface,
                region_name=region_name,
                service_name=service_name,
                **kwargs,
            )
        return self._ref.service_catalog.url_for(
            service_type=service_type,
            interface=interface or 'public',
            region_name=region_name,
            service_name=service_name,
        )

    def get_endpoint_data(self, session, **kwargs):
        return self.real().get_endpoint_data(session, **kwargs)

    def get_all_version_data(self, session, **kwargs):
        return self.real().get_all_version_data(session, **kwargs)

    def get_api_major_version(self, session, **kwargs):
        return self.real().get_api_major_version(session, **kwargs)

    def invalidate(self):
        # The cloud refused the token: the real plugin drops it, and
        # authenticates on the retry.
        return self.real().invalidate()

    def get_user_id(self, session, **kwargs):
        return self.auth_ref.user_id

    def get_project_id(self, session, **kwargs):
        return self.auth_ref.project_id

    def get_auth_state(self):
        if self._real is not None:
            return self._real.get_auth_state()
        return self._state
