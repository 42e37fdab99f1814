#!/usr/bin/env bash
# Wait until every server on a host shows the Host Status wanted.
#
#   poll-host-status.sh <host> <status> [<timeout-seconds> [<interval-seconds>]]
#
# <status> is UP, UNKNOWN, DOWN or MAINTENANCE. Nova computes a server's
# Host Status from its host's nova-compute service, so this waits for the
# service (one request per poll, however many servers the host has), then
# lists the servers. Exit 0 when the host has that status, 10 when the time
# is up first (the service's last state on stderr), or hostctl's exit code
# when waiting will not help (4: no such host, 5: not admin). A cloud that
# does not answer for a while is waited through.
set -euo pipefail

hostctl=${HOSTCTL:-hostctl}
[[ $# -ge 2 ]] || {
    sed -n '4p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
}
host=$1 want=${2^^} timeout=${3:-300} interval=${4:-5}

# Nova's order: forced down is DOWN, else disabled is MAINTENANCE, else a
# service not reporting is UNKNOWN, else UP.
case $want in
    DOWN) when=(--for "forced down=true") ;;
    MAINTENANCE) when=(--for "forced down=false" --for status=disabled) ;;
    UNKNOWN) when=(--for "forced down=false" --for status=enabled --for state=down) ;;
    UP) when=(--for "forced down=false" --for status=enabled --for state=up) ;;
    *) echo "poll-host-status.sh: no Host Status $want (UP, UNKNOWN, DOWN, MAINTENANCE)" >&2; exit 2 ;;
esac

"$hostctl" wait service "$host" nova-compute "${when[@]}" \
    --timeout "$timeout" --interval "$interval"
"$hostctl" server-list --all-projects --host "$host" -c Name -c "Host Status"
