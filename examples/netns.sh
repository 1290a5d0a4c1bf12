#!/usr/bin/env bash
# netns.sh gives the README's demos the rest of a network: a network
# namespace holding the kernel's side of a demo's TAP or TUN.
#
#   examples/netns.sh up NS DEV PREFIX   wait (up to 10 s) for DEV, which
#                                        the demo's program creates, then
#                                        make namespace NS, move DEV into
#                                        it, give it PREFIX and bring it up
#   examples/netns.sh down NS            delete namespace NS, and with it
#                                        whatever is left in it
#
# "up" first removes a namespace NS left over from an earlier run, so a
# demo works when pasted twice in a row. It needs root and ip(8).
set -euo pipefail

usage() {
	echo "usage: $0 up NS DEV PREFIX | down NS" >&2
	exit 2
}

case ${1:-} in
up)
	[[ $# == 4 ]] || usage
	ns=$2 dev=$3 prefix=$4
	# The program creates DEV when it starts; wait for it rather than
	# race it.
	for _ in $(seq 100); do
		ip link show "$dev" >/dev/null 2>&1 && break
		sleep 0.1
	done
	if ! ip link show "$dev" >/dev/null 2>&1; then
		echo "$0: no interface $dev after 10 s: did the program start?" >&2
		exit 1
	fi
	ip netns delete "$ns" 2>/dev/null || true
	ip netns add "$ns"
	ip link set "$dev" netns "$ns"
	ip -n "$ns" addr add "$prefix" dev "$dev"
	ip -n "$ns" link set "$dev" up
	ip -n "$ns" link set lo up
	;;
down)
	[[ $# == 2 ]] || usage
	ip netns delete "$2" 2>/dev/null || true
	;;
*)
	usage
	;;
esac
