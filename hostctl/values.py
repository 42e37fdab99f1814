"""What a value given to a global option must be, checked where it is read.

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

#: The longest --timeout and largest --retries taken: beyond them a value
#: is a typo (socket time-outs overflow well before a float does).
MAX_TIMEOUT = 86400.0
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
