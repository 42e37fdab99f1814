"""From global options to authenticated API clients, built on first use.

Configuration is read the way every OpenStack CLI reads it, by
openstacksdk's config loader (clouds.yaml, secure.yaml, OS_* variables and
the command line, merged), and authentication is keystoneauth's. Two modes
go around the loader: with no cloud named, the OS_* variables and options
(an openrc file) are all there is, and they go straight to keystoneauth's
plugins, as nova's CLI does, sparing the loader's imports; and a bare token
plus endpoint, for clouds without a catalogue, served by keystoneauth's
token-endpoint plugin.

Nothing here runs until a command asks for a client, so ``--help`` and
``--version`` never pay for it.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
import os
import sys

from hostctl import exceptions

# Global options passed to the config loader, by their argparse names.
_AUTH_OPTIONS = (
    'auth_type',
    'auth_url',
    'username',
    'user_id',
    'password',
    'project_name',
    'project_id',
    'user_domain_name',
    'user_domain_id',
    'project_domain_name',
    'project_domain_id',
    'domain_name',
    'domain_id',
    'token',
    'application_credential_id',
    'application_credential_name',
    'application_credential_secret',
    'region_name',
    'interface',
    'cacert',
    'cert',
    'key',
)

# Those of them that are the auth plugin's, not the connection's.
_PLUGIN_OPTIONS = tuple(
    name
    for name in _AUTH_OPTIONS
    if name
    not in ('auth_type', 'region_name', 'interface', 'cacert', 'cert', 'key')
)


@dataclasses.dataclass(frozen=True)
class Endpoints:
    """Where to send requests, besides what the session knows."""

    region_name: str | None = None
    interface: str | None = None
    compute: str | None = None
    database: str | None = None
    # Whose token the session gets and what for: the settings that key the
    # cache (see cache.KEY_ELEMENTS); no secret is among them.
    identity: dict | None = None


# A cloud in trouble may accept a connection and never answer; without a
# bound a runbook would hang there. A minute is far beyond any healthy
# answer (and Trove's own 15 s agent timeout); --timeout changes it.
DEFAULT_TIMEOUT = 60.0


def _identity(config) -> dict:
    """The settings that say whose token a session gets, secrets left out
    (the auth section also holds the password)."""
    from hostctl import cache

    settings = {**config.get('auth', {}), 'auth_type': config.get('auth_type')}
    return {k: v for k, v in settings.items() if k in cache.KEY_ELEMENTS}


def _config_loader():
    """openstacksdk's config loader, without the rest of openstacksdk.

    ``import openstack`` runs the package's __init__, which imports the
    whole SDK: about 0.4 s before any work. The loader needs none of it, so
    the package is registered bare and only its config modules are loaded.
    """
    import importlib.util
    import types

    if 'openstack' not in sys.modules:
        spec = importlib.util.find_spec('openstack')
        if spec is not None and spec.submodule_search_locations:
            package = types.ModuleType('openstack')
            package.__spec__ = spec
            package.__path__ = list(spec.submodule_search_locations)
            sys.modules['openstack'] = package
    from openstack.config import loader

    return loader


def token_endpoint_mode(options) -> bool:
    """A token and an endpoint, and nothing that names an identity server."""
    return bool(
        options.os_token
        and options.os_endpoint
        and not options.os_auth_url
        and not options.os_cloud
    )


def make_session(options):
    """A keystoneauth1 Session and the endpoints, from the global options."""
    if options.insecure:
        _warn_insecure()
    if token_endpoint_mode(options):
        return _token_endpoint_session(options)
    if direct_mode(options):
        return _direct_session(options)
    loader = _config_loader()
    from openstack import exceptions as sdk_exceptions

    from hostctl import transport

    settings = {}
    for name in _AUTH_OPTIONS:
        value = getattr(options, 'os_' + name, None)
        if value not in (None, ''):
            settings[name] = value
    if options.insecure:
        settings['verify'] = False
    settings['api_timeout'] = options.timeout or DEFAULT_TIMEOUT
    # A token with no other credentials means token authentication; the
    # loader would otherwise assume a password.
    if 'token' in settings and 'auth_type' not in settings:
        settings['auth_type'] = 'token'
    # The command line wins over clouds.yaml. The loader merges an 'auth'
    # dict over the cloud's, but lets the cloud's win over loose keys.
    auth = {k: settings.pop(k) for k in _PLUGIN_OPTIONS if k in settings}
    if auth:
        settings['auth'] = auth
    try:
        config = loader.OpenStackConfig(
            app_name='hostctl',
            session_constructor=functools.partial(
                transport.Session, retries=_retries(options)
            ),
        )
        region = config.get_one(
            cloud=options.os_cloud, validate=True, **settings
        )
    except sdk_exceptions.ConfigException as exc:
        if 'was not found' in str(exc) and options.os_cloud:
            raise exceptions.UsageError(
                _cloud_not_found(options.os_cloud)
            ) from exc
        raise exceptions.UsageError(f'configuration: {exc}') from exc
    except (TypeError, AttributeError) as exc:
        # YAML, but not laid out as clouds.yaml is: the loader stumbles.
        raise exceptions.UsageError(
            f'configuration: clouds.yaml is not laid out as expected '
            f'({exc}); see the openstacksdk clouds.yaml documentation'
        ) from exc
    except Exception as exc:
        raise _mapped(exc) from exc
    try:
        session = region.get_session()
    except Exception as exc:
        raise _mapped(exc) from exc
    _check_ca_file(session)
    endpoints = Endpoints(
        region_name=region.get_region_name('compute') or None,
        interface=region.get_interface('compute'),
        compute=options.os_endpoint or region.get_endpoint('compute'),
        database=(
            options.os_database_endpoint or region.get_endpoint('database')
        ),
        identity=_identity(region.config),
    )
    return session, endpoints


def _check_ca_file(session) -> None:
    # requests would fail on the first request with an OSError.
    if isinstance(session.verify, str) and not os.path.isfile(session.verify):
        raise exceptions.UsageError(
            f'no CA bundle at {session.verify} (from --os-cacert, OS_CACERT '
            'or cacert in clouds.yaml)'
        )


def _mapped(exc: Exception) -> Exception:
    error = exceptions.from_keystoneauth(exc, 'the identity service')
    if error is exc:
        raise exc
    return error


def _cloud_not_found(cloud: str) -> str:
    """Why --os-cloud names no cloud: which file was read, or why none."""
    import yaml

    from openstack.config import loader

    named = os.environ.get('OS_CLIENT_CONFIG_FILE')
    if named and not os.path.exists(named):
        return (
            f'configuration: OS_CLIENT_CONFIG_FILE names {named}, which '
            f'does not exist, so cloud {cloud!r} is unknown'
        )
    for path in filter(None, [named, *loader.CONFIG_FILES]):
        if not os.path.exists(path):
            continue
        # The loader skips a file it cannot read or parse, quietly.
        try:
            with open(path) as f:
                data = yaml.safe_load(f)
        except OSError as exc:
            return (
                f'configuration: cannot read {path} ({exc.strerror}), so '
                f'cloud {cloud!r} is unknown'
            )
        except yaml.YAMLError as exc:
            where = getattr(exc, 'problem_mark', None)
            line = f' (line {where.line + 1})' if where else ''
            return (
                f'configuration: {path} is not valid YAML{line}, so cloud '
                f'{cloud!r} is unknown'
            )
        clouds = data.get('clouds') if isinstance(data, dict) else None
        names = ', '.join(sorted(clouds)) if isinstance(clouds, dict) else ''
        return (
            f'configuration: no cloud {cloud!r} in {path}; it has: '
            f'{names or "none"}'
        )
    places = dict.fromkeys(os.path.dirname(p) for p in loader.CONFIG_FILES)
    return (
        f'configuration: no clouds.yaml found, so cloud {cloud!r} is '
        f'unknown (looked in {", ".join(places)})'
    )


def _warn_insecure() -> None:
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


# Auth types that need nothing from clouds.yaml when OS_* variables or the
# command line give their settings (an openrc file, as nova reads one).
_DIRECT_AUTH_TYPES = {
    None: 'password',
    'password': 'password',
    'v3password': 'password',
    'token': 'token',
    'v3token': 'token',
    'v3applicationcredential': 'v3applicationcredential',
}


def direct_mode(options) -> bool:
    """Whether no cloud is named, so the settings are all in the options.

    openstacksdk's loader would then only hand the same options to
    keystoneauth; skipping it (and its imports: yaml, the SDK's proxies)
    saves about a fifth of a warm command's run.
    """
    return (
        not getattr(options, 'os_cloud', None)
        and bool(getattr(options, 'os_auth_url', None))
        and getattr(options, 'os_auth_type', None) in _DIRECT_AUTH_TYPES
    )


def _direct_session(options):
    from hostctl import transport

    kind = _DIRECT_AUTH_TYPES[options.os_auth_type]
    if options.os_auth_type is None and options.os_token:
        # A token and nothing else asked for: token authentication, as
        # the loader path decides too.
        kind = 'token'
    settings = {
        name: getattr(options, 'os_' + name)
        for name in _PLUGIN_OPTIONS
        if getattr(options, 'os_' + name, None) not in (None, '')
    }
    _check_direct_settings(kind, settings)
    try:
        auth = _direct_plugin(kind, settings)
    except TypeError as exc:
        raise exceptions.UsageError(f'configuration: {exc}') from exc
    verify = False if options.insecure else (options.os_cacert or True)
    cert = options.os_cert
    if cert and options.os_key:
        cert = (cert, options.os_key)
    session = transport.Session(
        auth=auth,
        verify=verify,
        cert=cert,
        timeout=options.timeout or DEFAULT_TIMEOUT,
        retries=_retries(options),
    )
    _check_ca_file(session)
    from hostctl import cache

    identity = {'auth_type': kind, **settings}
    return session, Endpoints(
        region_name=options.os_region_name or None,
        interface=options.os_interface or 'public',
        compute=options.os_endpoint,
        database=options.os_database_endpoint,
        identity={
            k: v for k, v in identity.items() if k in cache.KEY_ELEMENTS
        },
    )


# What each kind cannot do without: alternatives in a tuple.
_DIRECT_NEEDS = {
    'password': (('username', 'user_id'), ('password',)),
    'token': (('token',),),
    'v3applicationcredential': (
        ('application_credential_id', 'application_credential_name'),
        ('application_credential_secret',),
    ),
}


def _check_direct_settings(kind, settings) -> None:
    for names in _DIRECT_NEEDS[kind]:
        if not any(settings.get(n) for n in names):
            given = ' or '.join(
                f'--os-{n.replace("_", "-")} (OS_{n.upper()})' for n in names
            )
            raise exceptions.UsageError(
                f'not enough to authenticate ({kind}): give {given}, or '
                'name a cloud with --os-cloud'
            )


def _direct_plugin(kind, settings):
    from keystoneauth1.identity import generic
    from keystoneauth1.identity import v3

    scope = {
        k: settings.get(k)
        for k in (
            'project_id',
            'project_name',
            'project_domain_id',
            'project_domain_name',
            'domain_id',
            'domain_name',
        )
    }
    if kind == 'token':
        return generic.Token(
            settings['auth_url'], token=settings.get('token'), **scope
        )
    user = {
        k: settings.get(k)
        for k in ('username', 'user_id', 'user_domain_id', 'user_domain_name')
    }
    if kind == 'v3applicationcredential':
        return v3.ApplicationCredential(
            settings['auth_url'],
            application_credential_id=settings.get(
                'application_credential_id'
            ),
            application_credential_name=settings.get(
                'application_credential_name'
            ),
            application_credential_secret=settings.get(
                'application_credential_secret'
            ),
            **user,
        )
    return generic.Password(
        settings['auth_url'],
        password=settings.get('password'),
        **user,
        **scope,
    )


def _token_endpoint_session(options):
    from keystoneauth1 import token_endpoint

    from hostctl import transport

    auth = token_endpoint.Token(options.os_endpoint, options.os_token)
    verify = False if options.insecure else (options.os_cacert or True)
    session = transport.Session(
        auth=auth,
        verify=verify,
        timeout=options.timeout or DEFAULT_TIMEOUT,
        retries=_retries(options),
    )
    _check_ca_file(session)
    return session, Endpoints(
        compute=options.os_endpoint,
        database=options.os_database_endpoint,
        identity={
            'auth_type': 'token_endpoint',
            'endpoint': options.os_endpoint,
        },
    )


def _retries(options) -> int:
    retries = getattr(options, 'retries', None)
    if retries is None:
        from hostctl import transport

        return transport.DEFAULT_RETRIES
    return retries


#: Auth types whose token is kept across runs. Others (a token given on the
#: command line, exotic plugins) authenticate as they always do.
CACHED_AUTH_TYPES = frozenset(
    {'password', 'v3password', 'v3applicationcredential'}
)


def _open_cache(options, session, endpoints):
    """The cache entry of this identity, its token installed in the
    session's auth plugin; None when the cache is off."""
    if getattr(options, 'no_cache', False) or not endpoints.identity:
        return None
    from hostctl import cache

    entry = cache.Entry.for_identity(endpoints.identity)
    if endpoints.identity.get('auth_type') in CACHED_AUTH_TYPES:
        state = entry.auth_state()
        if state is not None:
            try:
                session.auth.set_auth_state(state)
            except Exception:  # a state this keystoneauth cannot read
                session.auth.set_auth_state(None)
                entry.drop_auth_state()
    return entry


def _save_cache(entry, session, endpoints) -> None:
    if endpoints.identity.get('auth_type') in CACHED_AUTH_TYPES:
        # After a 401 keystoneauth dropped the token and authenticated
        # again: what the plugin holds now is what is worth keeping, and
        # nothing when authentication failed.
        ref = getattr(session.auth, 'auth_ref', None)
        if ref is None or ref.expires is None:
            entry.drop_auth_state()
        else:
            entry.set_auth_state(
                session.auth.get_auth_state(), ref.expires.timestamp()
            )
    entry.save()


class ClientManager:
    """The API clients a command may use, each built when first asked for."""

    def __init__(self, options) -> None:
        self._options = options

    @functools.cached_property
    def _session(self):
        session, endpoints = make_session(self._options)
        self._cache = _open_cache(self._options, session, endpoints)
        return session, endpoints

    _cache = None

    def save_cache(self) -> None:
        """Keep the token and version ranges for the next run, if a
        session was made and the cache is on."""
        if self._cache is not None:
            _save_cache(self._cache, *self._session)

    @property
    def session(self):
        return self._session[0]

    @property
    def endpoints(self) -> Endpoints:
        return self._session[1]

    @functools.cached_property
    def compute(self):
        from hostctl.v2_1 import client

        return client.Client(
            self.session,
            version=self._options.os_compute_api_version,
            endpoint_override=self.endpoints.compute,
            cache=self._cache,
            region_name=self.endpoints.region_name,
            interface=self.endpoints.interface,
        )

    @functools.cached_property
    def identity(self):
        from hostctl.identity import client

        if token_endpoint_mode(self._options):
            # The token plugin would send identity requests to --os-endpoint.
            return client.Client(
                None,
                unavailable='no identity service with --os-token and '
                '--os-endpoint',
            )
        return client.Client(
            self.session,
            region_name=self.endpoints.region_name,
            interface=self.endpoints.interface,
            cache=self._cache,
        )

    @functools.cached_property
    def database(self):
        from hostctl.database import client

        return client.Client(
            self.session,
            endpoint_override=self.endpoints.database,
            region_name=self.endpoints.region_name,
            interface=self.endpoints.interface,
        )
