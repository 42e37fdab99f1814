#!/usr/bin/env bash
# Wait until every server on a host shows the Host Status wanted.
#
#   poll-host-status.sh <host> <status> [<timeout-seconds> [<interval-seconds>]]
#
# <status> is UP, UNKNOWN, DOWN or MAINTENANCE. Prints one line per poll.
# Exit 0 when every server on the host has it, 124 when the time is up
# first, or hostctl's exit code when a poll fails for a reason that waiting
# will not cure (a server error or an unreachable cloud, 7, is retried).
set -uo pipefail

hostctl=${HOSTCTL:-hostctl}
[[ $# -ge 2 ]] || {
    sed -n '4p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
}
host=$1 want=$2 timeout=${3:-300} interval=${4:-5}
deadline=$((SECONDS + timeout))

while :; do
    if listed=$("$hostctl" server-list --all-projects --host "$host" -f json \
        -c Name -c "Host Status"); then
        # -f json always has every column asked for; an absent Host Status
        # is null (a microversion below 2.16, or not admin).
        # With jq: jq -r '.[]["Host Status"] // "none"'
        statuses=$(python3 -c '
import json, sys
for row in json.load(sys.stdin):
    print(row["Host Status"] or "none")
' <<<"$listed")
        total=$(grep -c . <<<"$statuses")
        matching=$(grep -cx "$want" <<<"$statuses")
        echo "$host: $matching of $total servers $want"
        if [[ $total -gt 0 && $matching -eq $total ]]; then
            exit 0
        fi
    else
        rc=$?
        [[ $rc -eq 7 ]] || exit "$rc"
        echo "$host: the cloud did not answer; trying again"
    fi
    if ((SECONDS + interval > deadline)); then
        echo "$host: not every server $want after ${timeout}s" >&2
        exit 124
    fi
    sleep "$interval"
done
