#!/usr/bin/env bash
# tcp-vs-gvisor.sh runs the benchmarks of bench/gvisor (medina's TCP and
# gVisor's netstack, each as two stacks over an in-memory Ethernet link of
# MTU 1500, plus the Linux loopback as a reference) and prints each figure
# side by side with the ratio and issue 4's target.
#
#   bench/tcp-vs-gvisor.sh                 # the full run, about 2-3 minutes
#   BENCH_BYTES=64M BENCH_CONNS=1000 COUNT=1 RR_TIME=1s bench/tcp-vs-gvisor.sh
#
# Environment (all optional):
#   BENCH_BYTES        bytes per bulk transfer (default 1G)
#   BENCH_ALLOC_BYTES  bytes moved while counting allocations (default 256M)
#   BENCH_WARMUP_BYTES bytes moved before either (default 64M)
#   BENCH_CONNS        idle connections to open (default 10000)
#   BENCH_QUEUE        frames each way the simulated link holds (default 512)
#   COUNT              runs of each benchmark; the table shows the median (3)
#   RR_TIME            -benchtime of the round-trip benchmark (2s)
#   OUT                where to keep the raw go test output (default: a
#                      new temporary file, named at the end)
#
# A stack whose benchmark fails or is missing shows FAIL or n/a; the other
# figures are still printed. The exit status is that of go test.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
export BENCH_BYTES=${BENCH_BYTES:-1G}
count=${COUNT:-3}
rrtime=${RR_TIME:-2s}
out=${OUT:-$(mktemp "${TMPDIR:-/tmp}/tcp-vs-gvisor.XXXXXX")}

cd "$here/gvisor" || exit 1
start=$(date +%s)
{
	echo "# $(go version) on $(nproc) CPUs; BENCH_BYTES=$BENCH_BYTES" \
		"BENCH_ALLOC_BYTES=${BENCH_ALLOC_BYTES:-256M} BENCH_WARMUP_BYTES=${BENCH_WARMUP_BYTES:-64M}" \
		"BENCH_CONNS=${BENCH_CONNS:-10000} BENCH_QUEUE=${BENCH_QUEUE:-512} COUNT=$count RR_TIME=$rrtime"
	# One op of Bulk, Allocs and IdleConns is a whole measurement (a 1 GiB
	# transfer, 10,000 connections): run each exactly once a round. The
	# rounds run every stack in turn, rather than go test's -count, which
	# runs one stack COUNT times before the next: a machine whose load
	# changes then skews all of one stack's runs.
	status1=0 status2=0
	for round in $(seq "$count"); do
		echo "# round $round of $count"
		go test -run '^$' -bench '^Benchmark(Bulk|Allocs|IdleConns)$' -benchtime 1x \
			-timeout 30m . 2>&1 || status1=$?
		go test -run '^$' -bench '^BenchmarkRR$' -benchtime "$rrtime" \
			-timeout 30m . 2>&1 || status2=$?
	done
	echo "# exit $status1 $status2"
} | tee "$out" | grep -E '^(Benchmark|--- FAIL|    .*_test.go|FAIL|ok|#)'
status=$(awk '/^# exit/ { print ($3 != 0 || $4 != 0) ? 1 : 0 }' "$out")
elapsed=$(($(date +%s) - start))

echo
echo "medina vs gVisor netstack: two stacks in one process over an in-memory"
echo "Ethernet link, MTU 1500, queue ${BENCH_QUEUE:-512} frames each way; median of $count"
echo "runs; ratio = medina / gVisor; loopback is the host kernel's TCP over lo"
echo "(MTU 65536, offloads), a reference, not a contender."
echo

awk -v count="$count" '
function median(key,    n, i, j, v, t) {
	if (!(key in vals)) return ""
	n = split(vals[key], v, " ")
	for (i = 2; i <= n; i++)
		for (j = i; j > 1 && v[j-1] + 0 > v[j] + 0; j--) { t = v[j]; v[j] = v[j-1]; v[j-1] = t }
	return (n % 2) ? v[(n+1)/2] : (v[n/2] + v[n/2+1]) / 2
}
function show(bench, kind, unit, fmt,    m) {
	m = median(bench "/" kind " " unit)
	if (m != "") return sprintf(fmt, m)
	if ((bench "/" kind) in failed) return "FAIL"
	return "n/a"
}
function ratio(bench, unit,    a, b) {
	a = median(bench "/medina " unit); b = median(bench "/gvisor " unit)
	if (a == "" || b == "" || b + 0 <= 0 || a + 0 < 0) return "n/a"
	return sprintf("%.3gx", a / b)
}
# verdict: "met" or "missed by ..." for a target on medina.
function verdict(kind, bench, unit, limit,    a, b, r) {
	a = median(bench "/medina " unit)
	if (a == "") return "-"
	if (kind == "ratio") {
		b = median(bench "/gvisor " unit)
		if (b == "" || b + 0 == 0) return "-"
		r = a / b
		return (r >= limit) ? "met" : sprintf("missed (%.2fx of %gx)", r, limit)
	}
	return (a + 0 <= limit) ? "met" : sprintf("missed (%.3gx over)", a / limit)
}
function row(metric, bench, unit, fmt, target, v) {
	printf "| %s | %s | %s | %s | %s | %s | %s |\n", metric,
		show(bench, "medina", unit, fmt), show(bench, "gvisor", unit, fmt),
		ratio(bench, unit), target, v, show(bench, "loopback", unit, fmt)
}
/^--- FAIL: Benchmark/ {
	name = $3; sub(/^Benchmark/, "", name); sub(/-[0-9]+$/, "", name); failed[name] = 1
}
/^Benchmark[A-Za-z]+\/[a-z]+(-[0-9]+)? / {
	name = $1; sub(/^Benchmark/, "", name); sub(/-[0-9]+$/, "", name)
	for (i = 3; i < NF; i += 2) {
		key = name " " $(i+1)
		vals[key] = (key in vals) ? vals[key] " " $i : $i
	}
}
END {
	print "| metric | medina | gVisor | medina/gVisor | target (issue 4) | medina vs target | Linux loopback (reference) |"
	print "| --- | ---: | ---: | ---: | --- | --- | ---: |"
	row("bulk throughput, 1 connection, Gbit/s (higher is better)", "Bulk", "Gbit/s", "%.2f", ">= 4x gVisor", verdict("ratio", "Bulk", "Gbit/s", 4))
	row("allocations per MB moved, steady state (lower is better)", "Allocs", "allocs/MB", "%.1f", "<= 1", verdict("max", "Allocs", "allocs/MB", 1))
	row("heap per idle connection pair, bytes (lower is better)", "IdleConns", "B/conn-pair", "%.0f", "<= 4096 (4 KiB)", verdict("max", "IdleConns", "B/conn-pair", 4096))
	row("64-byte request/response round trips/s (higher is better)", "RR", "rt/s", "%.0f", "reported", "-")
	row("  heap bytes allocated per MB moved", "Allocs", "B/MB", "%.0f", "", "")
	row("  goroutine stack per idle pair, bytes", "IdleConns", "stack-B/conn-pair", "%.0f", "", "")
	row("  dial+accept time per connection, us", "IdleConns", "µs/dial+accept", "%.1f", "", "")
	row("  allocations per round trip", "RR", "allocs/op", "%.1f", "", "")
	row("  segments retransmitted per bulk transfer", "Bulk", "retrans/op", "%.0f", "", "")
}' "$out"

echo
echo "raw output: $out; took ${elapsed}s"
exit "$status"
