"""A cache across runs: the token, the compute API's version range, and
the projects the identity can see (for --project names).

Without it every run of hostctl sends three requests before its own: the
identity service's version document, a new token, and the compute
service's version document. A runbook that calls hostctl in a loop would
ask Keystone for a token each time, which clouds that rate-limit token
creation refuse. With it, a run with a live token sends only its own
requests.

One file per identity, named by a hash of what the token is for (`key`):
the auth URL, the auth type, the user, the project or domain it is scoped
to, and keystoneauth's own hash of the credentials (``get_cache_id``), so
that a wrong password never reaches a token a right one got. The file
holds keystoneauth's auth state (the token and the body
Keystone answered with: user, roles, catalogue; never a password) and,
per compute endpoint, the microversion range the endpoint serves. It is
created readable by its owner only (0600, in a 0700 directory) and
replaced whole (a temporary file renamed over it), so a reader never sees
half a file.

What is in the file is a hint, never trusted blindly: a token about to
expire is not used, a token the cloud refuses is dropped (keystoneauth
authenticates again and retries once), a version range older than
`VERSIONS_TTL` is read again, and a file that cannot be read or parsed, or
that others could read, is ignored.

The cache is on by default; ``--no-cache`` or ``HOSTCTL_NO_CACHE=1`` turns
it off. It lives in ``$XDG_CACHE_HOME/hostctl`` (``~/.cache/hostctl``).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import stat
import tempfile
import time

from hostctl import options

LOG = logging.getLogger(__name__)

#: A token with less life left than this is not used (keystoneauth's own
#: margin, MIN_TOKEN_LIFE_SECONDS).
MIN_TOKEN_LIFE = 120
#: How long a compute endpoint's version range is believed (seconds).
VERSIONS_TTL = 3600
#: How long the list of projects (ID -> name) is believed (seconds).
PROJECTS_TTL = 600
#: Bumped when the file's shape changes; other versions are ignored.
FORMAT = 1

#: The settings that say whose token it is and what it is scoped to: the
#: options marked as identity in hostctl.options, and what clouds.yaml and
#: token-plus-endpoint mode add. A secret is never one of them.
KEY_ELEMENTS = (*options.IDENTITY, 'endpoint', 'system_scope', 'trust_id')


def directory() -> str:
    base = os.environ.get('XDG_CACHE_HOME') or os.path.join(
        os.path.expanduser('~'), '.cache'
    )
    return os.path.join(base, 'hostctl', 'session')


def key(elements: dict, cache_id: str | None = None) -> str:
    """A stable name for an identity: a hash of its KEY_ELEMENTS and of
    keystoneauth's cache id, itself a hash that covers the secret (the
    password, the application credential's secret): a token got with one
    password is not offered to a run given another, which Keystone would
    refuse."""
    chosen = {
        name: str(elements[name])
        for name in KEY_ELEMENTS
        if elements.get(name) not in (None, '')
    }
    if chosen.get('auth_url'):
        chosen['auth_url'] = chosen['auth_url'].rstrip('/')
    if cache_id:
        chosen['keystoneauth'] = cache_id
    text = json.dumps(chosen, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:40]


class Entry:
    """The cached state of one identity, read once, written once."""

    def __init__(self, path: str, clock=time.time) -> None:
        self.path = path
        self._clock = clock
        self._data = self._read()
        self._dirty = False

    @classmethod
    def for_identity(
        cls, elements: dict, cache_id: str | None = None, clock=time.time
    ) -> Entry:
        name = key(elements, cache_id) + '.json'
        return cls(os.path.join(directory(), name), clock)

    # The token

    def auth_state(self) -> str | None:
        """keystoneauth's auth state, if its token has life left in it."""
        auth = self._data.get('auth')
        if not isinstance(auth, dict):
            return None
        state, expires = auth.get('state'), auth.get('expires_at')
        if not isinstance(state, str) or not isinstance(expires, int | float):
            return None
        if expires - self._clock() < MIN_TOKEN_LIFE:
            return None
        return state

    def set_auth_state(self, state: str | None, expires_at: float) -> None:
        if state is None:
            self.drop_auth_state()
            return
        auth = {'state': state, 'expires_at': expires_at}
        if self._data.get('auth') != auth:
            self._data['auth'] = auth
            self._dirty = True

    def drop_auth_state(self) -> None:
        if self._data.pop('auth', None) is not None:
            self._dirty = True

    # The compute API's version range, per endpoint

    def versions(self, endpoint: str) -> tuple[str, str] | None:
        """('2.1', '2.104') as the endpoint served it lately, or None."""
        found = self._data.get('compute', {}).get(endpoint)
        if not isinstance(found, dict):
            return None
        low, high, when = found.get('min'), found.get('max'), found.get('at')
        if not (
            isinstance(low, str)
            and isinstance(high, str)
            and isinstance(when, int | float)
        ):
            return None
        if not 0 <= self._clock() - when < VERSIONS_TTL:
            return None
        return low, high

    def set_versions(self, endpoint: str, low: str, high: str) -> None:
        compute = self._data.setdefault('compute', {})
        compute[endpoint] = {'min': low, 'max': high, 'at': self._clock()}
        self._dirty = True

    def gone(self, endpoint: str) -> frozenset[str]:
        """APIs the endpoint answered 404 or 410 to, while its version
        range is fresh (they are forgotten with it)."""
        record = self._data.get('compute', {}).get(endpoint)
        if self.versions(endpoint) is None or not isinstance(record, dict):
            return frozenset()
        names = record.get('gone')
        if not isinstance(names, list):
            return frozenset()
        return frozenset(n for n in names if isinstance(n, str))

    def set_gone(self, endpoint: str, api: str) -> None:
        record = self._data.get('compute', {}).get(endpoint)
        if self.versions(endpoint) is None or not isinstance(record, dict):
            return
        names = record.setdefault('gone', [])
        if isinstance(names, list) and api not in names:
            names.append(api)
            self._dirty = True

    def drop_versions(self, endpoint: str) -> None:
        if self._data.get('compute', {}).pop(endpoint, None) is not None:
            self._dirty = True

    # The projects this identity can see (ID -> name), for --project

    def projects(self) -> dict[str, str] | None:
        found = self._data.get('projects')
        if not isinstance(found, dict):
            return None
        names, when = found.get('names'), found.get('at')
        if not isinstance(names, dict) or not isinstance(when, int | float):
            return None
        if not 0 <= self._clock() - when < PROJECTS_TTL:
            return None
        return {str(k): str(v) for k, v in names.items()}

    def set_projects(self, names: dict[str, str]) -> None:
        self._data['projects'] = {'names': names, 'at': self._clock()}
        self._dirty = True

    # Anything else kept by name (hostctl.resolved: what openstacksdk's
    # loader resolved from clouds.yaml)

    def record(self, name: str) -> dict | None:
        found = self._data.get(name)
        return found if isinstance(found, dict) else None

    def set_record(self, name: str, value: dict) -> None:
        if self._data.get(name) != value:
            self._data[name] = value
            self._dirty = True

    # The file

    def save(self) -> None:
        """Write the entry if it changed; a failure is logged, not raised:
        the command has done its work by now."""
        if not self._dirty:
            return
        self._data['format'] = FORMAT
        folder = os.path.dirname(self.path)
        try:
            os.makedirs(folder, mode=0o700, exist_ok=True)
            # mkstemp creates the file 0600, so the token is never
            # readable by others, not even for a moment.
            fd, temporary = tempfile.mkstemp(dir=folder, suffix='.tmp')
            try:
                with os.fdopen(fd, 'w', encoding='utf-8') as f:
                    json.dump(self._data, f)
                os.replace(temporary, self.path)
            except BaseException:
                os.unlink(temporary)
                raise
        except OSError as exc:
            LOG.debug('cache not written to %s: %s', self.path, exc)
            return
        self._dirty = False

    def _read(self) -> dict:
        try:
            fd = os.open(self.path, os.O_RDONLY | getattr(os, 'O_NOFOLLOW', 0))
        except OSError:
            return {}  # no cache yet, or none we may read
        try:
            info = os.fstat(fd)
            if (
                not stat.S_ISREG(info.st_mode)
                or info.st_uid != os.getuid()
                or info.st_mode & 0o077
            ):
                LOG.debug(
                    'cache %s ignored: not a private file of this user',
                    self.path,
                )
                return {}
            with os.fdopen(fd, 'rb') as f:
                fd = -1
                data = json.loads(f.read().decode('utf-8'))
        except (OSError, ValueError) as exc:
            LOG.debug('cache %s ignored: %s', self.path, exc)
            return {}
        finally:
            if fd >= 0:
                os.close(fd)
        if not isinstance(data, dict) or data.get('format') != FORMAT:
            return {}
        if not isinstance(data.get('compute', {}), dict):
            data['compute'] = {}
        return data
