"""From figures and thresholds to a state and the words that name it.

Each figure has a warning and a critical range (Nagios syntax, see
`ranges`); a figure outside its critical range is CRITICAL, else outside
its warning range WARNING. A part of the check that could not be run is
UNKNOWN. The check's state is the worst, ranked OK < UNKNOWN < WARNING <
CRITICAL: what could be seen to be broken outweighs what could not be
seen, and the line says both.
"""

from __future__ import annotations

import dataclasses
import enum

from hostctl import exceptions
from hostctl.health import ranges
from hostctl.health import summary


class State(enum.IntEnum):
    """The Nagios plugin states; the values are the plugin's exit codes."""

    OK = 0
    WARNING = 1
    CRITICAL = 2
    UNKNOWN = 3


_RANK = {State.OK: 0, State.UNKNOWN: 1, State.WARNING: 2, State.CRITICAL: 3}

# "0": anything above 0 alerts. Something forced down or not reporting is
# an outage; something disabled is maintenance, someone's decision. Servers
# in MAINTENANCE have no default: their disabled service warns already,
# and a threshold raised on that one should not be undone by them.
DEFAULT_WARNING = {
    'services_disabled': '0',
    'guests_unchecked': '0',
}
DEFAULT_CRITICAL = {
    'services_down': '0',
    'services_forced_down': '0',
    'hypervisors_down': '0',
    'servers_host_unknown': '0',
    'servers_host_down': '0',
    'servers_not_alive': '0',
    'guests_not_alive': '0',
}

# Figures to say something about when all is well.
_OK_WORDS = (
    ('services_up', 'services up'),
    ('hypervisors_up', 'hypervisors up'),
    ('servers_host_up', 'servers on hosts UP'),
    ('servers_alive', 'servers alive'),
    ('guests_alive', 'guests answering'),
)
# Names listed per group in the status line; the rest are counted.
MAX_NAMES = 5


@dataclasses.dataclass(frozen=True)
class Thresholds:
    warning: dict[str, ranges.Range]
    critical: dict[str, ranges.Range]


def figure_part(name: str) -> str | None:
    for part, names in summary.FIGURES.items():
        if name in names:
            return part
    return None


def build(warning=(), critical=(), parts=summary.PARTS) -> Thresholds:
    """The defaults, overridden by ``METRIC=RANGE`` items per level.

    A figure of a part not being checked is a usage error: a threshold
    that can never apply must not pass for one that does.
    """
    return Thresholds(
        _level('--warning', DEFAULT_WARNING, warning, parts),
        _level('--critical', DEFAULT_CRITICAL, critical, parts),
    )


def _level(option, defaults, given, parts) -> dict[str, ranges.Range]:
    found = {name: ranges.parse(text) for name, text in defaults.items()}
    for item in given:
        name, sep, text = item.partition('=')
        name = name.strip()
        if not sep or not name:
            raise exceptions.UsageError(
                f'{option} {item!r}: give METRIC=RANGE, for example '
                f'{option} services_disabled=2'
            )
        part = figure_part(name)
        if part is None:
            known = ', '.join(
                n for names in summary.FIGURES.values() for n in names
            )
            raise exceptions.UsageError(
                f'{option}: no metric {name!r}; metrics: {known}'
            )
        if part not in parts:
            raise exceptions.UsageError(
                f'{option} {name}: that metric is counted by --{part}, '
                'which this check does not run'
            )
        try:
            found[name] = ranges.parse(text)
        except exceptions.UsageError as exc:
            raise exceptions.UsageError(f'{option} {name}: {exc}') from None
    return found


@dataclasses.dataclass(frozen=True)
class Verdict:
    state: State
    # What the status line says after "STATE - ".
    text: str
    # Each figure's own state.
    states: dict[str, State]


def judge(facts: summary.Facts, thresholds: Thresholds) -> Verdict:
    figures = summary.figures(facts)
    states = {name: _state(name, v, thresholds) for name, v in figures.items()}
    worst = max(states.values(), default=State.OK, key=_RANK.get)
    if facts.errors:
        worst = max(worst, State.UNKNOWN, key=_RANK.get)
    # What is broken first (a long line may be cut), then what could not
    # be looked at.
    problems = [
        p
        for p in summary.problems(facts)
        if problem_state(p, states) != State.OK
    ]
    words = _named(problems, states)
    named = {m for p in problems for m in p.metrics}
    for name, state in states.items():
        if state != State.OK and name not in named:
            critical = state == State.CRITICAL
            level = thresholds.critical if critical else thresholds.warning
            words.append(
                f'{name} is {figures[name]} (outside {state.name.lower()} '
                f'range {level[name]})'
            )
    words += _failures(facts)
    if not words:
        words = [
            f'{figures[name]} {what}'
            for name, what in _OK_WORDS
            if name in figures
        ] or ['nothing checked']
    return Verdict(worst, '; '.join(words), states)


def _failures(facts) -> list[str]:
    """Why each part could not be run; one cause shared by parts is said
    once (an unreachable cloud fails them all)."""
    parts: dict[str, list[str]] = {}
    for part in facts.parts:
        if part in facts.errors:
            parts.setdefault(str(facts.errors[part]), []).append(part)
    if len(parts) == 1 and len(facts.errors) == len(facts.parts):
        return list(parts)
    return [f'{", ".join(names)}: {why}' for why, names in parts.items()]


def problem_state(problem, states) -> State:
    """The worst state of the figures a problem is counted in."""
    return max(
        (states[m] for m in problem.metrics), key=_RANK.get, default=State.OK
    )


def _state(name, value, thresholds) -> State:
    critical = thresholds.critical.get(name)
    if critical is not None and critical.alerts(value):
        return State.CRITICAL
    warning = thresholds.warning.get(name)
    if warning is not None and warning.alerts(value):
        return State.WARNING
    return State.OK


def _named(problems, states) -> list[str]:
    """One phrase per host, and one per kind of server or guest trouble,
    the worst first."""
    groups: dict[tuple[str, str], list] = {}
    for p in problems:
        key = (p.kind, p.subject if p.kind == 'host' else p.what)
        groups.setdefault(key, []).append(p)

    def rank(item):
        return -max(_RANK[problem_state(p, states)] for p in item[1])

    phrases = []
    for (kind, _), group in sorted(groups.items(), key=rank):
        if kind == 'host':
            phrases.append(_host_phrase(group))
        else:
            names = [p.subject for p in group]
            shown = ', '.join(names[:MAX_NAMES])
            if len(names) > MAX_NAMES:
                shown += f' and {len(names) - MAX_NAMES} more'
            what = 'servers' if kind == 'server' else 'guests'
            phrases.append(f'{what} {group[0].what}: {shown}')
    return phrases


def _host_phrase(group) -> str:
    host = group[0].subject
    metrics = {m for p in group for m in p.metrics}
    if metrics & {'services_down', 'services_forced_down'}:
        # Its hypervisor is down because its nova-compute is: said once.
        group = [p for p in group if p.metrics != ('hypervisors_down',)]
    own = [p.what for p in group if not _about_servers(p)]
    servers = [p.what for p in group if _about_servers(p)]
    if not own:
        return f'{host}: {", ".join(servers)}'
    phrase = f'{host} {", ".join(own)}'
    return f'{phrase} ({", ".join(servers)})' if servers else phrase


def exit_code(facts: summary.Facts, verdict: Verdict) -> exceptions.ExitCode:
    """hostctl's own exit code for a check (the json and prometheus
    formats): a part that could not be run outweighs what was found, as in
    the bulk checks; then 3 when the verdict is CRITICAL, else 0."""
    if facts.errors:
        codes = {e.exit_code for e in facts.errors.values()}
        if len(facts.errors) == len(facts.parts) and len(codes) == 1:
            return codes.pop()
        return exceptions.ExitCode.PARTIAL
    if verdict.state == State.CRITICAL:
        return exceptions.ExitCode.NOT_ALIVE
    return exceptions.ExitCode.OK


def _about_servers(problem) -> bool:
    return all(m.startswith('servers') for m in problem.metrics)
