"""The HTTP session: which requests are retried, and what a time-out is.

keystoneauth already retries, with exponential backoff: connection
failures (``connect_retries``) and chosen status codes
(``status_code_retries``, ``retriable_status_codes``). This module decides,
per request, whether to let it:

- Idempotent requests (GET, and PUT, which sets a state and may be
  repeated) retry connection failures and 502, 503 and 504, up to
  ``retries`` times.
- Anything else is sent once: POST (the token request), and DELETE.
  Deleting twice leaves the same state but not the same answer: a retried
  DELETE that had been carried out is answered 404, and hostctl would
  report "it was not there" for what it had just removed. A DELETE that
  fails says the change may or may not have been made.
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
from urllib3 import exceptions as urllib3_exceptions

DEFAULT_RETRIES = 3
IDEMPOTENT = frozenset({'GET', 'HEAD', 'OPTIONS', 'PUT'})
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


class BrokenAnswer(requests.exceptions.ConnectionError):
    """The connection broke in the middle of an answer's body."""


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
        except requests.exceptions.RequestException as exc:
            if exc.request is None:
                # Said in the error message: which URL failed.
                exc.request = requests.Request(method, url)
            classified = self._classified(exc)
            if classified is exc:
                raise
            raise classified from exc

    @staticmethod
    def _classified(exc):
        request = exc.request
        if isinstance(exc, requests.exceptions.Timeout):
            return TimedOut(
                str(exc),
                request=request,
                connecting=isinstance(exc, requests.exceptions.ConnectTimeout),
            )
        # A time-out while reading the body reaches us as a ConnectionError
        # wrapping urllib3's ReadTimeoutError.
        from hostctl import failures

        if failures.find(exc, urllib3_exceptions.ReadTimeoutError):
            return TimedOut(str(exc), request=request)
        if isinstance(exc, requests.exceptions.ChunkedEncodingError):
            # The connection broke mid-body (reset, or closed early).
            return BrokenAnswer(
                f'connection broken while reading the answer: {exc}',
                request=request,
            )
        return exc


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
