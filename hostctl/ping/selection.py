"""Which servers server-fping checks, selected as os-fping selects them.

- the servers named, or every server of the project (of every project
  with all_projects; with a host, every server on that host);
- ``include``: only these server IDs; ``exclude``: all but these, and
  ignored when ``include`` is given, as os-fping does;
- ``monitored``: only servers tagged ``monitored`` (a Nova server tag,
  2.26+), the "monitored" flag the os-fping blueprint planned.

An ID given to ``include`` that is not among the servers looked at is an
error, not a quiet omission: a runbook that checks "these servers" must
not pass because one of them was mistyped.
"""

from __future__ import annotations

import dataclasses
import functools
import logging

from hostctl import exceptions
from hostctl import models
from hostctl.v2_1.servers import MONITORED_TAG

LOG = logging.getLogger('hostctl')


@dataclasses.dataclass(frozen=True)
class Selection:
    servers: tuple[str, ...] = ()
    all_projects: bool = False
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    monitored: bool = False
    # The exact service host name; its servers in every project.
    host: str | None = None

    def __post_init__(self):
        if self.servers and (
            self.include or self.exclude or self.monitored or self.host
        ):
            raise exceptions.UsageError(
                'name servers, or select them with --include, --exclude, '
                '--monitored and --host, not both'
            )
        if self.include and self.exclude:
            LOG.warning(
                '--exclude is ignored with --include, as os-fping does'
            )

    @property
    def across_projects(self) -> bool:
        return self.all_projects or self.host is not None


class Lookup:
    """The servers a selection names, each listing asked for at most once."""

    def __init__(self, compute, selection: Selection) -> None:
        self.compute = compute
        self.selection = selection

    @functools.cached_property
    def named(self) -> list:
        servers = [
            self.compute.servers.get(
                name, all_projects=self.selection.all_projects
            )
            for name in dict.fromkeys(self.selection.servers)
        ]
        return list({s.id: s for s in servers}.values())

    @functools.cached_property
    def tagged(self) -> list:
        selection = self.selection
        servers = self.compute.servers.list_tagged(
            MONITORED_TAG,
            all_projects=selection.across_projects,
            host=selection.host,
        )
        if not servers:
            # Nothing to check is not "all alive": a runbook whose servers
            # lost their mark must not pass for it.
            raise exceptions.NotFound(
                f'no server is tagged {MONITORED_TAG!r}'
                f'{self.where or " in this project"}; mark one with '
                'server-monitor'
            )
        return servers

    @functools.cached_property
    def listed(self) -> list:
        selection = self.selection
        return self.compute.servers.list(
            all_projects=selection.across_projects, host=selection.host
        )

    @property
    def where(self) -> str:
        selection = self.selection
        if selection.host:
            return f' on host {selection.host}'
        return ' in any project' if selection.all_projects else ''

    def pool(self) -> list:
        """The servers include and exclude pick from."""
        return self.tagged if self.selection.monitored else self.listed

    def selected(self) -> list:
        """The servers to check, filtered as os-fping filters them."""
        selection = self.selection
        if selection.servers:
            return self.named
        servers = self.pool()
        if selection.include:
            self.check_included({s.id for s in servers})
            wanted = set(selection.include)
            return [s for s in servers if s.id in wanted]
        if selection.exclude:
            unwanted = set(selection.exclude)
            missing = sorted(unwanted - {s.id for s in servers})
            if missing:
                LOG.warning(
                    '--exclude: no server with ID %s%s',
                    ', '.join(missing),
                    self.where,
                )
            return [s for s in servers if s.id not in unwanted]
        return servers

    def check_included(self, found_ids) -> None:
        """NotFound unless every --include ID is among `found_ids`."""
        missing = [i for i in self.selection.include if i not in found_ids]
        if not missing:
            return
        kind = 'monitored server' if self.selection.monitored else 'server'
        servers = self.pool()
        known = ', '.join(f'{s.name} ({s.id})' for s in servers[:5])
        more = f' and {len(servers) - 5} more' if len(servers) > 5 else ''
        hint = (
            ''
            if self.selection.across_projects
            else ' (--all-projects looks further)'
        )
        raise exceptions.NotFound(
            f'--include: no {kind} with ID {", ".join(missing)}'
            f'{self.where or " in this project"}{hint}; there are: '
            f'{known or "none"}{more}'
        )


def server_ids(option: str, values) -> tuple[str, ...]:
    """Server IDs from --include/--exclude values ("id,id", repeatable)."""
    ids = []
    for value in values or ():
        for item in value.split(','):
            item = item.strip()
            if not item:
                raise exceptions.UsageError(
                    f'{option} {value!r}: an empty server ID; give IDs '
                    'separated by commas'
                )
            if not models.looks_like_uuid(item):
                raise exceptions.UsageError(
                    f'{option} takes server IDs, and {item!r} is not one; '
                    'name servers as arguments instead'
                )
            ids.append(item)
    return tuple(dict.fromkeys(ids))
