#!/usr/bin/env bash
# tap.sh measures, in one run, the Linux kernel against a userspace stack
# in this process over a real TAP of MTU 1500 (issue 12, item 5):
#
#   tcp   one TCP connection, each way: Gbit/s and CPU seconds per GB
#   udp   UDP datagrams per second, each way (64-byte payloads by
#         default), counted by the receiver, with the loss
#   http  wrk -t2 -c50 from the kernel's namespace against net/http on
#         the stack (13-byte responses): requests per second
#
# The rows:
#
#   medina-offload  medina's stack on link/tap with tap.Config{Offload: true}
#                   (virtio-net headers, TSO on send, receive offload)
#   medina          the same on the plain TAP (Offload: false)
#   gvisor          gVisor's netstack on a TAP through its fdbased endpoint,
#                   set up as tailscale sets up its netstack (GSOMaxSize
#                   65535, GRO on, tailscale's TCP options; see README)
#   medina-tun-offload, medina-tun
#                   medina's stack on link/tun, with tun.Config{Offload:
#                   true} and without; tcp only
#   gvisor-tun      gVisor on a TUN (fdbased, no Ethernet header; GRO
#                   off, as it stalls there); tcp only
#   linux           Linux to Linux over a veth: iperf3 for tcp, Go's net
#                   package (the same code as the stacks') for udp and
#                   http: the ceiling
#
# The kernel's side of every TAP and TUN is in a network namespace of its
# own; its peer is the same for every stack (the test binary started
# again in the namespace, using Go's net package, so the kernel's TCP and
# UDP). Then it prints the tables with the ratios and issue 12's targets.
#
#   bench/tap.sh                                 # as root; about 4 minutes
#   BENCH_TAP_BYTES=2G COUNT=5 bench/tap.sh      # the issue's 2 GB
#   BENCH_TAP_TESTS=udp BENCH_TAP_UDP_SIZES="64 1472" bench/tap.sh
#
# Environment (all optional):
#   BENCH_TAP_BYTES      bytes each TCP transfer moves, each way (default
#                        1G; 1073741824, 1G, 512M, 64k all work)
#   BENCH_TAP_STACKS     rows to measure (default: all)
#   BENCH_TAP_TESTS      measurements: tcp, udp, http (default: all)
#   BENCH_TAP_UDP_SIZES  UDP payload sizes, 1 to 1472 (default 64)
#   BENCH_TAP_UDP_TIME   each UDP direction's sending time (default 2s)
#   BENCH_TAP_UDP_COUNT  the most datagrams sent each way (default 10M)
#   BENCH_TAP_HTTP_TIME  wrk's run (default 3s)
#   COUNT                rounds; each runs every row, and the tables show
#                        the median (default 3)
#   OUT                  where to keep the raw output (default: a new
#                        temporary file, named at the end)
#
# It needs root, /dev/net/tun and ip(8), and iperf3 for the linux row's
# tcp; without them it says SKIP and why, measures nothing and exits 2.
# Without wrk it says SKIP for http and measures the rest. The exit
# status is 1 if any figure asked for is missing (each is named, MISSING,
# under the tables) or a round failed, else 0. Every namespace, TAP, TUN
# and veth is made by the test and removed when it ends, and every UDP
# flood stays inside them, bounded in time and count.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
all_rows="medina-offload medina gvisor medina-tun-offload medina-tun gvisor-tun linux"
export BENCH_TAP_BYTES=${BENCH_TAP_BYTES:-1G}
export BENCH_TAP_STACKS=${BENCH_TAP_STACKS:-$all_rows}
export BENCH_TAP_TESTS=${BENCH_TAP_TESTS:-tcp udp http}
export BENCH_TAP_UDP_SIZES=${BENCH_TAP_UDP_SIZES:-64}
count=${COUNT:-3}
rows=" $(echo "$BENCH_TAP_STACKS" | tr ',' ' ') "
tests=" $(echo "$BENCH_TAP_TESTS" | tr ',' ' ') "
sizes=$(echo "$BENCH_TAP_UDP_SIZES" | tr ',' ' ')
for r in $rows; do
	case " $all_rows " in
	*" $r "*) ;;
	*)
		echo "BENCH_TAP_STACKS: unknown row $r ($all_rows)" >&2
		exit 2
		;;
	esac
done
for m in $tests; do
	case $m in
	tcp | udp | http) ;;
	*)
		echo "BENCH_TAP_TESTS: unknown measurement $m (tcp, udp, http)" >&2
		exit 2
		;;
	esac
done

skip() {
	echo "SKIP: $*; nothing measured" >&2
	exit 2
}
[[ $(id -u) == 0 ]] || skip "needs root (network namespaces, TAP devices)"
[[ -e /dev/net/tun ]] || skip "no /dev/net/tun"
command -v ip >/dev/null || skip "no ip(8) (iproute2)"
if [[ $rows == *" linux "* && $tests == *" tcp "* ]]; then
	command -v iperf3 >/dev/null || skip "no iperf3 for the linux row's tcp (or leave it out of BENCH_TAP_STACKS)"
fi
http_skipped=""
if [[ $tests == *" http "* ]] && ! command -v wrk >/dev/null; then
	http_skipped="wrk is not installed (Debian: apt-get install wrk)"
	echo "SKIP: http: $http_skipped; measuring the rest" >&2
	tests=${tests/ http / }
	export BENCH_TAP_TESTS=$tests
fi

out=${OUT:-$(mktemp "${TMPDIR:-/tmp}/tap-bench.XXXXXX")}
bin=$(mktemp -d "${TMPDIR:-/tmp}/tap-bench-bin.XXXXXX")
trap 'rm -rf "$bin"' EXIT

cd "$here/gvisor" || exit 1
go test -c -o "$bin/gvisorbench.test" . || {
	echo "FAIL: the benchmark does not build" >&2
	exit 1
}
start=$(date +%s)
{
	echo "# $(go version) on $(nproc) CPUs; BENCH_TAP_BYTES=$BENCH_TAP_BYTES" \
		"BENCH_TAP_STACKS=\"$BENCH_TAP_STACKS\" BENCH_TAP_TESTS=\"$BENCH_TAP_TESTS\"" \
		"BENCH_TAP_UDP_SIZES=\"$BENCH_TAP_UDP_SIZES\" COUNT=$count; load: $(cut -d' ' -f1-3 /proc/loadavg)"
	status=0
	for round in $(seq "$count"); do
		echo "# round $round of $count"
		# One process a round, every row in it, one after the other: a
		# machine whose load changes skews every row of a round alike.
		(cd "$bin" && BENCH_TAP=1 ./gvisorbench.test -test.run '^TestTAPBench$' \
			-test.v -test.timeout 30m 2>&1) || status=$?
	done
	echo "# exit $status; load: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$out" | grep -E '^(tapbench(-udp|-http)?:|[[:space:]]*--- (FAIL|SKIP)|    .*_test.go:[0-9]+: [^t]|peer: |FAIL|ok|PASS|#)'
status=$(awk '/^# exit/ { print ($3 != "0;") ? 1 : 0 }' "$out")
elapsed=$(($(date +%s) - start))

echo
echo "Between the Linux kernel (in a network namespace) and a stack in this"
echo "process over a TAP (or TUN) of MTU 1500; median of $count rounds."
echo "linux is Linux to Linux over a veth (MTU 1500, offloads on), the"
echo "ceiling: iperf3 for TCP, Go's net package for UDP and HTTP."
if [[ $tests == *" tcp "* ]]; then
	echo
	echo "TCP: one connection, $BENCH_TAP_BYTES each way. CPU s/GB: user+system"
	echo "seconds of the stack's process per 10^9 bytes (getrusage; the kernel's"
	echo "work in its system calls included, softirq work on other CPUs not);"
	echo "for linux, iperf3's own figure for the client, the end in the stack's"
	echo "place (receiver, then sender)."
fi
if [[ $tests == *" udp "* ]]; then
	echo
	echo "UDP: one side sends datagrams for ${BENCH_TAP_UDP_TIME:-2s} (at most"
	echo "${BENCH_TAP_UDP_COUNT:-10M}); the figure is what the receiver read, per second"
	echo "from its first datagram to its last; loss is the share sent and never"
	echo "read; offered/s is the sender's rate (where nothing is lost, the"
	echo "sender is the limit: stack→Linux, the stack's sending). The kernel's side"
	echo "sends and reads in batches of 64 (sendmmsg, recvmmsg); the stack's side,"
	echo "one datagram per call. CPU: the stack process's user+system"
	echo "microseconds per datagram it received (Linux→stack) or sent."
fi
if [[ $tests == *" http "* ]]; then
	echo
	echo "HTTP: wrk -t2 -c50 for ${BENCH_TAP_HTTP_TIME:-3s} from the kernel's namespace"
	echo "against net/http on the stack, 13-byte responses. Server CPU: this"
	echo "process's user+system microseconds per request."
fi
echo

awk -v count="$count" -v rows="$rows" -v tests="$tests" -v sizes="$sizes" -v http_skipped="$http_skipped" '
function median(key,    n, i, j, v, t) {
	if (!(key in vals)) return ""
	n = split(vals[key], v, " ")
	if (n == 0) return ""
	for (i = 2; i <= n; i++)
		for (j = i; j > 1 && v[j-1] + 0 > v[j] + 0; j--) { t = v[j]; v[j] = v[j-1]; v[j-1] = t }
	return (n % 2) ? v[(n+1)/2] : (v[n/2] + v[n/2+1]) / 2
}
function add(key, v) { vals[key] = vals[key] " " v }
function rounds(key,    k) { return (key in vals) ? split(vals[key], k, " ") : 0 }
# show is the median of key, or why there is none: the row (or its
# subtest part) failed or skipped, or the figure is MISSING.
function show(row, part, key, fmt,    m) {
	m = median(key)
	if (m != "") return sprintf(fmt, m)
	if ((row "/" part) in failed || row in failed) return "FAIL"
	if ((row "/" part) in skipped || row in skipped) return "skipped"
	return "MISSING"
}
function ratio(a, b) {
	if (a == "" || b == "" || b + 0 <= 0) return "-"
	return sprintf("%.2fx", a / b)
}
function need(key, what) {
	if (median(key) != "") return
	if (!missing++) print ""
	printf "MISSING: %s\n", what
}
# tcpOnly rows (TUN) take no part in UDP and HTTP.
function tcpOnly(r) { return r ~ /-tun/ }
function has(list, w) { return index(list, " " w " ") > 0 }
/^[ \t]*--- (FAIL|SKIP): TestTAPBench\// {
	name = $3; sub(/^TestTAPBench\//, "", name)
	if ($2 == "FAIL:") failed[name] = 1; else skipped[name] = 1
}
/^tapbench: / {
	add($2 " " $3 " gbps", $4)
	add($2 " " $3 " cpu", $6)
}
/^tapbench-udp: / {
	add($2 " " $3 " " $4 " udp", $6)
	add($2 " " $3 " " $4 " loss", $8 * 100)
	add($2 " " $3 " " $4 " offered", $10)
	add($2 " " $3 " " $4 " udpcpu", $12)
}
/^tapbench-http: / {
	add($2 " http", $3)
	add($2 " httpcpu", $5)
}
END {
	n = split(rows, row, " ")
	ns = split(sizes, size, " ")
	dirs[1] = "linux-to-stack"; dirs[2] = "stack-to-linux"
	arrow[1] = "Linux→stack"; arrow[2] = "stack→Linux"
	if (has(tests, "tcp")) {
		print "| TCP | Linux→stack Gbit/s | stack→Linux Gbit/s | CPU s/GB, Linux→stack | CPU s/GB, stack→Linux | rounds |"
		print "| --- | ---: | ---: | ---: | ---: | ---: |"
		for (i = 1; i <= n; i++) {
			r = row[i]
			printf "| %s | %s | %s | %s | %s | %d |\n", r,
				show(r, "", r " linux-to-stack gbps", "%.2f"), show(r, "", r " stack-to-linux gbps", "%.2f"),
				show(r, "", r " linux-to-stack cpu", "%.2f"), show(r, "", r " stack-to-linux cpu", "%.2f"),
				rounds(r " linux-to-stack gbps")
		}
		print ""
		print "| TCP ratio | Linux→stack | stack→Linux | target (issue 12) |"
		print "| --- | ---: | ---: | --- |"
		for (i = 1; i <= n; i++) {
			r = row[i]
			if (r !~ /^medina/) continue
			# A TUN row is held against gVisor on a TUN, a TAP row against
			# gVisor on a TAP.
			g = (r ~ /-tun/) ? "gvisor-tun" : "gvisor"
			for (d = 1; d <= 2; d++) {
				a[d] = median(r " " dirs[d] " gbps"); gv[d] = median(g " " dirs[d] " gbps"); l[d] = median("linux " dirs[d] " gbps")
			}
			if (has(rows, g))
				printf "| %s / %s | %s | %s | >= 3x, each way |\n", r, g, ratio(a[1], gv[1]), ratio(a[2], gv[2])
			if (has(rows, "linux"))
				printf "| %s / linux | %s | %s | |\n", r, ratio(a[1], l[1]), ratio(a[2], l[2])
			printf "| %s, target 10 Gbit/s | %s | %s | >= 10 Gbit/s, each way |\n", r,
				(a[1] == "") ? "-" : (a[1] >= 10 ? "met" : sprintf("missed (%.2f)", a[1])),
				(a[2] == "") ? "-" : (a[2] >= 10 ? "met" : sprintf("missed (%.2f)", a[2]))
			if (has(rows, g))
				printf "| %s, target 3x %s | %s | %s | |\n", r, g,
					(a[1] == "" || gv[1] == "") ? "-" : (a[1] >= 3 * gv[1] ? "met" : "missed"),
					(a[2] == "" || gv[2] == "") ? "-" : (a[2] >= 3 * gv[2] ? "met" : "missed")
		}
		print ""
	}
	if (has(tests, "udp")) {
		print "| UDP | payload | direction | datagrams/s | loss | offered/s | CPU µs/datagram | rounds |"
		print "| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: |"
		for (i = 1; i <= n; i++) {
			r = row[i]
			if (tcpOnly(r)) continue
			for (z = 1; z <= ns; z++)
				for (d = 1; d <= 2; d++) {
					k = r " " dirs[d] " " size[z]
					printf "| %s | %d B | %s | %s | %s | %s | %s | %d |\n", r, size[z], arrow[d],
						show(r, "", k " udp", "%.0f"), show(r, "", k " loss", "%.1f%%"),
						show(r, "", k " offered", "%.0f"), show(r, "", k " udpcpu", "%.2f"), rounds(k " udp")
				}
		}
		print ""
		print "| UDP ratio | payload | Linux→stack | stack→Linux |"
		print "| --- | ---: | ---: | ---: |"
		for (i = 1; i <= n; i++) {
			r = row[i]
			if (r !~ /^medina/ || tcpOnly(r)) continue
			for (j = 1; j <= n; j++) {
				o = row[j]
				if (o != "gvisor" && o != "linux") continue
				for (z = 1; z <= ns; z++)
					printf "| %s / %s | %d B | %s | %s |\n", r, o, size[z],
						ratio(median(r " linux-to-stack " size[z] " udp"), median(o " linux-to-stack " size[z] " udp")),
						ratio(median(r " stack-to-linux " size[z] " udp"), median(o " stack-to-linux " size[z] " udp"))
			}
		}
		print ""
	}
	if (http_skipped != "") {
		print "HTTP: SKIP: " http_skipped
		print ""
	} else if (has(tests, "http")) {
		print "| HTTP | requests/s | server CPU µs/request | rounds |"
		print "| --- | ---: | ---: | ---: |"
		for (i = 1; i <= n; i++) {
			r = row[i]
			if (tcpOnly(r)) continue
			printf "| %s | %s | %s | %d |\n", r, show(r, "http", r " http", "%.0f"), show(r, "http", r " httpcpu", "%.1f"), rounds(r " http")
		}
		print ""
		print "| HTTP ratio | requests/s | target (issue 12) |"
		print "| --- | ---: | --- |"
		for (i = 1; i <= n; i++) {
			r = row[i]
			if (r !~ /^medina/ || tcpOnly(r)) continue
			a1 = median(r " http")
			if (has(rows, "linux")) {
				l1 = median("linux http")
				printf "| %s / linux | %s | >= 1.5x: %s |\n", r, ratio(a1, l1),
					(a1 == "" || l1 == "") ? "-" : (a1 >= 1.5 * l1 ? "met" : "missed")
			}
			if (has(rows, "gvisor"))
				printf "| %s / gvisor | %s | |\n", r, ratio(a1, median("gvisor http"))
		}
		print ""
	}
	# A figure missing for a row asked for fails the run, loudly.
	for (i = 1; i <= n; i++) {
		r = row[i]
		if (has(tests, "tcp"))
			for (d = 1; d <= 2; d++)
				need(r " " dirs[d] " gbps", r " " dirs[d] " TCP Gbit/s")
		if (tcpOnly(r)) continue
		if (has(tests, "udp"))
			for (z = 1; z <= ns; z++)
				for (d = 1; d <= 2; d++)
					need(r " " dirs[d] " " size[z] " udp", r " " dirs[d] " UDP " size[z] "-byte datagrams/s")
		if (has(tests, "http") && http_skipped == "")
			need(r " http", r " HTTP requests/s")
	}
	exit (missing > 0)
}' "$out"
missing=$?

echo
echo "raw output: $out; took ${elapsed}s"
if [[ $status != 0 ]]; then
	echo "FAIL: a round failed (see the raw output)" >&2
	exit 1
fi
exit "$missing"
