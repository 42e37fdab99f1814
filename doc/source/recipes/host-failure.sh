#!/usr/bin/env bash
# Runbook: a compute host has failed.
#
#   host-failure.sh check   <host>            what Nova says about the host and its servers
#   host-failure.sh down    <host> <reason>   fence it: force down, disable with a reason
#   host-failure.sh recover <host>            the host is repaired: enable it, clear the flag
#
# Credentials come from the environment as for any OpenStack client
# (OS_CLOUD, or OS_AUTH_URL and the rest); the admin role is needed.
# Every step stops the runbook at the first error, with hostctl's exit code
# (4: no such host, 5: not admin, 6: cloud too old, 7: cloud unreachable).
set -euo pipefail

hostctl=${HOSTCTL:-hostctl}
binary=nova-compute
# The service's columns worth reading at each step.
service=(-c Host -c Binary -c Status -c State -c "Forced Down" -c "Disabled Reason")

usage() {
    sed -n '4,6p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
}

servers() {
    # The servers on the host, and their Host Status: UP, UNKNOWN (the
    # host stopped reporting), DOWN (forced down) or MAINTENANCE (disabled).
    "$hostctl" server-list --all-projects --host "$1" \
        -c ID -c Name -c Status -c "Host Status"
}

[[ $# -ge 2 ]] || usage
action=$1 host=$2

case $action in
    check)
        "$hostctl" service-list --host "$host" --binary "$binary" "${service[@]}"
        servers "$host"
        ;;
    down)
        [[ $# -eq 3 && -n $3 ]] || usage
        # 1. Tell Nova at once that the host is down (it has been fenced or
        #    powered off): its servers' Host Status becomes DOWN and they
        #    can be evacuated.
        "$hostctl" service-force-down "$host" "$binary" "${service[@]}"
        # 2. No new servers for it, and the reason where everyone sees it.
        "$hostctl" service-disable --reason "$3" "$host" "$binary" "${service[@]}"
        # 3. The servers affected: evacuate them, or tell their owners.
        servers "$host"
        ;;
    recover)
        # Once nova-compute runs on the repaired host again: let it report
        # up, and schedule to it again.
        "$hostctl" service-force-down --unset "$host" "$binary" "${service[@]}"
        "$hostctl" service-enable "$host" "$binary" "${service[@]}"
        servers "$host"
        ;;
    *)
        usage
        ;;
esac
