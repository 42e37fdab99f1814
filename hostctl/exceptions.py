"""Exit codes and the errors that carry them.

Runbooks branch on hostctl's exit code, so every way a command can end has
exactly one code, defined here and nowhere else: `ExitCode` is the one
table, and ``hostctl --help``, the manual's table and the README's table
are produced from it or checked against it (tests/unit/test_exit_codes.py).
A new code is one line in the enum. The client raises the errors below (it
never imports the CLI); the shell turns any exception into one
``hostctl: ...`` line on stderr and the code from `exit_code_for`.

How a keystoneauth or requests failure becomes one of these errors is
`hostctl.failures`' job, by the type of the error, never by its words.
"""

from __future__ import annotations

import enum
import re


class ExitCode(enum.IntEnum):
    """hostctl's exit codes, each with its meaning: (code, help, manual).

    `help` is the short line of ``hostctl --help``; `doc` the README's and
    the manual's longer words.
    """

    def __new__(cls, value: int, help: str, doc: str):
        member = int.__new__(cls, value)
        member._value_ = value
        member.help = help
        member.doc = doc
        return member

    OK = 0, 'success', 'success'
    UNEXPECTED = (
        1,
        'unexpected error (rerun with --debug)',
        'unexpected error (a bug, a request the cloud found malformed, or a '
        'failure hostctl has no better word for; rerun with `--debug`)',
    )
    USAGE = (
        2,
        'bad command line or configuration',
        'bad command line or configuration (unknown command or option, '
        'malformed number, URL, file or version, unknown cloud, missing '
        'credentials, a value the cloud rejected as invalid)',
    )
    NOT_ALIVE = (
        3,
        'checked, and something was found not alive',
        'checked, and something was found not alive (the ping commands)',
    )
    NOT_FOUND = (
        4,
        'a named resource does not exist',
        'a named resource does not exist (the message names what does)',
    )
    AUTH = (
        5,
        'authentication failed or policy refused the request',
        'authentication failed, or policy refused the request (e.g. a '
        'non-admin)',
    )
    UNSUPPORTED = (
        6,
        "the cloud's API version does not allow this",
        "the cloud's microversion range (or the pinned version) does not "
        'allow the command',
    )
    SERVER = (
        7,
        'server error, timeout, or the cloud is unreachable',
        'server error (5xx), time-out, or the cloud is unreachable',
    )
    PARTIAL = (
        8,
        'a command did only part of its work',
        'a command did some of its work but not all: a bulk command '
        '(host-evacuate and host-drain: some servers not moved), or '
        'host-down and host-up (the message says which steps were done)',
    )
    CONFLICT = (
        9,
        "the cloud refused: the resource's state conflicts",
        "the cloud refused the change because of the resource's state (409, "
        'or a 400 to a change), or a preflight refused it (host-evacuate, '
        'host-drain): nothing changed',
    )


#: One line of help for each code (``hostctl --help``, the manual).
EXIT_CODE_HELP = {code: code.help for code in ExitCode}


def exit_code_table() -> str:
    """The epilogue of ``hostctl --help``."""
    lines = ['exit codes:']
    lines += [f'  {int(code):<3} {code.help}' for code in ExitCode]
    return '\n'.join(lines)


def readme_table() -> list[str]:
    """The README's exit-code table, as its lines (a test compares)."""
    rows = [f'| {int(code)} | {code.doc} |' for code in ExitCode]
    return ['| code | meaning |', '| --- | --- |', *rows]


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


class NoEndpoint(UsageError):
    """The catalogue has no endpoint for a service (or there is none)."""


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

    Anything not recognised is returned unchanged, to be reported as
    unexpected. (The work is `hostctl.failures`', imported only on the way
    out of a failed request.)
    """
    from hostctl import failures

    return failures.translate(exc, service)


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
    """The exit code for any exception that ends a command: decided here
    and nowhere else."""
    if isinstance(exc, HostctlError):
        return exc.exit_code
    return ExitCode.UNEXPECTED
