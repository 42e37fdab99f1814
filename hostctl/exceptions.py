"""Exit codes and the errors that carry them.

Runbooks branch on hostctl's exit code, so every way a command can end has
exactly one code, defined here and nowhere else. The client raises the
errors below (it never imports the CLI); the shell turns any exception into
one ``hostctl: ...`` line on stderr and the code from `exit_code_for`.
"""

from __future__ import annotations

import enum
import re
from urllib.parse import urlsplit


class ExitCode(enum.IntEnum):
    """hostctl's exit codes; README.md and ``hostctl help`` list them."""

    OK = 0
    #: A bug or a failure hostctl has no better word for.
    UNEXPECTED = 1
    #: Bad command line or configuration (argparse uses 2 as well).
    USAGE = 2
    #: Checked and found not alive (the ping commands).
    NOT_ALIVE = 3
    #: The host, service, server or instance named does not exist.
    NOT_FOUND = 4
    #: Authentication failed, or policy refused the request.
    AUTH = 5
    #: The cloud's API microversion range does not allow the command.
    UNSUPPORTED = 6
    #: The cloud answered with a server error, or could not be reached.
    SERVER = 7
    #: A bulk command did some of its work but not all of it.
    PARTIAL = 8
    #: The cloud refused the change because of the resource's state (409).
    CONFLICT = 9
    #: hostctl wait: the condition did not hold before the deadline.
    DEADLINE = 10


#: One line of help for each code, shown by ``hostctl help`` and the README.
EXIT_CODE_HELP = {
    ExitCode.OK: 'success',
    ExitCode.UNEXPECTED: 'unexpected error (rerun with --debug)',
    ExitCode.USAGE: 'bad command line or configuration',
    ExitCode.NOT_ALIVE: 'checked, and something was found not alive',
    ExitCode.NOT_FOUND: 'a named resource does not exist',
    ExitCode.AUTH: 'authentication failed or policy refused the request',
    ExitCode.UNSUPPORTED: "the cloud's API version does not allow this",
    ExitCode.SERVER: 'server error, timeout, or the cloud is unreachable',
    ExitCode.PARTIAL: 'a bulk command did only part of its work',
    ExitCode.CONFLICT: "the cloud refused: the resource's state conflicts",
    ExitCode.DEADLINE: 'the condition waited for did not hold in time',
}


class HostctlError(Exception):
    """Base of every error hostctl reports as one line.

    `detail` keeps the server's own words, for callers that rephrase.
    """

    exit_code = ExitCode.UNEXPECTED
    # The HTTP status the server answered, when an answer caused the error:
    # callers that fall back (server-fping on a 410) test it.
    http_status: int | None = None

    def __init__(self, message: str, detail: str | None = None) -> None:
        super().__init__(message)
        self.detail = detail if detail is not None else message


class UsageError(HostctlError):
    exit_code = ExitCode.USAGE


class NotFound(HostctlError):
    exit_code = ExitCode.NOT_FOUND


class AuthError(HostctlError):
    exit_code = ExitCode.AUTH


class UnsupportedVersion(HostctlError):
    exit_code = ExitCode.UNSUPPORTED


class ServerError(HostctlError):
    exit_code = ExitCode.SERVER


class Conflict(HostctlError):
    exit_code = ExitCode.CONFLICT


class Partial(HostctlError):
    """Some of the work was done and some not; the message says which."""

    exit_code = ExitCode.PARTIAL


class DeadlinePassed(HostctlError):
    exit_code = ExitCode.DEADLINE


def server_message(exc) -> str:
    """The server's own words for an HTTP error, without the noise.

    OpenStack services wrap their message in a one-key object, named for
    the fault: ``{"itemNotFound": {"message": ...}}`` (Nova),
    ``{"badRequest": {...}}`` (Trove), ``{"error": {...}}`` (Keystone).
    `exc` is a keystoneauth HTTP error, or a response.
    """
    response = getattr(exc, 'response', exc)
    body = None
    if response is not None:
        try:
            body = response.json()
        except ValueError:
            body = None
    if isinstance(body, dict) and len(body) == 1:
        (fault,) = body.values()
        if isinstance(fault, dict) and fault.get('message'):
            return str(fault['message']).strip().splitlines()[0]
    reason = getattr(response, 'reason', '') if response is not None else ''
    details = getattr(exc, 'details', None) or getattr(exc, 'message', '')
    text = str(details or reason or '').strip()
    if text.startswith('<'):
        # An HTML error page: a proxy or load balancer in front of the
        # API answered, not the API. Its title says enough.
        title = re.search(r'<title>(.*?)</title>', text, re.I | re.S)
        words = ' '.join(title.group(1).split()) if title else reason
        return f'{words or "error"} (an HTML page, not an API answer)'
    text = text or exc.__class__.__name__
    return text.splitlines()[0]


def from_keystoneauth(exc: Exception, service: str = 'the cloud') -> Exception:
    """Translate a keystoneauth1 exception into a hostctl error.

    Everything that talks HTTP goes through keystoneauth, so this is the one
    place where its exception tree meets ours. Anything not recognised is
    returned unchanged, to be reported as unexpected.
    """
    from keystoneauth1 import exceptions as ksa

    if isinstance(exc, ksa.HttpError):
        error = _from_http_error(exc, service)
        error.http_status = exc.http_status
        error.detail = server_message(exc)
        return error
    if isinstance(exc, ksa.ConnectTimeout) or _timed_out(exc):
        return ServerError(_timeout_message(exc, service))
    if isinstance(exc, ksa.SSLError):
        return ServerError(_tls_message(exc, service))
    if isinstance(exc, ksa.UnknownConnectionError):
        return _unknown_connection_error(exc, service)
    if isinstance(exc, ksa.ConnectionError):
        return ServerError(_connection_message(exc))
    if isinstance(exc, ksa.EndpointNotFound | ksa.EmptyCatalog):
        return UsageError(
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
        return ServerError(
            f'cannot read the API versions of {service}: {_first_line(exc)}'
        )
    if isinstance(exc, ksa.AuthorizationFailure):
        return AuthError(f'authentication failed: {_first_line(exc)}')
    return exc


def _from_http_error(exc, service: str) -> HostctlError:
    code = exc.http_status or 0
    method = getattr(exc, 'method', None) or ''
    url = getattr(exc, 'url', None) or ''
    where = f' ({method} {url})' if method and url else ''
    message = server_message(exc)
    if '/auth/tokens' in url:
        # The token is fetched on the first request to any service.
        service = 'the identity service'
        # 404: Keystone's answer for an unknown application credential.
        if code in (401, 404):
            return AuthError(
                f'the identity service refused the credentials: '
                f'{message.rstrip(".")}; check the user name and '
                'password (or token, or application credential) in '
                'clouds.yaml or the --os-* options',
                message,
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
    if 400 <= code < 500:
        return UsageError(f'{service} rejected the request: {message}')
    return ServerError(
        f'{service} failed with HTTP {code}: {message}{where}; '
        'try again later or ask the cloud operator'
    )


def _timed_out(exc: Exception) -> bool:
    # hostctl's transport reports time-outs as TimedOut (so that
    # keystoneauth does not retry them); keystoneauth wraps it as an
    # UnknownConnectionError.
    original = getattr(exc, 'original', None)
    return type(original).__name__ == 'TimedOut'


def _timeout_message(exc: Exception, service: str) -> str:
    match = re.search(r'(?:Request to|exception for) (\S+?):? ', str(exc))
    where = match.group(1) if match else service
    original = getattr(exc, 'original', None)
    if getattr(original, 'connecting', False):
        what = f'could not connect to {where} within --timeout'
    else:
        what = f'{where} did not answer within --timeout'
    return f'{what}; raise --timeout, or try again when the cloud is less busy'


def _tls_message(exc: Exception, service: str) -> str:
    text = str(exc)
    match = re.search(r'connecting to (\S+?):? ', text)
    where = service
    if match:
        parts = urlsplit(match.group(1))
        where = f'{parts.scheme}://{parts.netloc}'
    failed = re.search(r'certificate verify failed: ([^(]+?) \(', text)
    if failed:
        return (
            f'the TLS certificate of {where} is not trusted '
            f'({failed.group(1)}): give its CA with --os-cacert (or '
            'OS_CACERT), or, knowing the risk, --insecure'
        )
    reason = re.search(r'\[SSL[^\]]*\] ([^(]+?) \(', text)
    return (
        f'TLS failed with {where}: '
        f'{reason.group(1) if reason else _first_line(exc)}'
    )


def _unknown_connection_error(exc, service: str) -> HostctlError:
    # What requests raised that is neither a time-out nor a connection
    # failure: mostly a URL it cannot use, from the user or the catalogue.
    import requests

    original = getattr(exc, 'original', None)
    reason = _first_line(original) if original is not None else ''
    bad_url = (
        requests.exceptions.InvalidURL,
        requests.exceptions.MissingSchema,
        requests.exceptions.InvalidSchema,
        requests.exceptions.URLRequired,
    )
    if isinstance(original, bad_url):
        return UsageError(
            f'cannot use the URL for {service}: {reason}; check '
            '--os-auth-url, --os-endpoint and the service catalogue'
        )
    return ServerError(
        f'the request to {service} failed: {reason or _first_line(exc)}'
    )


def _connection_message(exc: Exception) -> str:
    """'cannot reach <url> (connection refused)', without urllib3's novel.

    keystoneauth says "Unable to establish connection to <url>: <the whole
    chain of urllib3 exceptions>"; the URL says which service it was (the
    identity service's token URL, or the API's), the rest only why.
    """
    text = str(exc)
    match = re.search(r'connection to (\S+?):? ', text)
    where = match.group(1) if match else 'the cloud'
    # (what urllib3 says, hostctl's words, whether the server was reached)
    reasons = (
        ('Connection refused', 'connection refused', False),
        ('Name or service not known', 'unknown host name', False),
        ('Temporary failure in name resolution', 'unknown host name', False),
        ('No route to host', 'no route to host', False),
        ('Connection reset', 'the connection was reset', True),
        ('RemoteDisconnected', 'the server closed the connection', True),
        ('connection broken', 'the connection broke mid-answer', True),
        ('Connection aborted', 'the connection broke mid-answer', True),
    )
    reason, reached = next(
        ((words, r) for needle, words, r in reasons if needle in text),
        ('connection failed', False),
    )
    if reached:
        return (
            f'lost the connection to {where} ({reason}); the cloud or a '
            'proxy in front of it is failing: try again later'
        )
    return (
        f'cannot reach {where} ({reason}); is the cloud up and the URL right?'
    )


def _first_line(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else exc.__class__.__name__


def one_line_errors(parser, help_hint: str) -> None:
    """Make `parser` report a bad command line in one line, exit 2.

    argparse prints the whole usage first (some thirty lines for hostctl's
    global options) and then the error; the error alone, with where to
    look for more, is what a person or a log needs.
    """

    def error(message: str):
        prog = parser.prog.removeprefix('hostctl').strip()
        where = f'{prog}: ' if prog else ''
        parser.exit(
            int(ExitCode.USAGE),
            f'hostctl: {where}{message}; see {help_hint}\n',
        )

    parser.error = error


def exit_code_for(exc: BaseException) -> ExitCode:
    """The exit code for any exception that ends a command."""
    if isinstance(exc, HostctlError):
        return exc.exit_code
    return ExitCode.UNEXPECTED
