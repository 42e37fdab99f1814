"""The HTTP session: which requests are retried, and what a time-out is.

keystoneauth already retries, with exponential backoff: connection
failures (``connect_retries``) and chosen status codes
(``status_code_retries``, ``retriable_status_codes``). This module decides,
per request, whether to let it:

- Idempotent requests (GET, and PUT, which sets a state and may be
  repeated; hostctl sends no other kind to the APIs) retry connection
  failures and 502, 503 and 504, up to ``retries`` times.
- Anything else (POST: the token request) is sent once.
- A request that timed out is never retried: a server that took the
  request and did not answer in time may be alive and busy, and asking
  again would only add load; a host that does not even take the connection
  in time will not in the next seconds either. So a command against a
  server that never answers gives up after about ``--timeout``.
  keystoneauth counts time-outs as connection failures and would retry
  them, so the transport below reports them as an error of their own.
"""

from __future__ import annotations

from keystoneauth1 import session as ksa_session
import requests

DEFAULT_RETRIES = 3
IDEMPOTENT = frozenset({'GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE'})
RETRIABLE_STATUS_CODES = (502, 503, 504)


class TimedOut(requests.exceptions.RequestException):
    """No connection, or no answer, within the timeout.

    Deliberately neither a `requests.exceptions.Timeout` nor a
    `requests.exceptions.ConnectionError`: keystoneauth retries those.
    `connecting` says which of the two it was.
    """

    def __init__(self, *args, connecting: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.connecting = connecting


class _HTTP(requests.Session):
    """requests' session, with time-outs told apart from the rest.

    requests reads the body before `request` returns, so a connection
    that breaks or stalls in the middle of a body is classified here like
    one that breaks before it: a reset is a connection failure (safe to
    retry for an idempotent request), a stall is a time-out (never
    retried).
    """

    def request(self, method, url, *args, **kwargs):
        try:
            return super().request(method, url, *args, **kwargs)
        except requests.exceptions.Timeout as exc:
            raise TimedOut(
                str(exc),
                connecting=isinstance(exc, requests.exceptions.ConnectTimeout),
            ) from exc
        except requests.exceptions.ConnectionError as exc:
            # A time-out while reading the body reaches us as a
            # ConnectionError wrapping urllib3's ReadTimeoutError.
            if 'Read timed out' in str(exc):
                raise TimedOut(str(exc)) from exc
            raise
        except requests.exceptions.ChunkedEncodingError as exc:
            # The connection broke mid-body (reset, or closed early).
            raise requests.exceptions.ConnectionError(
                f'connection broken while reading the answer: {exc}'
            ) from exc


class Session(ksa_session.Session):
    """A keystoneauth Session that retries only what is safe to retry.

    `retries` bounds the retries of one request; 0 turns them off.
    """

    def __init__(self, *args, retries: int = DEFAULT_RETRIES, **kwargs):
        http = _HTTP()
        # As keystoneauth sets up the sessions it makes itself.
        keepalive = ksa_session.TCPKeepAliveAdapter(
            tls_ciphers=kwargs.get('tls_ciphers'),
            tls_min_version=kwargs.get('tls_min_version'),
        )
        for scheme in list(http.adapters):
            http.mount(scheme, keepalive)
        super().__init__(*args, session=http, **kwargs)
        # Ours to close, as if keystoneauth had made it.
        self._session = http
        self.retries = retries

    def request(self, url, method, **kwargs):
        retries = self.retries if method.upper() in IDEMPOTENT else 0
        kwargs.setdefault('connect_retries', retries)
        kwargs.setdefault('status_code_retries', retries)
        kwargs.setdefault(
            'retriable_status_codes', list(RETRIABLE_STATUS_CODES)
        )
        return super().request(url, method, **kwargs)
