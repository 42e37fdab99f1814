"""What a value given to an option must be, checked where it is read.

The global options' checks and the argparse types the commands use
(names, counts, ports, durations, reasons) live here, once.

Numbers are finite and in range (``nan``, ``inf``, ``1e400`` and a
negative time-out are not), versions are 2.N, URLs are http or https
with a host and a valid port, files exist and can be read. Anything else
is a usage error (exit 2) in one line, before any request is sent.
"""

from __future__ import annotations

import argparse
import math
import os
from urllib.parse import urlsplit

#: The longest --timeout, wait or probe and the largest --retries taken:
#: beyond them a value is a typo (socket time-outs overflow well before a
#: float does, and no runbook means a wait of more than a day).
MAX_TIMEOUT = MAX_SECONDS = 86400.0
MAX_RETRIES = 100


def _number(text, kind, low, high, name, what):
    try:
        value = kind(text)
    except (ValueError, OverflowError):
        value = None
    if value is None or not math.isfinite(value) or not low <= value <= high:
        raise argparse.ArgumentTypeError(f'invalid {name} {text!r}: {what}')
    return value


def timeout(text: str) -> float:
    return _number(
        text,
        float,
        1e-3,
        MAX_TIMEOUT,
        'timeout',
        f'give seconds, a number above 0 and up to {MAX_TIMEOUT:g}',
    )


def retries(text: str) -> int:
    return _number(
        text,
        int,
        0,
        MAX_RETRIES,
        'retries',
        f'give a whole number, 0 to {MAX_RETRIES}',
    )


def api_version(text: str) -> str:
    if text == 'auto':
        return text  # the default: nothing to check
    from hostctl import exceptions
    from hostctl.v2_1 import base

    try:
        base.parse_requested(text)
    except exceptions.UsageError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return text


def flag(setting: str) -> str:
    return '--os-' + setting.replace('_', '-')


def check_url(url: str, where: str) -> None:
    from hostctl import exceptions

    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (raises ValueError for a bad port)
    except ValueError as exc:
        raise exceptions.UsageError(
            f'{where}: {url!r} is not a URL ({exc})'
        ) from None
    if parts.scheme not in ('http', 'https') or not parts.hostname:
        raise exceptions.UsageError(
            f'{where}: {url!r} is not an http or https URL (for example '
            'https://cloud.example:5000/v3)'
        )


def check_file(path: str, where: str) -> None:
    from hostctl import exceptions

    if not os.path.isfile(path):
        if where == '--os-cacert':
            raise exceptions.UsageError(
                f'no CA bundle at {path} (from --os-cacert, OS_CACERT or '
                'cacert in clouds.yaml)'
            )
        raise exceptions.UsageError(f'{where}: no file at {path}')
    if not os.access(path, os.R_OK):
        raise exceptions.UsageError(f'{where}: {path} cannot be read')


# The commands' argparse types


def nonblank(text: str) -> str:
    """Every name or ID the user gives.

    An empty or blank name is a usage error, never "no filter": an unset
    $HOST in a runbook must not turn `service-enable "$HOST" ...` or
    `server-list --host "$HOST"` into a command about every host. The name
    itself is kept as given (Nova's names may hold inner spaces).
    """
    if not text.strip():
        raise argparse.ArgumentTypeError(
            f'an empty name ({text!r}); give a name or an ID'
        )
    return text


def reason(text: str) -> str:
    """A disabled reason: not empty or blank (Nova refuses an empty one,
    as a 400 that reads as a conflict, and stores a blank one as no
    reason), and no longer than Nova keeps."""
    from hostctl.v2_1.fencing import REASON_MAX

    if not text.strip():
        raise argparse.ArgumentTypeError(
            f'an empty reason ({text!r}); give one, or leave out --reason'
        )
    if len(text) > REASON_MAX:
        raise argparse.ArgumentTypeError(
            f'a reason of {len(text)} characters; Nova keeps at most '
            f'{REASON_MAX} characters'
        )
    return text


def port(text: str) -> int:
    return _number(
        text, int, 1, 65535, 'port', 'give a number from 1 to 65535'
    )


def percent(text: str) -> int:
    return _number(
        text, int, 0, 100, 'percentage', 'give a whole number from 0 to 100'
    )


def positive_int(text: str) -> int:
    return _number(
        text, int, 1, math.inf, 'count', 'give a whole number above 0'
    )


def seconds(text: str) -> float:
    """A length of time where 0 means "do not wait" (a deadline)."""
    return _number(
        text,
        float,
        0,
        MAX_SECONDS,
        'duration',
        f'give seconds, 0 to {MAX_SECONDS:g}',
    )


def positive_seconds(text: str) -> float:
    """A length of time above 0 (a probe's bound, a poll interval)."""
    return _number(
        text,
        float,
        1e-3,
        MAX_SECONDS,
        'duration',
        f'give seconds, 0.001 to {MAX_SECONDS:g}',
    )
