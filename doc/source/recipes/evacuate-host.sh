#!/usr/bin/env bash
# Runbook: move every server off a compute host.
#
#   evacuate-host.sh failed <host> [<target>]   fence a failed host, evacuate its servers, wait
#   evacuate-host.sh drain  <host> [<target>]   empty a working host for maintenance, wait
#   evacuate-host.sh back   <host>              the host is repaired (nova-compute restarted)
#
# Credentials come from the environment as for any OpenStack client
# (OS_CLOUD, or OS_AUTH_URL and the rest); the admin role is needed.
# A refusal stops the runbook before anything moves, with hostctl's exit
# code (9: the preflight said no, and why; 4: no such host; 5: not admin);
# 8 means some servers did not move: their rows say why.
set -euo pipefail

hostctl=${HOSTCTL:-hostctl}
wait_seconds=${WAIT_SECONDS:-900}

usage() {
    sed -n '4,6p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
}

[[ $# -ge 2 ]] || usage
action=$1 host=$2 target=${3:-}
to=()
[[ -n $target ]] && to=(--target-host "$target")

case $action in
    failed)
        # 1. Tell Nova the host is down (it has been fenced or powered
        #    off), and keep new servers away: safe to repeat.
        "$hostctl" host-down "$host" -c Host -c Verdict -c Reason
        # 2. The plan: the preflight's verdict, each server and whether it
        #    can be evacuated. Nothing changes yet.
        "$hostctl" host-evacuate "$host" "${to[@]}" --dry-run \
            -c Name -c Project -c Result -c Message
        # 3. Evacuate, and follow each server to its new host.
        "$hostctl" host-evacuate "$host" "${to[@]}" --wait --timeout "$wait_seconds" \
            -c Name -c To -c Result -c Message
        # 4. Nova's own record of each evacuation.
        "$hostctl" migration-list --host "$host" --type evacuation \
            -c "Server ID" -c Status -c "Dest Host"
        ;;
    drain)
        "$hostctl" host-drain "$host" "${to[@]}" --wait --timeout "$wait_seconds" \
            -c Name -c To -c Result -c Message
        ;;
    back)
        # Nova clears forced_down only once nova-compute on the repaired
        # host has restarted (and cleaned up after the evacuation); then
        # host-up waits for it to report and enables it.
        "$hostctl" host-up "$host" -c Host -c Verdict -c Reason
        ;;
    *)
        usage
        ;;
esac
