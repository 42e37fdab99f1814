"""The Nagios/Icinga plugin format: a status line, then performance data.

``STATE - what is broken | figure=value;warn;crit;0 ... time=0.4s;;;0``,
as the Monitoring Plugins guidelines lay it out; the exit code is the
state's (0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN).
"""

from __future__ import annotations

from hostctl.health import summary


def render(facts, verdict, thresholds) -> str:
    perf = [
        _perf(name, value, thresholds)
        for name, value in summary.figures(facts).items()
    ]
    perf.append(f'time={facts.duration:.3f}s;;;0')
    return (
        f'{status_line(verdict.state.name, verdict.text)} | {" ".join(perf)}\n'
    )


def status_line(state: str, text: str) -> str:
    # "|" starts the performance data; a host's disabled reason may hold
    # one, and one line it must stay.
    words = ' '.join(text.replace('|', '/').split())
    return f'{state} - {words}'


def _perf(name, value, thresholds) -> str:
    warning = thresholds.warning.get(name) or ''
    critical = thresholds.critical.get(name) or ''
    return f'{name}={value};{warning};{critical};0'
