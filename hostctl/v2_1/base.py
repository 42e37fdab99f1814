"""Microversions: parsing, and the range each client method needs.

Every public client method declares the range of compute API microversions
it works in with `requires`. The decorator asks the client for the version
to use (see `Client.version_for`) and hands it to the method as its first
argument, so a method branches on that value and never looks elsewhere.
"""

from __future__ import annotations

import functools
import re

from hostctl import exceptions

Version = tuple[int, int]

_VERSION = re.compile(r'(\d+)\.(\d+)')


def parse(text: str) -> Version:
    """'2.53' -> (2, 53); anything else is a usage error."""
    match = _VERSION.fullmatch(text.strip())
    if not match or int(match[1]) != 2:
        raise exceptions.UsageError(
            f'invalid compute API version {text!r}: give 2.N (for example '
            "2.53), or 'auto' to negotiate"
        )
    return int(match[1]), int(match[2])


def parse_requested(text: str | None) -> Version | None:
    """The user's --os-compute-api-version; None means negotiate."""
    if text is None or text.strip().lower() in ('', 'auto', 'latest'):
        return None
    return parse(text)


def text(version: Version) -> str:
    return f'{version[0]}.{version[1]}'


def span(low: Version, high: Version | None) -> str:
    """Human words for a range of versions."""
    if high is None:
        return f'{text(low)} or later'
    return f'{text(low)} to {text(high)}'


def requires(low: str, high: str | None = None, *, what: str):
    """Declare that a client method works from microversion `low` to `high`.

    `what` names the operation in errors ("forcing a service down needs
    compute API version 2.11 or later; ...").
    """
    low_v = parse(low)
    high_v = parse(high) if high else None

    def decorate(method):
        @functools.wraps(method)
        def wrapper(self, *args, **kwargs):
            client = self._client
            version = client.version_for(low_v, high_v, what)
            try:
                return method(self, version, *args, **kwargs)
            except exceptions.UnsupportedVersion:
                # The cloud refused the version (406). If its range came
                # from the cache, the cloud may have changed since: read
                # the range again and try once more.
                if not client.forget_cached_versions():
                    raise
            version = client.version_for(low_v, high_v, what)
            return method(self, version, *args, **kwargs)

        # Read by the documentation's table of operations and versions.
        wrapper.versions = (low_v, high_v)
        wrapper.what = what
        return wrapper

    return decorate


class Manager:
    """Base of the per-resource managers: they share the client."""

    def __init__(self, client) -> None:
        self._client = client
