"""The JSON format: the whole result, for CI jobs and scripts."""

from __future__ import annotations

import json

from hostctl.health import summary
from hostctl.health import thresholds


def render(facts, verdict, limits) -> str:
    figures = summary.figures(facts)
    result = {
        'status': verdict.state.name,
        'summary': verdict.text,
        'host': facts.host,
        'parts': list(facts.parts),
        'figures': figures,
        'states': {name: s.name for name, s in verdict.states.items()},
        'thresholds': {
            level: {n: str(r) for n, r in ranges.items() if n in figures}
            for level, ranges in (
                ('warning', limits.warning),
                ('critical', limits.critical),
            )
        },
        'problems': [
            {
                'kind': p.kind,
                'subject': p.subject,
                'what': p.what,
                'metrics': list(p.metrics),
                'state': thresholds.problem_state(p, verdict.states).name,
            }
            for p in summary.problems(facts)
        ],
        'errors': {
            part: {'message': str(exc), 'exit_code': int(exc.exit_code)}
            for part, exc in facts.errors.items()
        },
        'duration_seconds': round(facts.duration, 3),
    }
    for key, items, fields in _LISTS:
        value = getattr(facts, items)
        if value is not None:
            result[key] = [{f: getattr(i, f) for f in fields} for i in value]
    return json.dumps(result, indent=2) + '\n'


_LISTS = (
    (
        'services',
        'services',
        (
            'host',
            'binary',
            'zone',
            'state',
            'status',
            'forced_down',
            'disabled_reason',
            'updated_at',
        ),
    ),
    (
        'hypervisors',
        'hypervisors',
        ('hypervisor_hostname', 'service_host', 'state', 'status'),
    ),
    (
        'servers',
        'servers',
        ('id', 'name', 'host', 'host_status', 'status', 'tenant_id'),
    ),
    ('fping', 'fping', ('id', 'name', 'project_id', 'alive', 'answer')),
    ('rpc_ping', 'pings', ('id', 'name', 'alive', 'elapsed_ms', 'error')),
)
