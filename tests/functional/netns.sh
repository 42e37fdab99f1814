#!/usr/bin/env bash
# Sets up the private network namespace that the functional tests and the
# demo run in, then runs the command given. Call it under `unshare --net`.
#
# The namespace has its own loopback, so the local cloud's ports clash with
# nothing else on the machine. Every 127.0.0.0/8 address answers on a
# loopback, which makes a server that is down impossible to show; so the
# cloud's "dead" range is routed into a veth whose far end has no address
# and drops what it gets. A probe of a dead server then goes unanswered
# until its timeout, as on a real network, and nothing leaves the machine.
set -euo pipefail

dead_net=127.0.66.0/24

ip link set lo up
ip link add hostctl-dead type veth peer name hostctl-sink
# No ARP: nothing resolves, so a probe is met with silence, never with a
# quick "no route to host" once a neighbour entry has failed.
ip link set hostctl-dead arp off up
ip link set hostctl-sink up
ip route add "$dead_net" dev hostctl-dead table 66
# The local table (rule 0) claims all of 127/8 before any other rule, so it
# moves behind the rule for the dead range.
ip rule add to "$dead_net" lookup 66 pref 10
ip rule del pref 0
ip rule add lookup local pref 100

export HOSTCTL_NETNS=1 HOSTCTL_DEAD_NET=$dead_net
exec "$@"
