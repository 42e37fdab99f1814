#!/usr/bin/env bash
# Tell someone, at once, when a server's host goes DOWN, UNKNOWN or into
# MAINTENANCE, and when it is UP again.
#
#   host-status-changes.sh [<hostctl watch options>...]   e.g. --host compute2,
#                                                        --webhook URL, --timeout 3600
#
# One line per change of a server's Host Status, as it happens:
#   2026-12-01T05:06:33.331Z web-2 (on compute2): UP -> DOWN
# and a line when the cloud stops answering and when it is back. The
# watch polls every second (services and a filtered server list: a few
# requests, however many servers); it ends on Ctrl-C, or at --timeout.
set -uo pipefail

hostctl=${HOSTCTL:-hostctl}

# Each event is one JSON object per line (see 'hostctl help watch').
"$hostctl" watch --servers --no-initial --interval 1 "$@" | python3 -u -c '
import json, sys
for line in sys.stdin:
    e = json.loads(line)
    if e["kind"] == "cloud":
        print(e["time"], "the compute API is", e["event"], e.get("error", ""))
    elif "Host Status" in e["changes"]:
        c = e["changes"]["Host Status"]
        print("%s %s (on %s): %s -> %s" % (
            e["time"], e["name"], e["host"], c["old"] or "-", c["new"] or "-"))
'
