#!/usr/bin/env bash
# CI smoke check: does every server answer ping, and every database guest
# agent answer RPC?
#
#   ci-smoke.sh [<extra server-fping options>...]    e.g. --exclude 'test-*'
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

# check <what> <hostctl command and options...>
check() {
    local what=$1 rows rc
    shift
    echo "== $what: hostctl $*"
    rows=$("$hostctl" "$@" -f json -c Name -c Alive -c Error)
    rc=$?
    # One line per server or guest. Alive is true, false, or null when
    # hostctl could not check at all (Error then says why).
    python3 -c '
import json, sys
for row in json.loads(sys.stdin.read().strip() or "[]"):
    state = {True: "alive", False: "NOT ALIVE"}.get(row["Alive"], "NOT CHECKED")
    error = row.get("Error")
    print("%-12s %s%s" % (state, row["Name"], ": " + error if error else ""))
' <<<"$rows"
    echo "== $what: exit $rc"
    if [[ $status -eq 0 && $rc -ne 0 ]]; then
        status=$rc
    fi
}

if "$hostctl" help server-fping >/dev/null 2>&1; then
    check servers server-fping --all-projects "$@"
else
    echo "== servers: this hostctl has no server-fping; not checked" >&2
fi
check guests instance-rpc-ping --all

exit "$status"
