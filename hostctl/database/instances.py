"""Database instances and the guest agent's RPC ping (management API).

``GET /mgmt/instances/<id>/rpc_ping`` asks Trove's control plane to call
the guest agent over RPC: 204 when it answered, 400 with Trove's message
when it did not (timed out, or raised). The message's wording has changed
across Trove releases, so it is shown verbatim and never parsed.
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import hashlib
import logging
import time
from urllib import parse

from hostctl import exceptions
from hostctl import models

LOG = logging.getLogger('hostctl')


@dataclasses.dataclass(frozen=True)
class Instance(models.Model):
    id: str | None = None
    name: str | None = None
    status: str | None = None
    tenant_id: str | None = None
    # The instance's Nova server, as Trove's management API shows it:
    # id, name, status, tenant_id, and host (see `runs_on`).
    server: dict | None = None

    def runs_on(self, host: str) -> bool | None:
        """Whether the instance's server runs on `host` (an exact service
        host name); None when Trove does not say where it runs.

        Trove shows the server's host where its Nova client gives one,
        and otherwise Nova's hostId, which is a hash of the server's
        project and host: either is compared exactly.
        """
        reported = (self.server or {}).get('host')
        if not reported:
            return None
        if reported == host:
            return True
        project = (self.server or {}).get('tenant_id') or self.tenant_id
        digest = hashlib.sha224(f'{project or ""}{host}'.encode())
        return reported == digest.hexdigest()


@dataclasses.dataclass(frozen=True)
class Ping:
    """The outcome of one rpc_ping."""

    instance: Instance
    # True: the guest answered; False: Trove says it did not; None: the
    # check itself failed (see `failure`).
    alive: bool | None
    elapsed_ms: float | None = None
    # Trove's message when the guest did not answer, or why the check
    # failed.
    error: str | None = None
    failure: exceptions.HostctlError | None = None

    @property
    def id(self):
        return self.instance.id

    @property
    def name(self):
        return self.instance.name


class InstanceManager:
    def __init__(self, client) -> None:
        self._client = client

    def list_all(self) -> list[Instance]:
        """Every instance of every project (admin only), all pages.

        Trove's management listing includes deleted instances unless told
        not to, and leaves out cluster members unless told to include
        them: "every instance" is the live ones, clustered or not.
        """
        try:
            items = self._client.get_all(
                '/mgmt/instances',
                'instances',
                params={'deleted': 'false', 'include_clustered': 'true'},
            )
        except exceptions.AuthError as exc:
            raise _admin_only(exc) from None
        return [Instance.from_json(i) for i in items]

    def list_on_host(self, host: str) -> list[Instance]:
        """Every instance whose server runs on `host` (one listing)."""
        everything = self.list_all()
        unknown = [i for i in everything if i.runs_on(host) is None]
        if unknown:
            LOG.warning(
                '%d database instances have no server Trove can place on a '
                'host, and are not checked: %s',
                len(unknown),
                ', '.join(i.name or i.id for i in unknown),
            )
        found = [i for i in everything if i.runs_on(host)]
        if not found:
            # Nothing to check is not "every guest answered".
            raise exceptions.NotFound(
                f'no database instance runs on host {host}; nothing to check'
            )
        return found

    def resolve(self, names_or_ids) -> list[Instance]:
        """Instances by ID or name, in the order given.

        IDs need no lookup (a ping of an unknown ID answers 404); names are
        looked up in one listing, and a name several instances share is an
        error that lists them. An instance named twice is pinged once.
        """
        names_or_ids = list(dict.fromkeys(names_or_ids))
        if all(models.looks_like_uuid(x) for x in names_or_ids):
            return [Instance(id=x) for x in names_or_ids]
        everything = self.list_all()
        found = []
        for wanted in names_or_ids:
            matches = [i for i in everything if i.id == wanted]
            matches = matches or [i for i in everything if i.name == wanted]
            if not matches:
                raise exceptions.NotFound(
                    f'no database instance named or with ID {wanted!r}'
                )
            if len(matches) > 1:
                listed = ', '.join(
                    f'{i.id} (project {i.tenant_id})' for i in matches
                )
                raise exceptions.UsageError(
                    f'{len(matches)} database instances are named '
                    f'{wanted!r}: {listed}; give an ID'
                )
            found.append(matches[0])
        return list({i.id: i for i in found}.values())

    def rpc_ping(self, instance: Instance, timeout: float) -> Ping:
        url = f'/mgmt/instances/{parse.quote(instance.id)}/rpc_ping'
        start = time.monotonic()
        try:
            response = self._client.request(
                'GET', url, timeout=timeout, raise_exc=False
            )
        except exceptions.HostctlError as exc:
            return Ping(instance, None, error=str(exc), failure=exc)
        elapsed = round((time.monotonic() - start) * 1000, 1)
        status = response.status_code
        if status in (200, 204):
            return Ping(instance, True, elapsed)
        message = exceptions.server_message(response)
        if status == 400:
            return Ping(instance, False, elapsed, error=message)
        if status in (401, 403):
            raise _admin_only(exceptions.AuthError(message))
        if status == 404:
            failure = exceptions.NotFound(
                f'no database instance with ID {instance.id!r}'
            )
        else:
            failure = exceptions.ServerError(
                f'the database API failed with HTTP {status}: {message}'
            )
        return Ping(instance, None, elapsed, str(failure), failure)

    def rpc_ping_all(
        self, instances, *, timeout: float, concurrency: int
    ) -> list[Ping]:
        """Ping each instance's guest, `concurrency` at a time, in order.

        Silent guests cost Trove's agent timeout each, so they are waited
        for side by side: many silent guests take about one timeout, not
        one each.
        """
        if not instances:
            return []
        # One token for all threads, fetched before they start.
        self._client.authenticate()
        workers = max(1, min(concurrency, len(instances)))
        with concurrent.futures.ThreadPoolExecutor(workers) as pool:
            return list(
                pool.map(lambda i: self.rpc_ping(i, timeout), instances)
            )


def _admin_only(exc: exceptions.HostctlError) -> exceptions.AuthError:
    return exceptions.AuthError(
        'rpc_ping and the instance list it uses need the admin role '
        f'(Trove said: {exc.detail})'
    )
