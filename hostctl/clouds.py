"""clouds.yaml and secure.yaml, read by openstacksdk's config loader.

openstacksdk is the authority on what these files mean (profiles, the
merging of secure.yaml, OS_* variables over a named cloud, region
validation). Importing it costs a few hundred milliseconds, so this module
is imported only when a cloud is named and its resolution is not in the
cache (see `hostctl.resolved`).
"""

from __future__ import annotations

import functools
import os

from hostctl import exceptions
from hostctl import session as sessions

# The settings the loader takes beside the auth plugin's.
_CONNECTION = (
    'auth_type',
    'region_name',
    'interface',
    'cacert',
    'cert',
    'key',
)


def load(settings):
    """openstacksdk's CloudRegion for the settings, or a usage error."""
    from openstack import exceptions as sdk_exceptions
    from openstack.config import loader

    from hostctl import transport

    given = {k: v for k, v in settings.given.items() if k in _CONNECTION}
    if settings.insecure:
        given['verify'] = False
    given['api_timeout'] = settings.get('timeout') or sessions.DEFAULT_TIMEOUT
    # The command line wins over clouds.yaml. The loader merges an 'auth'
    # dict over the cloud's, but lets the cloud's win over loose keys.
    auth = settings.auth()
    # A token with no other credentials means token authentication; the
    # loader would otherwise assume a password.
    if 'token' in auth and 'auth_type' not in given:
        given['auth_type'] = 'token'
    if auth:
        given['auth'] = auth
    retries = settings.get('retries')
    config = None
    try:
        config = loader.OpenStackConfig(
            app_name='hostctl',
            session_constructor=functools.partial(
                transport.Session,
                retries=transport.DEFAULT_RETRIES
                if retries is None
                else retries,
            ),
        )
        region = config.get_one(cloud=settings.cloud, validate=True, **given)
        # The files the loader looked for, present or not (private names
        # of openstacksdk's: hostctl.resolved keeps their state).
        names = ('_config_files', '_secure_files', '_vendor_files')
        region.hostctl_files = (
            [path for name in names for path in getattr(config, name)]
            if all(hasattr(config, name) for name in names)
            else None  # unknown: never kept, read every time
        )
        return region
    except sdk_exceptions.ConfigException as exc:
        if settings.cloud and not _has_cloud(config, settings.cloud):
            raise exceptions.UsageError(
                _cloud_not_found(settings.cloud)
            ) from exc
        raise exceptions.UsageError(f'configuration: {exc}') from exc
    except UnicodeDecodeError as exc:
        raise exceptions.UsageError(
            _cloud_not_found(settings.cloud or 'envvars')
        ) from exc
    except (TypeError, AttributeError) as exc:
        if 'token' in auth and settings.cloud:
            # The token plugin, handed the cloud's user and password.
            raise exceptions.UsageError(
                f'a token (--os-token or OS_TOKEN) and cloud '
                f'{settings.cloud!r}, which has credentials of its own in '
                'clouds.yaml: use one or the other (for the token alone, '
                'name no cloud and give --os-endpoint)'
            ) from exc
        # YAML, but not laid out as clouds.yaml is: the loader stumbles.
        raise exceptions.UsageError(
            f'configuration: clouds.yaml is not laid out as expected '
            f'({exc}); see the openstacksdk clouds.yaml documentation'
        ) from exc
    except Exception as exc:
        raise _mapped(exc) from exc


def _has_cloud(config, cloud) -> bool:
    if config is None:
        return False
    try:
        return cloud in config.cloud_config.get('clouds', {})
    except Exception:  # a loader that could not read its files
        return False


def connect(settings) -> sessions.Connection:
    region = load(settings)
    try:
        session = region.get_session()
    except Exception as exc:
        raise _mapped(exc) from exc
    sessions.check_ca_file(session)
    config = region.config
    identity = {
        **{
            k: v
            for k, v in config.get('auth', {}).items()
            if k in _identity_names()
        },
        'auth_type': config.get('auth_type'),
    }
    if identity.get('auth_url'):
        from hostctl import values

        values.check_url(identity['auth_url'], 'auth_url in clouds.yaml')
    return sessions.Connection(
        session,
        mode='clouds.yaml',
        identity=identity,
        region_name=region.get_region_name('compute') or None,
        interface=region.get_interface('compute'),
        compute=settings.get('endpoint') or region.get_endpoint('compute'),
        database=(
            settings.get('database_endpoint')
            or region.get_endpoint('database')
        ),
        plugin_options=config.get('auth', {}),
        files=region.hostctl_files,
    )


def _identity_names():
    from hostctl import options

    # clouds.yaml may scope by system or trust too.
    return (*options.IDENTITY, 'system_scope', 'trust_id')


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
            with open(path, encoding='utf-8') as f:
                data = yaml.safe_load(f)
        except OSError as exc:
            return (
                f'configuration: cannot read {path} ({exc.strerror}), so '
                f'cloud {cloud!r} is unknown'
            )
        except UnicodeDecodeError:
            return (
                f'configuration: {path} is not UTF-8 text, so cloud '
                f'{cloud!r} is unknown'
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
