#!/bin/sh
# Captures iperf3 traffic live with netdump and tcpdump 4.99.3 at the same
# time, on the same end of a veth pair, and prints what each one captured
# and what the kernel dropped for it, side by side.
#
#   sudo bench/capture-vs-tcpdump.sh [SECONDS] [RUNS]
#
# Two namespaces are joined by a veth pair with offloads off (so a TCP
# segment is a packet of at most the MTU, as on a wire) and IPv6 on, so
# that what the kernel sends by itself on an IPv6 link (neighbour
# discovery, MLD reports) is captured with the traffic, which goes over
# IPv6 in every other run (RUNS of 2 or more: both families). In each run both
# tools capture veth-a in one namespace while iperf3 sends from the other
# for SECONDS (default 10), in four rounds:
#
#   udp64  -w   UDP, 64-byte datagrams as fast as iperf3 sends them,
#               both writing to a file (-w, on /dev/shm)
#   udp64  -n   the same, both printing (-n, to /dev/null)
#   tcp    -w   one TCP stream at full speed, writing to a file
#   tcp    -n   the same, printing
#
# Both tools get the same ring (libpcap's default of 2 MiB; -B KiB sets
# another, for both) and the same traffic at the same time, so their drops
# are comparable; the machine's cores are shared by iperf3's two ends and
# the two tools. For each round the table gives the packets captured, per
# second of traffic, the packets the kernel's filter received and those it
# dropped for want of room in the ring, netdump's then tcpdump's, then the
# totals over RUNS runs (default 3). Target: netdump drops no more than
# tcpdump. Needs root, iproute2, ethtool, iperf3 and tcpdump.
set -eu
cd "$(dirname "$0")/.."
SECONDS_=${1:-10}
RUNS=${2:-3}
BUFFER=${BUFFER:-}
OUT=bench/out
FILES=${FILES:-/dev/shm}
mkdir -p "$OUT"
for tool in tcpdump iperf3 ip ethtool; do
	command -v $tool >/dev/null || { echo "bench: $tool is not installed" >&2; exit 1; }
done
go build -o "$OUT/netdump" ./cmd/netdump

A=medina-capbench-a-$$
B=medina-capbench-b-$$
cleanup() {
	[ -n "${nd:-}" ] && kill "$nd" 2>/dev/null || true
	[ -n "${td:-}" ] && kill "$td" 2>/dev/null || true
	ip netns del "$A" 2>/dev/null || true
	ip netns del "$B" 2>/dev/null || true
	rm -f "$FILES"/capbench-$$-*.pcap
}
trap cleanup EXIT INT TERM
ip netns add "$A"
ip netns add "$B"
ip link add veth-a netns "$A" type veth peer name veth-b netns "$B"
ip -n "$A" addr add 10.78.0.1/24 dev veth-a
ip -n "$B" addr add 10.78.0.2/24 dev veth-b
# Documentation addresses (RFC 3849), without DAD so that they are usable
# at once.
ip -n "$A" addr add 2001:db8:78::1/64 dev veth-a nodad
ip -n "$B" addr add 2001:db8:78::2/64 dev veth-b nodad
for ns in "$A" "$B"; do
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=0
	ip -n "$ns" link set lo up
done
ip -n "$A" link set veth-a up
ip -n "$B" link set veth-b up
ip netns exec "$A" ethtool -K veth-a tso off gso off gro off tx off >/dev/null 2>&1 || true
ip netns exec "$B" ethtool -K veth-b tso off gso off gro off tx off >/dev/null 2>&1 || true

# count FILE WORDS: the number before WORDS in a tool's counts.
count() { sed -n "s/^\([0-9]*\) packets\{0,1\} $2\$/\1/p" "$1" | tail -1; }

# wait_listening FILE: until the tool says it is listening.
wait_listening() {
	i=0
	until grep -q "listening on" "$1" 2>/dev/null; do
		i=$((i + 1))
		[ $i -gt 100 ] && { echo "bench: not listening: $(cat "$1")" >&2; exit 1; }
		sleep 0.1
	done
}

# round NAME OUTPUT IPERF-ARGS...: one round, both tools at once.
round() {
	name=$1
	output=$2
	shift 2
	extra=""
	[ -n "$BUFFER" ] && extra="-B $BUFFER"
	for tool in netdump tcpdump; do
		bin=$OUT/netdump
		[ $tool = tcpdump ] && bin=tcpdump
		if [ "$output" = "-w" ]; then
			# shellcheck disable=SC2086
			ip netns exec "$A" "$bin" -i veth-a -n $extra -w "$FILES/capbench-$$-$tool.pcap" 2>"$OUT/$tool.err" &
		else
			# shellcheck disable=SC2086
			ip netns exec "$A" "$bin" -i veth-a -n $extra >/dev/null 2>"$OUT/$tool.err" &
		fi
		[ $tool = netdump ] && nd=$! || td=$!
		wait_listening "$OUT/$tool.err"
	done
	ip netns exec "$A" iperf3 -s -D -1 >/dev/null
	i=0
	until ip netns exec "$A" ss -ltnH 'sport = :5201' | grep -q .; do
		i=$((i + 1))
		[ $i -gt 100 ] && { echo "bench: iperf3 is not listening" >&2; exit 1; }
		sleep 0.1
	done
	ip netns exec "$B" iperf3 -c "$SERVER" -t "$SECONDS_" "$@" >/dev/null 2>&1 || echo "bench: iperf3 $* failed" >&2
	sleep 1.5 # the ring's last blocks time out
	kill -INT "$nd" "$td"
	wait "$nd" "$td" || true
	nd= td=
	for tool in netdump tcpdump; do
		c=$(count "$OUT/$tool.err" captured)
		r=$(count "$OUT/$tool.err" "received by filter")
		d=$(count "$OUT/$tool.err" "dropped by kernel")
		printf '%-8s %-3s %-8s %10d %10d %10d %10d\n' "$name" "$output" "$tool" "$c" $((c / SECONDS_)) "$r" "$d"
		echo "$name $output $tool $c $r $d" >>"$OUT/capbench.totals"
	done
	rm -f "$FILES"/capbench-$$-*.pcap
}

: >"$OUT/capbench.totals"
echo "iperf3 for $SECONDS_ s a round, $RUNS runs; ring ${BUFFER:-2048} KiB for both"
printf '%-8s %-3s %-8s %10s %10s %10s %10s\n' traffic out tool captured "pkts/s" received dropped
for run in $(seq "$RUNS"); do
	# Odd runs over IPv4, even ones over IPv6.
	SERVER=10.78.0.1
	[ $((run % 2)) -eq 0 ] && SERVER=2001:db8:78::1
	round udp64 -w -u -b 0 -l 64
	round udp64 -n -u -b 0 -l 64
	round tcp -w
	round tcp -n
done
echo
echo "totals over $RUNS runs"
printf '%-8s %-3s %-8s %10s %10s %10s %10s\n' traffic out tool captured "pkts/s" received dropped
awk -v secs="$SECONDS_" -v runs="$RUNS" '
	{ k = $1 " " $2 " " $3; c[k] += $4; r[k] += $5; d[k] += $6; if (!(k in seen)) { seen[k] = 1; order[n++] = k } }
	END { for (i = 0; i < n; i++) { k = order[i]; split(k, f, " ");
		printf "%-8s %-3s %-8s %10d %10d %10d %10d\n", f[1], f[2], f[3], c[k], c[k] / (secs * runs), r[k], d[k] } }
' "$OUT/capbench.totals"
