"""hostctl's global options: one declaration each, and what derives from it.

`OPTIONS` says, once per option, its flag, environment variable, help,
default and checks, whether it is a secret, whether it goes to the auth
plugin, and whether it is part of the cache's identity (whose token it
is). The parser (`add_to`), the settings handed to keystoneauth and
openstacksdk (`hostctl.settings.Settings`) and the cache key (`IDENTITY`,
which leaves the secrets out) all come from it; nothing else lists these
names. The checks of each value are in `hostctl.values`.

osc-lib has the same conventions (``--os-*`` flags defaulting to their
``OS_*`` variable); its option helpers are not used, because importing
``osc_lib.utils`` brings in openstacksdk on every run, ``--help`` included.
"""

from __future__ import annotations

import os

from hostctl import values


class Option:
    """One global option. `setting` is its name without ``os_``."""

    __slots__ = (
        'flag',
        'help',
        'env',
        'metavar',
        'type',
        'default',
        'action',
        'choices',
        'secret',
        'identity',
        'auth',
        'group',
        'dest',
        'setting',
    )

    def __init__(
        self,
        flag,
        help,
        *,
        env=None,
        metavar=None,
        type=None,
        default=None,
        action=None,
        choices=None,
        secret=False,
        identity=False,
        auth=False,
        group='connection',
    ):
        self.flag = flag
        self.help = help
        self.dest = flag[2:].replace('-', '_')
        self.setting = self.dest.removeprefix('os_')
        self.env = env or ('OS_' + self.setting.upper(),)
        self.metavar = metavar
        self.type = type
        self.default = default
        self.action = action
        self.choices = choices
        self.secret = secret
        self.identity = identity
        self.auth = auth
        self.group = group


def _auth(flag, help, metavar, *, identity=True, secret=False, env=None):
    return Option(
        flag,
        help,
        metavar=metavar,
        env=env,
        identity=identity and not secret,
        secret=secret,
        auth=True,
        group='authentication',
    )


_TRUE = ('1', 'true', 'yes')

OPTIONS = (
    Option(
        '--os-cloud',
        'Cloud name in clouds.yaml.',
        metavar='<name>',
        group='authentication',
    ),
    Option(
        '--os-auth-type',
        'keystoneauth plugin: password, token, v3applicationcredential, '
        '... (default: password, or token when only --os-token is given).',
        metavar='<type>',
        identity=True,
        group='authentication',
    ),
    _auth('--os-auth-url', 'Identity service URL.', '<url>'),
    _auth('--os-username', 'User name (password authentication).', '<name>'),
    _auth('--os-user-id', 'User ID, instead of the name.', '<id>'),
    _auth(
        '--os-password',
        'Password (better in secure.yaml or OS_PASSWORD).',
        '<password>',
        secret=True,
    ),
    _auth(
        '--os-project-name',
        'Project to scope to (also OS_TENANT_NAME).',
        '<name>',
        env=('OS_PROJECT_NAME', 'OS_TENANT_NAME'),
    ),
    _auth(
        '--os-project-id',
        'Project ID, instead of the name (also OS_TENANT_ID).',
        '<id>',
        env=('OS_PROJECT_ID', 'OS_TENANT_ID'),
    ),
    _auth(
        '--os-user-domain-name',
        "The user's domain, for example Default.",
        '<name>',
    ),
    _auth(
        '--os-user-domain-id',
        "The user's domain ID, for example default.",
        '<id>',
    ),
    _auth('--os-project-domain-name', "The project's domain.", '<name>'),
    _auth('--os-project-domain-id', "The project's domain ID.", '<id>'),
    _auth(
        '--os-domain-name',
        'Domain to scope to (domain-scoped token).',
        '<name>',
    ),
    _auth(
        '--os-domain-id', 'Domain ID to scope to, instead of the name.', '<id>'
    ),
    _auth(
        '--os-token',
        'An existing token. With --os-endpoint and no --os-auth-url, used as '
        'is against that endpoint (no catalogue needed).',
        '<token>',
        secret=True,
    ),
    _auth(
        '--os-application-credential-id',
        'Application credential ID (--os-auth-type v3applicationcredential).',
        '<id>',
    ),
    _auth(
        '--os-application-credential-name',
        'Application credential name, with --os-username, instead of the ID.',
        '<name>',
    ),
    _auth(
        '--os-application-credential-secret',
        "The application credential's secret.",
        '<secret>',
        secret=True,
    ),
    Option(
        '--os-region-name',
        'Region of the endpoints to use, for example RegionOne.',
        metavar='<region>',
    ),
    Option(
        '--os-interface',
        'Endpoint interface: public, internal or admin.',
        metavar='<interface>',
        choices=('public', 'internal', 'admin'),
    ),
    Option(
        '--os-endpoint',
        "Compute endpoint to use instead of the catalogue's.",
        metavar='<url>',
    ),
    Option(
        '--os-database-endpoint',
        "Database (Trove) endpoint to use instead of the catalogue's; with "
        '--os-token and --os-endpoint, the only way to reach Trove.',
        metavar='<url>',
    ),
    Option(
        '--os-cacert',
        'CA bundle to verify TLS servers with.',
        metavar='<file>',
    ),
    Option('--os-cert', 'Client certificate for TLS.', metavar='<file>'),
    Option('--os-key', 'Client key for TLS.', metavar='<file>'),
    Option(
        '--insecure',
        'Do not verify TLS certificates (unsafe).',
        action='store_true',
        env=('OS_INSECURE',),
    ),
    Option(
        '--timeout',
        'Give up on a request after this many seconds (default: 60; '
        "server-fping's probes have --probe-timeout); a request that timed "
        'out is not retried.',
        metavar='<seconds>',
        type=values.timeout,
        env=('HOSTCTL_TIMEOUT',),
    ),
    Option(
        '--retries',
        'Retry a request that can safely be repeated (GET, PUT) this many '
        'times, with backoff, when the connection fails or the cloud answers '
        '502, 503 or 504 (default: 3; 0 turns retries off).',
        metavar='<count>',
        type=values.retries,
        env=('HOSTCTL_RETRIES',),
    ),
    Option(
        '--no-cache',
        'Neither use nor keep the token and API version cache (also '
        'HOSTCTL_NO_CACHE=1). The cache saves a run the requests for a token '
        'and for version discovery.',
        action='store_true',
        env=('HOSTCTL_NO_CACHE',),
    ),
    Option(
        '--os-compute-api-version',
        "Compute API microversion, e.g. 2.53; 'auto' (default) uses the "
        'highest that both hostctl and the cloud support.',
        metavar='<version>',
        type=values.api_version,
        default='auto',
    ),
)

#: The settings no output, log or cache may hold.
#: The settings that go to the auth plugin (the ``auth`` of clouds.yaml).
AUTH = tuple(o.setting for o in OPTIONS if o.auth)
#: The settings that say whose token it is (never a secret).
IDENTITY = tuple(o.setting for o in OPTIONS if o.identity)
#: The settings that name a URL, a file: checked before any use.
URLS = ('auth_url', 'endpoint', 'database_endpoint')
FILES = ('cacert', 'cert', 'key')

_GROUPS = {
    'authentication': 'Read from clouds.yaml with --os-cloud, or given '
    'here; each option defaults to the OS_* environment variable of the '
    'same name.',
    'connection': None,
}


def _from_env(option: Option):
    for name in option.env:
        value = os.environ.get(name)
        if value:
            if option.action == 'store_true':
                return value.lower() in _TRUE
            return value
    return False if option.action == 'store_true' else option.default


def add_to(parser) -> None:
    """Add every global option to `parser`, in its group."""
    groups = {
        name: parser.add_argument_group(name, description)
        for name, description in _GROUPS.items()
    }
    for option in OPTIONS:
        kwargs = {'help': option.help, 'default': _from_env(option)}
        if option.action:
            kwargs['action'] = option.action
        else:
            kwargs.update(metavar=option.metavar, type=option.type)
            if option.choices:
                kwargs['choices'] = option.choices
        groups[option.group].add_argument(option.flag, **kwargs)
