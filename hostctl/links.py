"""Pagination links, as Nova and Trove give them."""

from __future__ import annotations

from urllib import parse


def next_marker(links) -> str | None:
    """The marker of the ``next`` link, or None on the last page.

    hostctl sends the marker to its own endpoint instead of following the
    link: services behind a proxy link to internal host names, and Trove
    writes https into its links whatever the endpoint is.
    """
    for link in links or ():
        if link.get('rel') == 'next':
            query = parse.parse_qs(parse.urlsplit(link.get('href', '')).query)
            markers = query.get('marker')
            return markers[0] if markers else None
    return None
