#!/usr/bin/env bash
# Runbook: a compute host has failed.
#
#   host-failure.sh check   <host>             what Nova knows: verdict, services, servers
#   host-failure.sh down    <host> <reason>    fence it: force down, then disable with the reason
#   host-failure.sh recover <host> [seconds]   repaired: clear the flag, wait for up, enable
#
# Credentials come from the environment as for any OpenStack client
# (OS_CLOUD, or OS_AUTH_URL and the rest); the admin role is needed.
# Each step stops the runbook with hostctl's exit code: 4 no such host (the
# message names the hosts there are), 5 not admin, 6 cloud too old, 7 cloud
# unreachable, 8 done in part (the message says the state the host is in),
# 9 Nova will not clear the flag until nova-compute on the host restarts.
set -euo pipefail

hostctl=${HOSTCTL:-hostctl}

usage() {
    sed -n '4,6p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
}

[[ $# -ge 2 && -n $2 ]] || usage
action=$1 host=$2

case $action in
    check)
        # The verdict (up, unknown, down, maintenance, fenced) and why, the
        # nova-compute service and its last report, and every server on the
        # host with its Host Status.
        "$hostctl" host-show "$host"
        ;;
    down)
        [[ $# -eq 3 && -n $3 ]] || usage
        # Force down first: that works on a dead host and tells Nova at once,
        # which is what evacuation needs. Then disable, so nothing new lands
        # there, with the reason (after host-down's marker) for everyone to
        # read. Its servers, listed at the end, now show DOWN: evacuate
        # them, or tell their owners.
        "$hostctl" host-down --reason "$3" "$host"
        ;;
    recover)
        [[ $# -le 3 ]] || usage
        # Once nova-compute runs on the repaired host again: clear the flag,
        # wait until it reports, and only then enable it (and only if
        # host-down disabled it). If it does not report in time, the host
        # stays disabled and the step fails with 8.
        "$hostctl" host-up --timeout "${3:-300}" "$host"
        ;;
    *)
        usage
        ;;
esac
