#!/usr/bin/env bash
# The README's demo: a host-failure runbook walked with hostctl against the
# local cloud, each command printed before its real output.
# Run through './run demo', which installs hostctl and starts the cloud.
# Options: --stop   stop the cloud at the end (default: leave it running)
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
devcloud=(python3 "$top/tests/functional/cloud/devcloud.py")
eval "$("${devcloud[@]}" env)"
export OS_CLOUD=${OS_CLOUD:-devcloud-admin}

bold=$'\033[1m' dim=$'\033[2m' off=$'\033[0m'
[[ -t 1 ]] || { bold='' dim='' off=''; }

say() { printf '\n%s# %s%s\n' "$dim" "$*" "$off"; }
step() {
    local shown='' arg
    for arg in "$@"; do
        [[ $arg == *' '* ]] && arg="\"$arg\""
        shown+=" $arg"
    done
    printf '%s$ hostctl%s%s\n' "$bold" "$shown" "$off"
    hostctl "$@"
    local rc=$?
    [[ $rc -eq 0 ]] || printf '%s(exit %d)%s\n' "$dim" "$rc" "$off"
}

say "1. Everything is healthy: hypervisors up and enabled, servers' hosts UP."
step hypervisor-list
step service-list --binary nova-compute
step server-list --all-projects --long

say "2. compute2 has failed and been fenced: tell Nova at once (force down, then disable)."
step host-down compute2 --reason "PSU failure, ticket 4711" -c Verdict -c Reason -c Servers
say "   Asked again, nothing changes, and hostctl says so."
step host-down compute2 -c Verdict

say "3. compute2 is repaired: clear the flag, wait until it reports, then enable it."
step host-up compute2 -c Verdict -c Reason -c Servers -c Actions

say "4. compute3 goes into maintenance: disable it with a reason."
step service-disable --reason "disk replacement, ticket 4711" compute3 nova-compute
step server-list --all-projects --host compute3 -c Name -c "Host Status"
step hypervisor-show compute3 -c "Hypervisor Hostname" -c State -c Status -c "Service Disabled Reason"
step service-enable compute3 nova-compute

say "5. compute1 stops reporting (its heartbeat stops): Host Status UNKNOWN."
"${devcloud[@]}" heartbeat stop compute1 >/dev/null
step wait host compute1 --for verdict=unknown --timeout 60
step host-show compute1
step hypervisor-list --matching compute1
say "   A host is named exactly: 'compute' is no host (exit 4), compute1 is never compute10,"
say "   and a short name finds its FQDN when only one host fits."
step host-show compute
step server-list --all-projects --host compute1 -c Name -c "Host Status"
step hypervisor-show compute10 -c "Hypervisor Hostname" -c "Service Host"
"${devcloud[@]}" heartbeat start compute1 >/dev/null
step wait service compute1 nova-compute --for state=up --timeout 60

say "6. Are the servers alive? os-fping is gone, so hostctl probes them (exit 3: some are not)."
step server-fping --all-projects --long
say "   Only the servers marked monitored:"
step server-monitor web-1 -c Name -c Monitored
step server-fping --all-projects --monitored
step server-monitor --unset web-1 -c Name -c Monitored

say "7. Are the database guests reachable over RPC? (exit 3: some are not)"
step instance-rpc-ping --all

say "8. A non-admin user sees no host status (policy), and is told why."
step --os-cloud devcloud-member server-list -c Name -c "Host Status"

say "9. A cloud too old for a command says so (exit 6)."
step --os-compute-api-version 2.10 service-force-down compute1 nova-compute

say "10. compute1 fails for good: detect it, fence it, evacuate its servers."
"${devcloud[@]}" heartbeat stop compute1 >/dev/null
step host-show compute1 -c Host -c Verdict -c Reason
step host-down compute1 -c Host -c Verdict -c Reason
step host-evacuate compute1 --dry-run
step host-evacuate compute1 --wait --timeout 300 -c Name -c From -c To -c Result -c Seconds
step migration-list --host compute1 --type evacuation -c "Server ID" -c Status -c "Source Host" -c "Dest Host"
say "   Repaired: its nova-compute restarts (and cleans up), then host-up."
"${devcloud[@]}" compute restart compute1 >/dev/null
"${devcloud[@]}" heartbeat start compute1 >/dev/null
step host-up compute1 -c Host -c Verdict -c Reason

if [[ -n ${HOSTCTL_NETNS:-} ]]; then
    # The cloud lives in the demo's own network namespace, which ends with
    # the demo: nothing outside could reach it.
    "${devcloud[@]}" stop >/dev/null
    printf '\n%sThe demo ran in a network namespace of its own, and its cloud is stopped.%s\n' "$bold" "$off"
    printf 'To try hostctl by hand (outside it every 127.x address answers, cache-1 too):\n'
    printf '  ./run cloud start && eval "$(./run cloud env)"\n'
    printf '  .venv/bin/hostctl server-fping --all-projects --long\n'
    printf 'Stop it with: ./run cloud stop\n'
elif [[ " $* " == *" --stop "* ]]; then
    "${devcloud[@]}" stop
else
    printf '\n%sThe cloud is still running. Try it:%s\n' "$bold" "$off"
    printf '  eval "$(python3 tests/functional/cloud/devcloud.py env)"\n'
    printf '  .venv/bin/hostctl --os-cloud devcloud-admin server-list --all-projects\n'
    printf 'Stop it with: ./run cloud stop\n'
fi
