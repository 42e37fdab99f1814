"""From a failed request to a hostctl error, by the type of the failure.

keystoneauth wraps what requests raised, which wraps what urllib3 raised,
which wraps the socket or TLS error that says what really happened. The
words of each layer change between releases; the types do not. So, as
httpie's ``unwrap_context`` does, `causes` follows ``__cause__``,
``__context__`` and the wrapped errors (``reason``, ``original``, an
exception among ``args``) down to the socket or ``ssl`` error, and the
decisions below test types: `ConnectionRefusedError`, `socket.gaierror`,
`ssl.SSLCertVerificationError`, hostctl's own `transport.TimedOut`.
The URL that failed is the one requests was sending (``exc.request``).
"""

from __future__ import annotations

import errno
import http.client
import socket
import ssl
from urllib.parse import urlsplit

from keystoneauth1 import exceptions as ksa
import requests
from urllib3 import exceptions as urllib3_exceptions

from hostctl import exceptions
from hostctl import transport
from hostctl.exceptions import AuthError
from hostctl.exceptions import Conflict
from hostctl.exceptions import HostctlError
from hostctl.exceptions import NotFound
from hostctl.exceptions import ServerError
from hostctl.exceptions import UnsupportedVersion
from hostctl.exceptions import UsageError


def causes(exc: BaseException):
    """`exc` and every error it wraps, nearest first."""
    seen, queue = set(), [exc]
    while queue:
        current = queue.pop(0)
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        wrapped = [
            current.__cause__,
            current.__context__,
            getattr(current, 'reason', None),
            getattr(current, 'original', None),
            *getattr(current, 'args', ()),
        ]
        queue += [e for e in wrapped if isinstance(e, BaseException)]


def find(exc: BaseException, kind):
    """The nearest error of type `kind` that `exc` wraps, or None."""
    return next((e for e in causes(exc) if isinstance(e, kind)), None)


def failed_url(exc: BaseException) -> str | None:
    for error in causes(exc):
        request = getattr(error, 'request', None)
        if isinstance(error, requests.RequestException) and request:
            return getattr(request, 'url', None)
    return None


def translate(exc: Exception, service: str) -> Exception:
    if isinstance(exc, ksa.HttpError):
        error = _from_http_error(exc, service)
        error.http_status = exc.http_status
        error.detail = exceptions.server_message(exc)
        return error
    timed_out = find(exc, transport.TimedOut)
    if timed_out is not None or isinstance(exc, ksa.ConnectTimeout):
        return ServerError(_timeout_message(exc, timed_out, service))
    if isinstance(exc, ksa.SSLError) or find(exc, ssl.SSLError):
        return ServerError(_tls_message(exc, service))
    if isinstance(exc, ksa.ConnectionError):
        bad_url = find(exc, _BAD_URL)
        if bad_url is not None:
            return UsageError(
                f'cannot use the URL for {service}: {_first_line(bad_url)}; '
                'check --os-auth-url, --os-endpoint and the service '
                'catalogue'
            )
        if isinstance(exc, ksa.UnknownConnectionError) and not find(
            exc, requests.ConnectionError
        ):
            reason = _first_line(getattr(exc, 'original', None) or exc)
            return ServerError(f'the request to {service} failed: {reason}')
        return ServerError(_connection_message(exc))
    if isinstance(exc, ksa.EndpointNotFound | ksa.EmptyCatalog):
        return exceptions.NoEndpoint(
            f'{service} has no endpoint in the service catalogue for this '
            'region and interface: check --os-region-name and '
            '--os-interface'
        )
    if isinstance(exc, ksa.NoMatchingPlugin):
        return UsageError(
            f'{_first_line(exc)}: check --os-auth-type (password, token, '
            'v3applicationcredential, ...)'
        )
    if isinstance(exc, ksa.MissingAuthPlugin | ksa.MissingRequiredOptions):
        return UsageError(
            f'not enough to authenticate: {_first_line(exc)}; '
            'give --os-cloud or the --os-auth-url family of options'
        )
    if isinstance(exc, ksa.DiscoveryFailure):
        http = find(exc, ksa.NotFound)
        if http is not None or 'identity' in service:
            # The identity service's version document is where the auth
            # URL points: nothing usable there is a wrong URL.
            return UsageError(
                f'{service} has no API version document at the URL given: '
                f'{_first_line(exc)}; check --os-auth-url (for example '
                'https://keystone.example:5000/v3)'
            )
        return ServerError(
            f'cannot read the API versions of {service}: {_first_line(exc)}'
        )
    if isinstance(exc, ksa.AuthorizationFailure):
        return AuthError(f'authentication failed: {_first_line(exc)}')
    return exc


_BAD_URL = (
    requests.exceptions.InvalidURL,
    requests.exceptions.MissingSchema,
    requests.exceptions.InvalidSchema,
    requests.exceptions.URLRequired,
    urllib3_exceptions.LocationParseError,
)


def _keystone_spoke(exc) -> bool:
    """Whether the answer is Keystone's own JSON error, not a page from
    whatever else answers at that URL."""
    try:
        body = exc.response.json()
    except (AttributeError, ValueError):
        return False
    return isinstance(body, dict) and isinstance(body.get('error'), dict)


def _from_http_error(exc, service: str) -> HostctlError:
    code = exc.http_status or 0
    method = (getattr(exc, 'method', None) or '').upper()
    url = getattr(exc, 'url', None) or ''
    where = f' ({method} {url})' if method and url else ''
    message = exceptions.server_message(exc)
    if url.rstrip('/').endswith('/auth/tokens'):
        # The token is fetched on the first request to any service.
        service = 'the identity service'
        # 404 is Keystone's answer for an unknown application credential;
        # from anything but Keystone it means the auth URL is wrong.
        if code == 401 or (code == 404 and _keystone_spoke(exc)):
            return AuthError(
                f'the identity service refused the credentials: '
                f'{message.rstrip(".")}; check the user name and '
                'password (or token, or application credential) in '
                'clouds.yaml or the --os-* options',
                message,
            )
        if code == 404:
            return UsageError(
                f'{url} answered 404: there is no identity service there; '
                'check --os-auth-url (or auth_url in clouds.yaml)'
            )
    if code == 401:
        return AuthError(
            f'authentication refused by {service}: {message.rstrip(".")}; '
            'check your credentials, or the role the command needs',
            message,
        )
    if code == 403:
        return AuthError(
            f"{service}'s policy refused the request: {message}", message
        )
    if code == 404:
        return NotFound(f'not found: {message}{where}')
    if code == 409:
        return Conflict(f'{service} refused the change: {message}')
    if code == 406:
        return UnsupportedVersion(
            f'{service} does not accept the API version requested: {message}'
        )
    if code == 400:
        return _bad_request(method, service, message, where)
    if 400 <= code < 500:
        return UsageError(f'{service} rejected the request: {message}')
    return ServerError(
        f'{service} failed with HTTP {code}: {message}{where}; '
        'try again later or ask the cloud operator'
    )


def _bad_request(method, service, message, where) -> HostctlError:
    """A 400, by what the request was.

    hostctl checks every value the user gives before a change is sent, and
    builds the change's body itself; so a change (PUT, DELETE) refused
    with 400 was refused for the state of what it changes: Nova's "Unable
    to force up host ... as `done` evacuation migration records remain".
    A read (GET) carries the user's filters and names: a 400 there is a
    value the cloud found invalid. Anything else hostctl sent malformed:
    a bug, said with the cloud's words.
    """
    if method in ('PUT', 'DELETE', 'PATCH'):
        return Conflict(f'{service} refused the change: {message}')
    if method in ('GET', 'HEAD'):
        return UsageError(f'{service} rejected the request: {message}')
    return HostctlError(
        f'{service} found the request malformed (a bug in hostctl: please '
        f'report it with the output of --debug): {message}{where}'
    )


def _where(exc: BaseException, default: str) -> str:
    return failed_url(exc) or default


def _timeout_message(exc, timed_out, service: str) -> str:
    where = _where(exc, service)
    if getattr(timed_out, 'connecting', False):
        what = f'could not connect to {where} within --timeout'
    else:
        what = f'{where} did not answer within --timeout'
    return f'{what}; raise --timeout, or try again when the cloud is less busy'


def _tls_message(exc: Exception, service: str) -> str:
    url = failed_url(exc)
    where = service
    if url:
        parts = urlsplit(url)
        where = f'{parts.scheme}://{parts.netloc}'
    failed = find(exc, ssl.SSLCertVerificationError)
    if failed is not None:
        return (
            f'the TLS certificate of {where} is not trusted '
            f'({failed.verify_message}): give its CA with --os-cacert (or '
            'OS_CACERT), or, knowing the risk, --insecure'
        )
    tls = find(exc, ssl.SSLError)
    reason = getattr(tls, 'reason', None) or _first_line(tls or exc)
    return f'TLS failed with {where}: {reason}'


_MID_ANSWER = 'the connection broke mid-answer'
# (the error, hostctl's words, whether the server was reached), most
# telling first: a reset is found inside urllib3's ProtocolError.
_REASONS = (
    (ConnectionRefusedError, 'connection refused', False),
    (socket.gaierror, 'unknown host name', False),
    # (a RemoteDisconnected is a ConnectionResetError too)
    (http.client.RemoteDisconnected, 'the server closed the connection', True),
    (ConnectionResetError, 'the connection was reset', True),
    (urllib3_exceptions.ProtocolError, _MID_ANSWER, True),
    (http.client.IncompleteRead, _MID_ANSWER, True),
    (transport.BrokenAnswer, _MID_ANSWER, True),
)
_UNREACHABLE = {errno.EHOSTUNREACH, errno.ENETUNREACH}


def _connection_message(exc: Exception) -> str:
    """'cannot reach <url> (connection refused)', without urllib3's novel."""
    where = _where(exc, 'the cloud')
    found = [e for e in causes(exc)]
    reason, reached = 'connection failed', False
    for kind, words, was_reached in _REASONS:
        if any(isinstance(e, kind) for e in found):
            reason, reached = words, was_reached
            break
    else:
        if any(
            isinstance(e, OSError) and e.errno in _UNREACHABLE for e in found
        ):
            reason = 'no route to host'
    if reached:
        return (
            f'lost the connection to {where} ({reason}); the cloud or a '
            'proxy in front of it is failing: try again later'
        )
    return (
        f'cannot reach {where} ({reason}); is the cloud up and the URL right?'
    )


def _first_line(exc) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else exc.__class__.__name__
