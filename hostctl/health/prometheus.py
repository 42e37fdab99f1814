"""The Prometheus text exposition format, written by prometheus_client.

For node_exporter's textfile collector or a push gateway: one gauge per
compute service, hypervisor, server and guest, the servers per host and
Host Status, and the check's own duration and success. Everything a
Prometheus alert needs to name what is broken is in the labels.
"""

from __future__ import annotations

from hostctl.health import summary

PREFIX = 'hostctl_'


def render(facts, verdict, thresholds) -> str:
    # Imported here: only this format pays for it.
    import prometheus_client

    registry = prometheus_client.CollectorRegistry()

    def gauge(name, doc, labels=()):
        return prometheus_client.Gauge(
            PREFIX + name, doc, labels, registry=registry
        )

    if facts.checked('services'):
        labels = ('host', 'binary', 'zone')
        up = gauge(
            'compute_service_up',
            'Service reporting and not forced down.',
            labels,
        )
        forced = gauge(
            'compute_service_forced_down', 'Service forced down.', labels
        )
        disabled = gauge(
            'compute_service_disabled', 'Service disabled.', labels
        )
        for s in facts.services:
            key = (s.host or '', s.binary or '', s.zone or '')
            up.labels(*key).set(s.state == 'up' and not s.forced_down)
            forced.labels(*key).set(bool(s.forced_down))
            disabled.labels(*key).set(s.status == 'disabled')
    if facts.checked('hypervisors'):
        labels = ('hypervisor', 'host')
        up = gauge('hypervisor_up', 'Hypervisor state up.', labels)
        enabled = gauge(
            'hypervisor_enabled', 'Hypervisor status enabled.', labels
        )
        for h in facts.hypervisors:
            key = (h.hypervisor_hostname or '', h.service_host or '')
            up.labels(*key).set(h.state == 'up')
            enabled.labels(*key).set(h.status == 'enabled')
    if facts.checked('servers'):
        servers = gauge(
            'servers',
            'Servers per host and Host Status (empty: no host).',
            ('host', 'host_status'),
        )
        for (host, status), count in summary.servers_per_host(
            facts.servers
        ).items():
            servers.labels(host, status).set(count)
    if facts.checked('fping'):
        alive = gauge(
            'server_alive',
            'Server answered a probe (server-fping).',
            ('id', 'name', 'project'),
        )
        for c in facts.fping:
            alive.labels(c.id or '', c.name or '', c.project_id or '').set(
                c.alive
            )
    if facts.checked('rpc-ping'):
        alive = gauge(
            'guest_alive',
            'Database guest agent answered RPC (instance-rpc-ping); '
            'guests that could not be checked are left out.',
            ('id', 'name'),
        )
        for p in facts.pings:
            if p.alive is not None:
                alive.labels(p.id or '', p.name or '').set(p.alive)
    part_success = gauge(
        'check_part_success', 'The part of the check could be run.', ('part',)
    )
    for part in facts.parts:
        part_success.labels(part).set(part not in facts.errors)
    gauge('check_success', 'Every part of the check could be run.').set(
        not facts.errors
    )
    gauge('check_duration_seconds', 'How long the check took.').set(
        facts.duration
    )
    return prometheus_client.generate_latest(registry).decode()
