#!/bin/sh
# Records the small captures in testdata/pcaps from real Linux traffic
# between two network namespaces joined by a veth pair, with offloads off so
# that what is captured is what went on the wire. Needs root, iproute2,
# ethtool, tcpdump, ping and socat. Everything it creates is removed on exit.
#
#   sudo testdata/record-captures.sh [OUTDIR]
#
# The captures are committed; the golden outputs beside them are netdump's
# and are regenerated with `go test ./cmd/netdump -update`.
set -eu
OUT=$(cd "${1:-$(dirname "$0")/pcaps}" && pwd)
A=medina-rec-a
B=medina-rec-b
cleanup() {
	ip netns del "$A" 2>/dev/null || true
	ip netns del "$B" 2>/dev/null || true
}
trap cleanup EXIT INT TERM
cleanup

ip netns add "$A"
ip netns add "$B"
ip link add veth-a netns "$A" type veth peer name veth-b netns "$B"
ip -n "$A" link set veth-a address 02:00:00:00:00:0a
ip -n "$B" link set veth-b address 02:00:00:00:00:0b
ip -n "$A" addr add 10.9.0.1/24 dev veth-a
ip -n "$B" addr add 10.9.0.2/24 dev veth-b
for ns in "$A" "$B"; do
	ip -n "$ns" link set lo up
	# IPv4 only: no neighbour discovery or MLD chatter in the captures.
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
done
ip -n "$A" link set veth-a up
ip -n "$B" link set veth-b up
for dev in "$A veth-a" "$B veth-b"; do
	set -- $dev
	ip netns exec "$1" ethtool -K "$2" tso off gso off gro off tx off rx off >/dev/null 2>&1 || true
done
sleep 1

# capture NAME COMMAND...: record what veth-a sees while COMMAND runs in A.
capture() {
	name=$1
	shift
	ip netns exec "$A" tcpdump -i veth-a -U -s 0 -w "$OUT/$name.pcap" >/dev/null 2>&1 &
	pid=$!
	sleep 1
	ip netns exec "$A" "$@" >/dev/null 2>&1 || true
	sleep 1
	kill "$pid"
	wait "$pid" 2>/dev/null || true
}

flush_neigh() {
	ip -n "$A" neigh flush all
	ip -n "$B" neigh flush all
}

# ARP resolution and ping, including a datagram fragmented into three.
flush_neigh
capture arp-ping sh -c 'ping -c 3 -i 0.2 10.9.0.2; ping -c 1 -s 3000 10.9.0.2'

# A TCP connection: handshake, a request and a reply, and the close.
ip netns exec "$B" socat -T 5 TCP-LISTEN:8080,reuseaddr,fork SYSTEM:'head -c 2000 /dev/zero | tr "\\0" x; cat >/dev/null' &
srv=$!
sleep 0.5
capture tcp-session sh -c 'printf "GET / HTTP/1.0\r\nHost: medina\r\n\r\n" | socat -T 2 - TCP:10.9.0.2:8080,shut-down'
kill "$srv" 2>/dev/null || true

# UDP both ways and a closed port (ICMP port unreachable).
ip netns exec "$B" socat -T 3 UDP-RECVFROM:7777,fork SYSTEM:'cat' &
srv=$!
sleep 0.5
capture udp sh -c 'echo hello | socat -T 1 - UDP:10.9.0.2:7777; echo closed | socat - UDP:10.9.0.2:9'
kill "$srv" 2>/dev/null || true

ls -l "$OUT"
