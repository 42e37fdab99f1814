"""One request through a keystoneauth Adapter, its errors as hostctl's.

Shared by the clients without microversions (database, identity); the
compute client adds the microversion and its own words for a failed
change (hostctl.v2_1.client).
"""

from __future__ import annotations

from hostctl import exceptions


def request(adapter, service: str, method: str, url: str, **kwargs):
    """The raw response; HTTP and connection errors become hostctl's."""
    from keystoneauth1 import exceptions as ksa

    try:
        return adapter.request(url, method, **kwargs)
    except ksa.ClientException as exc:
        raise exceptions.from_keystoneauth(exc, service) from exc


def json_of(response, service: str, method: str, url: str) -> dict:
    """The response's JSON body; a body that is not JSON is the server's
    fault (a proxy's page, or the wrong endpoint)."""
    try:
        return response.json()
    except ValueError:
        raise exceptions.ServerError(
            f'{service} answered {method} {url} with a body that is not JSON'
        ) from None
