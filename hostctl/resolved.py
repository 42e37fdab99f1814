"""What the configuration resolved to, kept so a warm run need not resolve.

Reading clouds.yaml means importing openstacksdk's config loader (some
200 ms) and parsing YAML; building an auth plugin means asking
keystoneauth's loaders, which scan every installed package's entry points
(stevedore). A runbook runs hostctl again and again with the same
configuration, so the first run keeps what it resolved, and later runs
build the same session from it, importing neither:

- the auth plugin's class and its settings, without any secret (the
  options keystoneauth's loader marks secret are left out);
- region, interface, endpoints, TLS settings, the time-out;
- the identity and keystoneauth's cache id, which name the token's cache
  entry (`hostctl.cache`).

It is kept under a hash of everything the resolution depends on: the cloud
named, the options given, every OS_* variable, the working directory and
home (openstacksdk looks for clouds.yaml there); and it is used only while
every clouds.yaml, secure.yaml and clouds-public.yaml the loader looked for
is as it was (present or absent, same modification time and size).
openstacksdk stays the authority on what the files mean: any change and
the next run asks it again.

Without the secret, the plugin cannot authenticate. It does not need to
while the cached token lives; so the warm path is taken only with such a
token, and should the cloud refuse the token mid-run, the plugin resolves
the configuration in full (`_authenticate_in_full`) and authenticates as a
cold run would.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import os

from hostctl import cache
from hostctl import session as sessions

FORMAT = 1
# Settings that do not change what the configuration resolves to.
_NOT_KEYED = frozenset({'compute_api_version', 'no_cache'})


def _entry(settings) -> cache.Entry:
    keyed = {
        'format': FORMAT,
        'given': {
            k: str(v) for k, v in settings.given.items() if k not in _NOT_KEYED
        },
        'env': {k: v for k, v in os.environ.items() if k.startswith('OS_')},
        'cwd': os.getcwd(),
        'home': os.path.expanduser('~'),
        'config_home': os.environ.get('XDG_CONFIG_HOME'),
    }
    # A hash over the secrets too (OS_PASSWORD): another password is
    # another entry, as in hostctl.cache.key.
    text = json.dumps(keyed, sort_keys=True)
    name = 'config-' + hashlib.sha256(text.encode()).hexdigest()[:40]
    return cache.Entry(os.path.join(cache.directory(), name + '.json'))


def _stat(path: str):
    try:
        info = os.stat(path)
    except OSError:
        return None
    return [info.st_mtime_ns, info.st_size, info.st_ino]


def lookup(settings) -> dict | None:
    """What an earlier run resolved for these settings, if still true."""
    record = _entry(settings).record('resolved')
    if record is None or record.get('format') != FORMAT:
        return None
    files = record.get('files')
    if not isinstance(files, dict):
        return None
    if any(_stat(path) != seen for path, seen in files.items()):
        return None
    return record


def remember(settings, connection) -> None:
    """Keep what `connection` was built from; never a secret."""
    from keystoneauth1 import loading

    if connection.files is None or connection.plugin_options is None:
        return  # not known what it depends on, or what it was made of
    auth = connection.session.auth
    try:
        loader = loading.get_plugin_loader(connection.auth_type)
    except Exception:  # a plugin the loaders do not know by that name
        return
    options = {o.dest: o for o in loader.get_options()}
    plugin = {
        k: v
        for k, v in (connection.plugin_options or {}).items()
        if k in options and not options[k].secret and v is not None
    }
    # Named, with no value: some plugins take their secret positionally.
    secrets = sorted(
        k
        for k in connection.plugin_options or {}
        if k in options and options[k].secret
    )
    kind = type(auth)
    session = connection.session
    record = {
        'format': FORMAT,
        'files': {path: _stat(path) for path in connection.files},
        'plugin_class': f'{kind.__module__}:{kind.__qualname__}',
        'plugin': plugin,
        'secrets': secrets,
        'identity': connection.identity,
        'cache_id': connection.cache_id(),
        'mode': connection.mode,
        'region_name': connection.region_name,
        'interface': connection.interface,
        'compute': connection.compute,
        'database': connection.database,
        'verify': session.verify,
        'cert': session.cert,
        'timeout': session.timeout,
    }
    entry = _entry(settings)
    entry.set_record('resolved', record)
    entry.save()


def connect(settings, record, state: str) -> sessions.Connection:
    """The connection `record` describes, authenticated by the cached auth
    `state` (hostctl.cachedtoken); its real plugin, without a secret, is
    built only if needed."""
    from hostctl import cachedtoken

    auth = cachedtoken.CachedToken(state, lambda: _plugin(settings, record))
    cert = record.get('cert')
    session = sessions.make_session(
        settings,
        auth,
        verify=record.get('verify'),
        cert=tuple(cert) if isinstance(cert, list) else cert,
        timeout=record.get('timeout'),
    )
    connection = sessions.Connection(
        session,
        mode=record.get('mode'),
        identity=record['identity'],
        region_name=record.get('region_name'),
        interface=record.get('interface'),
        compute=record.get('compute'),
        database=record.get('database'),
        cache_id=record.get('cache_id'),
    )
    connection.warm = True
    return connection


def _plugin(settings, record):
    """The plugin the record names, from its options without secrets."""
    module, _, name = record['plugin_class'].partition(':')
    kind = getattr(importlib.import_module(module), name)
    # The class itself, with one method more: keystoneauth calls
    # get_auth_ref only to authenticate, which this plugin cannot do
    # without the secret.
    deferred = type(name, (kind,), {'get_auth_ref': _authenticate_in_full})
    plugin = deferred(
        **record['plugin'], **dict.fromkeys(record.get('secrets', ()))
    )
    plugin.hostctl_settings = settings
    return plugin


def _authenticate_in_full(self, session, **kwargs):
    """Authenticate as a cold run would: resolve the configuration in
    full, secrets included, and let that plugin get the token."""
    connection = sessions.resolve(self.hostctl_settings)
    return connection.session.auth.get_auth_ref(session, **kwargs)
