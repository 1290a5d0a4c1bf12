#!/bin/sh
# Records testdata/pcaps/ipv6.pcap from real Linux traffic over IPv6
# between two network namespaces joined by a veth pair (offloads off, so
# that what is captured is what went on the wire), with addresses from
# 2001:db8::/32: UDP with hop-by-hop and destination options, a datagram
# fragmented in three, a DNS query and its echo, a TCP connection, and the
# datagrams testdata/ipv6-traffic.py crafts (routing headers, AH, ESP,
# mobility, DCCP), with the ICMPv6 around them: neighbour discovery, MLD
# reports (behind a hop-by-hop router alert), the errors the peer sends
# about what it does not take. DAD and router solicitations are off, so
# that the capture does not wait on their timers. Needs
# root, iproute2, ethtool, tcpdump, socat and python3; everything it
# creates is removed on exit.
#
#   sudo testdata/record-ipv6.sh [OUTDIR]
#
# The golden outputs beside the capture are netdump's, regenerated with
# `go test ./cmd/netdump -run TestGolden -update`.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=$(cd "${1:-$HERE/pcaps}" && pwd)
A=medina-rec6-a
B=medina-rec6-b
pids=
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null || true; done
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
for ns in "$A" "$B"; do
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0 \
		net.ipv6.conf.all.router_solicitations=0 net.ipv6.conf.default.router_solicitations=0
	ip -n "$ns" link set lo up
done
ip -n "$A" addr add 2001:db8::a/64 dev veth-a nodad
ip -n "$B" addr add 2001:db8::b/64 dev veth-b nodad
ip -n "$A" link set veth-a up
ip -n "$B" link set veth-b up
ip netns exec "$A" ethtool -K veth-a tso off gso off gro off tx off rx off >/dev/null 2>&1 || true
ip netns exec "$B" ethtool -K veth-b tso off gso off gro off tx off rx off >/dev/null 2>&1 || true
sleep 2

ip netns exec "$B" socat -T 3 UDP6-RECVFROM:53,fork SYSTEM:cat &
pids="$pids $!"
ip netns exec "$B" socat -T 3 UDP6-RECVFROM:7777,fork SYSTEM:'cat >/dev/null' &
pids="$pids $!"
ip netns exec "$B" socat -T 5 TCP6-LISTEN:8080,reuseaddr SYSTEM:'head -c 2000 /dev/zero | tr "\\0" x; cat >/dev/null' &
pids="$pids $!"
sleep 0.5
ip netns exec "$A" tcpdump -i veth-a -U -s 0 -w "$OUT/ipv6.pcap" >/dev/null 2>&1 &
cap=$!
sleep 1
ip netns exec "$A" python3 "$HERE/ipv6-traffic.py" 2001:db8::a 2001:db8::b
ip netns exec "$A" python3 -c '
import socket, time
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.sendto(b"f" * 3000, ("2001:db8::b", 7777))
time.sleep(0.2)
q = bytes.fromhex("abcd01000001000000000000") + b"\x07example\x03org\x00\x00\x1c\x00\x01"
s.sendto(q, ("2001:db8::b", 53))
time.sleep(0.3)
'
ip netns exec "$A" sh -c 'printf "GET / HTTP/1.0\r\nHost: medina\r\n\r\n" | socat -T 2 - TCP6:[2001:db8::b]:8080,shut-down'
sleep 1
kill "$cap"
wait "$cap" 2>/dev/null || true
ls -l "$OUT/ipv6.pcap"
