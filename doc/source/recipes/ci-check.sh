#!/usr/bin/env bash
# CI step: is the cloud healthy? One hostctl check, its result kept.
#
#   ci-check.sh [<check options>...]    e.g. --fping --rpc-ping, --host compute2
#
# Needs admin credentials in the environment (OS_CLOUD, or OS_AUTH_URL and
# the rest). Writes the whole result to ${CHECK_RESULT:-hostctl-check.json}
# (keep it as the job's artifact), prints the verdict and each problem,
# and exits with hostctl's code: 0 healthy (warnings are printed, not
# failed), 3 something is CRITICAL, 8 a part could not be checked, 5 the
# credentials are not admin, 7 the cloud is unreachable.
set -uo pipefail

hostctl=${HOSTCTL:-hostctl}
result=${CHECK_RESULT:-hostctl-check.json}

"$hostctl" check --format json "$@" > "$result"
status=$?
if [[ -s $result ]]; then
    python3 - "$result" <<'PY'
import json, sys
with open(sys.argv[1]) as f:
    check = json.load(f)
print(f"{check['status']}: {check['summary']}")
for p in check['problems']:
    if p['state'] != 'OK':
        print(f"  {p['state']:<8} {p['subject']} - {p['what']}")
PY
fi
exit "$status"
