"""From settings to an authenticated session and its endpoints: `connect`.

One function, three ways to get there, chosen by what was given:

- a token and an endpoint, no identity service (`_token_endpoint`): for
  clouds without a catalogue;
- no cloud named, an auth URL (`_openrc`): the OS_* variables and options
  are all there is, as an openrc file sets them, and they go straight to
  keystoneauth's plugin loaders, as nova's CLI does, sparing
  openstacksdk's imports;
- otherwise clouds.yaml and secure.yaml, read by openstacksdk's config
  loader (`hostctl.clouds`), the authority on what they mean.

Each builds its auth plugin with keystoneauth's loaders
(``loading.get_plugin_loader(type).load_from_options``). The session is
`transport.Session` (which requests are retried, what a time-out is).
"""

from __future__ import annotations

import logging

from hostctl import exceptions
from hostctl.settings import Settings

# A cloud in trouble may accept a connection and never answer; without a
# bound a runbook would hang there. A minute is far beyond any healthy
# answer (and Trove's own 15 s agent timeout); --timeout changes it.
DEFAULT_TIMEOUT = 60.0

#: Auth types whose token is kept across runs. Others (a token given on the
#: command line, exotic plugins) authenticate as they always do.
CACHED_AUTH_TYPES = frozenset(
    {'password', 'v3password', 'v3applicationcredential'}
)


class Connection:
    """An authenticated session and where its requests go.

    `identity` says whose token the session gets (no secret); `cache_id`
    is keystoneauth's hash of everything the token depends on, secrets
    included (`get_cache_id`), so a changed password is another identity.
    `mode` names the way it was built.
    """

    def __init__(
        self,
        session,
        *,
        mode,
        identity,
        region_name=None,
        interface=None,
        compute=None,
        database=None,
        plugin_options=None,
        files=(),
        cache_id=None,
    ) -> None:
        self.session = session
        self.mode = mode
        self.identity = identity
        self.region_name = region_name
        self.interface = interface
        self.compute = compute
        self.database = database
        # What the auth plugin was made from, and the configuration files
        # read: kept without secrets by hostctl.resolved.
        self.plugin_options = plugin_options
        self.files = files
        self._cache_id = cache_id
        # Built from what an earlier run resolved (hostctl.resolved).
        self.warm = False

    @property
    def auth_type(self):
        return self.identity.get('auth_type')

    @property
    def caches_token(self) -> bool:
        return self.auth_type in CACHED_AUTH_TYPES

    def cache_id(self) -> str | None:
        if self._cache_id is not None:
            return self._cache_id
        try:
            return self.session.auth.get_cache_id()
        except NotImplementedError:
            return None


def connect(settings: Settings) -> Connection:
    settings.check()
    if settings.insecure:
        warn_insecure()
    return resolve(settings)


def resolve(settings: Settings) -> Connection:
    """The connection, the configuration read in full."""
    if token_endpoint_mode(settings):
        return _token_endpoint(settings)
    if not settings.cloud and settings.get('auth_url'):
        return _openrc(settings)
    from hostctl import clouds

    return clouds.connect(settings)


def token_endpoint_mode(settings) -> bool:
    """A token and an endpoint, and nothing that names an identity server."""
    return bool(
        settings.get('token')
        and settings.get('endpoint')
        and not settings.get('auth_url')
        and not settings.cloud
    )


def make_session(settings, auth, *, verify=None, cert=None, timeout=None):
    """A transport.Session with the connection settings."""
    from hostctl import transport

    if verify is None:
        verify = False if settings.insecure else settings.get('cacert', True)
    if cert is None and settings.get('cert'):
        cert = settings.get('cert')
        if settings.get('key'):
            cert = (cert, settings.get('key'))
    retries = settings.get('retries')
    session = transport.Session(
        auth=auth,
        verify=verify,
        cert=cert,
        timeout=timeout or settings.get('timeout') or DEFAULT_TIMEOUT,
        retries=transport.DEFAULT_RETRIES if retries is None else retries,
    )
    check_ca_file(session)
    return session


def load_plugin(kind: str, values: dict):
    """keystoneauth's plugin `kind`, from the values its loader knows."""
    from keystoneauth1 import exceptions as ksa
    from keystoneauth1 import loading

    try:
        loader = loading.get_plugin_loader(kind)
        known = {o.dest for o in loader.get_options()}
        return loader.load_from_options(
            **{k: v for k, v in values.items() if k in known}
        )
    except ksa.ClientException as exc:
        raise exceptions.from_keystoneauth(exc) from exc


def _token_endpoint(settings) -> Connection:
    auth = load_plugin(
        'admin_token',
        {'endpoint': settings.get('endpoint'), 'token': settings.get('token')},
    )
    return Connection(
        make_session(settings, auth),
        mode='token-endpoint',
        identity={
            'auth_type': 'token_endpoint',
            'endpoint': settings.get('endpoint'),
        },
        compute=settings.get('endpoint'),
        database=settings.get('database_endpoint'),
    )


# What each kind cannot do without: alternatives in a tuple. (keystoneauth
# would only find out at the token request, or call it "auth_url".)
_NEEDS = {
    'password': (('username', 'user_id'), ('password',)),
    'v3password': (('username', 'user_id'), ('password',)),
    'token': (('token',),),
    'v3token': (('token',),),
    'v3applicationcredential': (
        ('application_credential_id', 'application_credential_name'),
        ('application_credential_secret',),
    ),
}


def _openrc(settings) -> Connection:
    auth = settings.auth()
    kind = settings.get('auth_type')
    if kind is None:
        # A token and nothing else asked for: token authentication, as
        # openstacksdk's loader decides too.
        kind = 'token' if 'token' in auth else 'password'
    for names in _NEEDS.get(kind, ()):
        if not any(auth.get(n) for n in names):
            given = ' or '.join(
                f'--os-{n.replace("_", "-")} (OS_{n.upper()})' for n in names
            )
            raise exceptions.UsageError(
                f'not enough to authenticate ({kind}): give {given}, or '
                'name a cloud with --os-cloud'
            )
    plugin = load_plugin(kind, auth)
    identity = {**settings.identity(), 'auth_type': kind}
    return Connection(
        make_session(settings, plugin),
        mode='openrc',
        identity=identity,
        region_name=settings.get('region_name'),
        interface=settings.get('interface', 'public'),
        compute=settings.get('endpoint'),
        database=settings.get('database_endpoint'),
        plugin_options=auth,
    )


def check_ca_file(session) -> None:
    # requests would fail on the first request with an OSError.
    import os

    if isinstance(session.verify, str) and not os.path.isfile(session.verify):
        raise exceptions.UsageError(
            f'no CA bundle at {session.verify} (from --os-cacert, OS_CACERT '
            'or cacert in clouds.yaml)'
        )


def warn_insecure() -> None:
    # One line from hostctl instead of urllib3's warning on every request.
    import warnings

    from urllib3 import exceptions as urllib3_exceptions

    warnings.filterwarnings(
        'ignore', category=urllib3_exceptions.InsecureRequestWarning
    )
    logging.getLogger('hostctl').warning(
        '--insecure: TLS certificates are not verified, so the server may '
        'not be who it claims to be; give --os-cacert instead'
    )
