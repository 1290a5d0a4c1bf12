#!/usr/bin/env bash
# tap.sh measures one TCP connection between the Linux kernel and a
# userspace stack over a real TAP of MTU 1500, each way, in one run
# (issue 12, item 5):
#
#   medina-offload  medina's stack on link/tap with tap.Config{Offload: true}
#                   (virtio-net headers, TSO on send, receive offload)
#   medina          the same on the plain TAP (Offload: false)
#   gvisor          gVisor's netstack on a TAP through its fdbased endpoint,
#                   set up as tailscale sets up its netstack (GSOMaxSize
#                   65535, GRO on, tailscale's TCP options; see README)
#   linux           Linux to Linux over a veth with iperf3: the ceiling
#
# The kernel's side of every TAP is in a network namespace of its own; its
# peer is the same for medina and gVisor (the test binary started again in
# the namespace, using Go's net package, so the kernel's TCP). Then it
# prints the table: Gbit/s each way, medina / gVisor, CPU seconds per GB
# and issue 12's targets.
#
#   sudo bench/tap.sh                            # about 2 minutes
#   BENCH_TAP_BYTES=2G COUNT=5 sudo bench/tap.sh # the issue's 2 GB
#
# Environment (all optional):
#   BENCH_TAP_BYTES   bytes each transfer moves, each way (default 1G;
#                     1073741824, 1G, 512M, 64k all work)
#   BENCH_TAP_STACKS  rows to measure, of medina-offload, medina, gvisor,
#                     linux (default: all)
#   COUNT             rounds; each runs every row, and the table shows
#                     the median (default 3)
#   OUT               where to keep the raw output (default: a new
#                     temporary file, named at the end)
#
# It needs root, /dev/net/tun and ip(8), and iperf3 for the linux row;
# without them it says SKIP and why, measures nothing and exits 2. The
# exit status is 1 if any row asked for lacks a figure (each is named,
# MISSING, under the table) or a round failed, else 0. Every namespace,
# TAP and veth is made by the test and removed when it ends.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
export BENCH_TAP_BYTES=${BENCH_TAP_BYTES:-1G}
export BENCH_TAP_STACKS=${BENCH_TAP_STACKS:-medina-offload medina gvisor linux}
count=${COUNT:-3}
rows=" $(echo "$BENCH_TAP_STACKS" | tr ',' ' ') "
for r in $rows; do
	case $r in
	medina-offload | medina | gvisor | linux) ;;
	*)
		echo "BENCH_TAP_STACKS: unknown row $r (medina-offload, medina, gvisor, linux)" >&2
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
if [[ $rows == *" linux "* ]]; then
	command -v iperf3 >/dev/null || skip "no iperf3 for the linux row (or leave it out of BENCH_TAP_STACKS)"
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
		"BENCH_TAP_STACKS=\"$BENCH_TAP_STACKS\" COUNT=$count; load: $(cut -d' ' -f1-3 /proc/loadavg)"
	status=0
	for round in $(seq "$count"); do
		echo "# round $round of $count"
		# One process a round, every row in it, one after the other: a
		# machine whose load changes skews every row of a round alike.
		(cd "$bin" && BENCH_TAP=1 ./gvisorbench.test -test.run '^TestTAPBench$' \
			-test.v -test.timeout 30m 2>&1) || status=$?
	done
	echo "# exit $status; load: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$out" | grep -E '^(tapbench:|[[:space:]]*--- (FAIL|SKIP)|    .*_test.go:[0-9]+: [^t]|FAIL|ok|PASS|#)'
status=$(awk '/^# exit/ { print ($3 != "0;") ? 1 : 0 }' "$out")
elapsed=$(($(date +%s) - start))

echo
echo "One TCP connection each way between the Linux kernel (in a network"
echo "namespace) and a stack in this process over a TAP of MTU 1500;"
echo "$BENCH_TAP_BYTES each way; median of $count rounds. linux is Linux to"
echo "Linux over a veth (MTU 1500, offloads on) with iperf3, the ceiling."
echo "CPU s/GB: user+system seconds of the stack's process per 10^9 bytes"
echo "(getrusage; the kernel's work in its system calls included, softirq"
echo "work on other CPUs not); for linux, iperf3's own figure for the"
echo "client, the end in the stack's place (receiver, then sender)."
echo

awk -v count="$count" -v rows="$rows" '
function median(key,    n, i, j, v, t) {
	if (!(key in vals)) return ""
	n = split(vals[key], v, " ")
	for (i = 2; i <= n; i++)
		for (j = i; j > 1 && v[j-1] + 0 > v[j] + 0; j--) { t = v[j]; v[j] = v[j-1]; v[j-1] = t }
	return (n % 2) ? v[(n+1)/2] : (v[n/2] + v[n/2+1]) / 2
}
function show(row, dir, what, fmt,    m) {
	m = median(row " " dir " " what)
	if (m != "") return sprintf(fmt, m)
	if (row in failed) return "FAIL"
	if (row in skipped) return "skipped"
	return "MISSING"
}
function ratio(a, b) {
	if (a == "" || b == "" || b + 0 <= 0) return "-"
	return sprintf("%.2fx", a / b)
}
/^[ \t]*--- (FAIL|SKIP): TestTAPBench\// {
	name = $3; sub(/^TestTAPBench\//, "", name)
	if ($2 == "FAIL:") failed[name] = 1; else skipped[name] = 1
}
/^tapbench: / {
	vals[$2 " " $3 " gbps"] = vals[$2 " " $3 " gbps"] " " $4
	vals[$2 " " $3 " cpu"] = vals[$2 " " $3 " cpu"] " " $6
}
END {
	n = split(rows, row, " ")
	print "| row | Linux→stack Gbit/s | stack→Linux Gbit/s | CPU s/GB, Linux→stack | CPU s/GB, stack→Linux | rounds |"
	print "| --- | ---: | ---: | ---: | ---: | ---: |"
	for (i = 1; i <= n; i++) {
		r = row[i]
		split(vals[r " linux-to-stack gbps"], k, " ")
		printf "| %s | %s | %s | %s | %s | %d |\n", r,
			show(r, "linux-to-stack", "gbps", "%.2f"), show(r, "stack-to-linux", "gbps", "%.2f"),
			show(r, "linux-to-stack", "cpu", "%.2f"), show(r, "stack-to-linux", "cpu", "%.2f"),
			length(k)
	}
	print ""
	print "| ratio | Linux→stack | stack→Linux | target (issue 12) |"
	print "| --- | ---: | ---: | --- |"
	for (i = 1; i <= n; i++) {
		r = row[i]
		if (r != "medina-offload" && r != "medina") continue
		for (d = 1; d <= 2; d++) {
			dir = (d == 1) ? "linux-to-stack" : "stack-to-linux"
			a[d] = median(r " " dir " gbps"); g[d] = median("gvisor " dir " gbps"); l[d] = median("linux " dir " gbps")
		}
		if (rows ~ / gvisor /)
			printf "| %s / gvisor | %s | %s | >= 3x, each way |\n", r, ratio(a[1], g[1]), ratio(a[2], g[2])
		if (rows ~ / linux /)
			printf "| %s / linux | %s | %s | |\n", r, ratio(a[1], l[1]), ratio(a[2], l[2])
		printf "| %s, target 10 Gbit/s | %s | %s | >= 10 Gbit/s, each way |\n", r,
			(a[1] == "") ? "-" : (a[1] >= 10 ? "met" : sprintf("missed (%.2f)", a[1])),
			(a[2] == "") ? "-" : (a[2] >= 10 ? "met" : sprintf("missed (%.2f)", a[2]))
		if (rows ~ / gvisor /)
			printf "| %s, target 3x gvisor | %s | %s | |\n", r,
				(a[1] == "" || g[1] == "") ? "-" : (a[1] >= 3 * g[1] ? "met" : "missed"),
				(a[2] == "" || g[2] == "") ? "-" : (a[2] >= 3 * g[2] ? "met" : "missed")
	}
	# A figure missing for a row asked for fails the run, loudly.
	for (i = 1; i <= n; i++)
		for (d = 1; d <= 2; d++) {
			dir = (d == 1) ? "linux-to-stack" : "stack-to-linux"
			if (median(row[i] " " dir " gbps") == "") {
				if (!missing++) print ""
				printf "MISSING: %s %s Gbit/s\n", row[i], dir
			}
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
