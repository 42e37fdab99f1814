#!/usr/bin/env bash
# CI smoke check: does every server answer ping, and every database guest
# agent answer RPC?
#
#   ci-smoke.sh [<server-fping options>...]    e.g. --monitored, --exclude <id,...>
#
# Needs admin credentials in the environment (OS_CLOUD, or OS_AUTH_URL and
# the rest). Prints, for the job's log, one line per server and per guest:
# alive, NOT ALIVE or NOT CHECKED, and why. Exit 0 when everything is alive;
# otherwise the exit code of the first check that failed, as hostctl gave
# it: 3 when something was checked and found not alive, 5 when the
# credentials are not admin, 7 when the cloud is unreachable, 8 when only
# some could be checked.
set -uo pipefail

hostctl=${HOSTCTL:-hostctl}
status=0

# check <what> <column saying why> <hostctl command and options...>
check() {
    local what=$1 why=$2 rows rc
    shift 2
    echo "== $what: hostctl $*"
    rows=$("$hostctl" "$@" -f json -c Name -c Alive -c "$why")
    rc=$?
    # One line per server or guest. Alive is true, false, or null when
    # hostctl could not check at all; the other column says why.
    python3 -c '
import json, sys
why = sys.argv[1]
for row in json.loads(sys.stdin.read().strip() or "[]"):
    state = {True: "alive", False: "NOT ALIVE"}.get(row["Alive"], "NOT CHECKED")
    reason = row.get(why) if row["Alive"] is not True else None
    print("%-12s %s%s" % (state, row["Name"], ": " + reason if reason else ""))
' "$why" <<<"$rows"
    echo "== $what: exit $rc"
    if [[ $status -eq 0 && $rc -ne 0 ]]; then
        status=$rc
    fi
}

# Servers: ICMP echo from here where the cloud no longer pings for us
# (--long for the Answer column: "no answer", "no address to probe", ...).
check servers Answer server-fping --all-projects --long "$@"
# Database guests: Trove asks each guest agent over RPC (admin only).
check guests Error instance-rpc-ping --all

exit "$status"
