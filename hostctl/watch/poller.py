"""One poll: the few requests that show what changed since the last.

Each poll lists the services (one request) and the hypervisors (one), and
of the servers only what changed: Nova's ``changes-since`` filter on
``/servers/detail`` (one request, one page while few change), measured by
the cloud's clock. A server's Host Status is computed when it is read, from
its host's nova-compute service, so it changes without the server's record
changing: when a host's service changed, that host's servers are listed
too (one request per such host). A quiet poll is three requests, whether
the cloud has ten servers or ten thousand.

The picture of the last poll is kept only when every request of a poll
succeeded, so a poll that failed is repeated whole by the next one, with
its changes measured from the last good one: nothing is lost, and nothing
is reported twice.
"""

from __future__ import annotations

import datetime

from hostctl.watch import records
from hostctl.watch.records import HYPERVISOR, SERVER, SERVICE

COMPUTE = 'nova-compute'
# changes-since looks back this much further than the last poll's answer:
# a record written while that answer was made (or by a node whose clock
# is a little behind the API's) is not missed; seen again, it is no
# change, and reported once.
OVERLAP = datetime.timedelta(seconds=30)


class Poller:
    """Polls `compute` (a hostctl compute client) for `kinds`.

    :param tables: kind -> the field table its records are made through.
    :param host: only this service host (exactly as Nova has it: see
        hosts.resolve), or None for all.
    """

    def __init__(self, compute, tables, kinds=records.KINDS, host=None):
        self._compute = compute
        self._tables = tables
        self.kinds = tuple(kinds)
        self.host = host
        # None until the first poll succeeds.
        self.picture: dict | None = None
        self._since: datetime.datetime | None = None
        # host -> its nova-compute service's record values.
        self._hosts: dict = {}

    def poll(self) -> list[dict]:
        """The events since the last poll; the first time, the whole
        picture as 'initial' events. Raises what the client raises."""
        new: dict = {}
        hosts = self._hosts
        if SERVICE in self.kinds or SERVER in self.kinds:
            # Every service, filtered here: a host that goes away is an
            # event, not an error.
            services = {
                k: r
                for k, r in self._records(
                    SERVICE, self._compute.services.list()
                ).items()
                if self.host is None or r.host == self.host
            }
            if SERVICE in self.kinds:
                new.update(services)
            hosts = {
                r.host: r.values
                for r in services.values()
                if r.name == COMPUTE
            }
        if HYPERVISOR in self.kinds:
            # Detailed for each one's service host; without the servers of
            # every hypervisor (the bulk of the answer in a big cloud).
            found = self._compute.hypervisors.list(
                detailed=True, servers=False
            )
            new.update(
                (k, r)
                for k, r in self._records(HYPERVISOR, found).items()
                if self.host is None or r.host == self.host
            )
        since = self._since
        if SERVER in self.kinds:
            servers, since = self._servers(_changed(self._hosts, hosts))
            new.update(servers)
        events = records.diff(self.picture or {}, new, self.picture is None)
        if self.host is not None:
            # A server that moved away was reported (its Host changed);
            # it is no longer watched.
            new = {k: r for k, r in new.items() if r.host == self.host}
        self.picture, self._since, self._hosts = new, since, hosts
        return events

    def _records(self, kind, items) -> dict:
        table = self._tables[kind]
        found = (records.record(kind, item, table) for item in items)
        return {r.key: r for r in found}

    def _servers(self, changed_hosts):
        servers = self._compute.servers
        if self._since is None:
            listed, as_of = servers.list_since(host=self.host)
            return self._records(SERVER, listed), _or_now(as_of)
        current = {
            k: r for k, r in (self.picture or {}).items() if k[0] == SERVER
        }
        # Changed records: every host's, so that a server leaving the
        # watched host is seen going.
        changed, as_of = servers.list_since(self._since - OVERLAP)
        for host in sorted(changed_hosts):
            if self.host is None or host == self.host:
                listed, _ = servers.list_since(host=host)
                current.update(self._records(SERVER, listed))
        for key, found in self._records(SERVER, changed).items():
            if found.values.get('Status') == 'DELETED':
                current.pop(key, None)
            elif self.host is None or found.host == self.host:
                current[key] = found
            elif key in current:
                current[key] = found
        return current, _or_now(as_of)


def _changed(old: dict, new: dict) -> set:
    """The hosts whose nova-compute service changed (came, went, or
    changed state, status or flag)."""
    return {h for h in old.keys() | new.keys() if old.get(h) != new.get(h)}


def _or_now(as_of):
    # A cloud that sends no Date header: this machine's clock, less a
    # margin as wide as the overlap, is the best there is.
    if as_of is not None:
        return as_of
    return datetime.datetime.now(datetime.timezone.utc) - OVERLAP
