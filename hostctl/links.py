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


def collect(get_page, key, links_key, params=None, limit=None) -> list:
    """Every item of a list paged by marker, one page after another.

    `get_page(params)` returns one page's body: items under `key`, the
    ``next`` link under `links_key`. `limit` caps the total.
    """
    params = dict(params or {})
    items: list = []
    while True:
        if limit is not None:
            params['limit'] = limit - len(items)
        body = get_page(params)
        page = body.get(key, [])
        items.extend(page)
        marker = next_marker(body.get(links_key))
        if not page or marker is None:
            return items
        if limit is not None and len(items) >= limit:
            return items[:limit]
        params['marker'] = marker
