#!/bin/sh
# Compares netdump with tcpdump 4.99.3 on a large capture of real traffic.
#
#   sudo bench/netdump-vs-tcpdump.sh [PACKETS] [RUNS]
#
# It records about PACKETS packets (default 300000) between two network
# namespaces joined by a veth pair with offloads off and IPv6 on (iperf3
# TCP over IPv4 and IPv6, UDP over IPv6, ping over both, and what Linux
# sends by itself on an IPv6 link: neighbour discovery, MLD reports, router
# solicitations), checks that `netdump -n -r` and `tcpdump -n -r` print the same
# bytes, then times both RUNS times (default 5) with output to /dev/null
# and prints the medians and their ratio, with TZ unset (if it is) and with
# TZ set, and the most memory each had resident. Target: netdump at most a
# third of tcpdump's wall time, and resident memory that does not grow with
# the file. Needs root, iproute2, ethtool, iperf3, tcpdump (and GNU time
# for the memory).
# The capture is kept in bench/out/ so later runs reuse it (delete it to
# record afresh).
set -eu
cd "$(dirname "$0")/.."
PACKETS=${1:-300000}
RUNS=${2:-5}
OUT=bench/out
CAP=$OUT/bulk-$PACKETS.pcap
mkdir -p "$OUT"
for tool in tcpdump iperf3 ip ethtool; do
	command -v $tool >/dev/null || { echo "bench: $tool is not installed" >&2; exit 1; }
done

go build -o "$OUT/netdump" ./cmd/netdump

A=medina-bench-a
B=medina-bench-b
cleanup() {
	ip netns del "$A" 2>/dev/null || true
	ip netns del "$B" 2>/dev/null || true
}

record() {
	trap cleanup EXIT INT TERM
	cleanup
	ip netns add "$A"
	ip netns add "$B"
	ip link add veth-a netns "$A" type veth peer name veth-b netns "$B"
	ip -n "$A" addr add 10.77.0.1/24 dev veth-a
	ip -n "$B" addr add 10.77.0.2/24 dev veth-b
	# Documentation addresses (RFC 3849), without DAD so that they are
	# usable at once.
	ip -n "$A" addr add 2001:db8:77::1/64 dev veth-a nodad
	ip -n "$B" addr add 2001:db8:77::2/64 dev veth-b nodad
	for ns in "$A" "$B"; do
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=0
		ip -n "$ns" link set lo up
	done
	ip -n "$A" link set veth-a up
	ip -n "$B" link set veth-b up
	ip netns exec "$A" ethtool -K veth-a tso off gso off gro off tx off >/dev/null 2>&1 || true
	ip netns exec "$B" ethtool -K veth-b tso off gso off gro off tx off >/dev/null 2>&1 || true
	ip netns exec "$B" iperf3 -s -D -1 >/dev/null
	ip netns exec "$A" tcpdump -i veth-a -s 0 -U -c "$PACKETS" -w "$CAP" 2>/dev/null &
	dump=$!
	sleep 1
	ip netns exec "$A" ping -c 20 -i 0.01 10.77.0.2 >/dev/null
	ip netns exec "$A" ping -6 -c 20 -i 0.01 2001:db8:77::2 >/dev/null
	# TCP transfers over both families, limited so that tcpdump keeps up
	# (IPv6 first, so that a small PACKETS has it too), then UDP over
	# IPv6.
	ip netns exec "$A" iperf3 -c 2001:db8:77::2 -t 3 -b 200M >/dev/null || true
	ip netns exec "$B" iperf3 -s -D -1 >/dev/null
	sleep 0.3
	ip netns exec "$A" iperf3 -c 10.77.0.2 -t 5 -b 400M >/dev/null || true
	ip netns exec "$B" iperf3 -s -D -1 >/dev/null
	sleep 0.3
	ip netns exec "$A" iperf3 -c 2001:db8:77::2 -u -t 4 -b 150M -l 1000 >/dev/null || true
	ip netns exec "$A" ping -c 500 -i 0.002 -s 200 10.77.0.2 >/dev/null 2>&1 || true
	ip netns exec "$A" ping -6 -c 500 -i 0.002 -s 200 2001:db8:77::2 >/dev/null 2>&1 || true
	# Stop the capture if it did not reach PACKETS.
	kill "$dump" 2>/dev/null || true
	wait "$dump" 2>/dev/null || true
	cleanup
	trap - EXIT INT TERM
}

[ -s "$CAP" ] || record
n=$(tcpdump -n -r "$CAP" 2>/dev/null | wc -l)
echo "capture: $CAP, $n packets, $(du -h "$CAP" | cut -f1)"

# Both run in the same environment, so they print times in the same zone.
tcpdump -n -r "$CAP" >"$OUT/tcpdump.txt" 2>/dev/null
"$OUT/netdump" -n -r "$CAP" >"$OUT/netdump.txt" 2>/dev/null
if cmp -s "$OUT/tcpdump.txt" "$OUT/netdump.txt"; then
	echo "output: identical ($(wc -c <"$OUT/netdump.txt") bytes)"
else
	echo "output: DIFFERENT; first differences:"
	diff "$OUT/tcpdump.txt" "$OUT/netdump.txt" | head -10
	exit 1
fi

# median of RUNS wall times, in seconds, of a command whose output is discarded
median() {
	i=0
	: >"$OUT/times"
	while [ $i -lt "$RUNS" ]; do
		s=$(date +%s.%N)
		"$@" >/dev/null 2>&1
		e=$(date +%s.%N)
		echo "$e - $s" | bc -l >>"$OUT/times"
		i=$((i + 1))
	done
	sort -n "$OUT/times" | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.4f\n", m}'
}

# compare LABEL: time both tools in the current environment.
compare() {
	t_tcpdump=$(median tcpdump -n -r "$CAP")
	t_netdump=$(median "$OUT/netdump" -n -r "$CAP")
	awk -v l="$1" -v t="$t_tcpdump" -v d="$t_netdump" -v n="$n" 'BEGIN {
		printf "%s\n", l
		printf "  tcpdump -n -r: %.3f s (%.2f us/packet)\n", t, t * 1e6 / n
		printf "  netdump -n -r: %.3f s (%.2f us/packet)\n", d, d * 1e6 / n
		printf "  ratio netdump/tcpdump: %.3f (target <= 0.333); netdump is %.1fx faster\n", d / t, t / d
	}'
}

# Resident memory: the most each tool had resident reading the whole
# capture (GNU time's %M), which must stay flat whatever the file's size.
if [ -x /usr/bin/time ]; then
	rss() { /usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -1; }
	r_tcpdump=$(rss tcpdump -n -r "$CAP")
	r_netdump=$(rss "$OUT/netdump" -n -r "$CAP")
	echo "max resident memory reading $(du -h "$CAP" | cut -f1): tcpdump $((r_tcpdump / 1024)) MiB, netdump $((r_netdump / 1024)) MiB"
else
	echo "max resident memory: not measured (no GNU time in /usr/bin/time)"
fi

# With TZ unset, glibc's localtime() in tcpdump checks /etc/localtime for
# every packet (a stat call each); with TZ set it does not. Both are how
# people run it, so both are measured; the target is met only if it is met
# with TZ set, the faster case for tcpdump.
if [ -z "${TZ:-}" ]; then
	compare "TZ unset (the default environment):"
fi
TZ=${TZ:-UTC}
export TZ
compare "TZ=$TZ:"
