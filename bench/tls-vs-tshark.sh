#!/bin/sh
# Compares netdump with tshark (Wireshark 4.0) decoding and decrypting a
# capture of bulk TLS 1.3 traffic.
#
#   sudo bench/tls-vs-tshark.sh [MB] [RUNS]
#
# The capture is real traffic of examples/httpsd, HTTPS on medina's stack
# over a TAP whose kernel side is in a network namespace, fetched by curl
# (OpenSSL) over the kernel's TCP: about MB megabytes (default 200) in
# seven connections, six GETs of /bytes?n=N, two with each TLS 1.3 suite
# (curl --tls13-ciphers: TLS_AES_128_GCM_SHA256, TLS_AES_256_GCM_SHA384,
# TLS_CHACHA20_POLY1305_SHA256), and a POST of 4 MB to /echo. httpsd's -pcap
# writes the pcapng with the secrets in it as Decryption Secrets Blocks and
# -insecure-keylog the same secrets as an NSS key log; both tools get both.
# The capture and the key log are kept in bench/out/ and reused by later
# runs (delete them to record afresh).
#
# Both tools must decrypt everything before they are timed:
#   - netdump --tls-sessions prints a line per TLS session: every session
#     must have its keys, every encrypted record must be decrypted and none
#     failed, and the three suites must be there;
#   - tshark must find the same number of protected records and the same
#     total of decrypted application data as netdump (io,stat's
#     SUM(data.len) and COUNT(tls.record.opaque_type), HTTP off so that
#     the plaintext goes to the data dissector), and its HTTP statistics
#     (-z http,tree) must show the seven requests answered with 200 OK.
# Then each is run RUNS times (default 5), the tools taking turns in each
# round so that a change in the machine's load falls on all of them, with
# output to /dev/null; the medians of wall time (and of user+sys CPU time,
# with GNU time) are printed with the ratio tshark/netdump and the
# throughput in MB/s of plaintext decrypted (and of capture read).
#
# What tshark is asked to do. "tshark -r FILE -o tls.keylog_file:KEYS -q"
# alone decrypts nothing: with -q and no read filter, display filter or
# statistics tap, tshark does not dissect at all, it only reads the file
# (0.28 s for a 71 MB capture against 1.4 s with a tap). Any tap makes it
# dissect every packet, and TLS decryption happens during dissection,
# whether or not a protocol tree is built. Two ways are timed:
#   tshark (TLS):      -q --disable-protocol http -z io,stat,0
#       reassembles TCP and every TLS record and decrypts each one, the
#       plaintext going to the data dissector, parsing no HTTP: the same
#       work as netdump --tls-sessions, and the fastest way found to have
#       tshark decrypt everything. The target is judged on this one.
#   tshark (TLS+HTTP): -q -z http,tree
#       tshark's default dissection: the same, plus HTTP parsing and
#       reassembly of each HTTP body (http.desegment_body), what one gets
#       by asking tshark for the HTTP exchange. About twice the time.
# Not used: -o tls.desegment_ssl_records:FALSE is faster but then a
# record spanning TCP segments (nearly all of them) is not decrypted;
# -2 (two passes) would dissect everything twice.
#
# Target: netdump at least 10x faster than tshark (TLS), in wall time.
# Wall times are only as good as the machine is quiet: the load average
# before and after, the spread of the runs, and the CPU times (which load
# hardly changes) are printed to judge by.
# Needs root, /dev/net/tun, iproute2, curl, tshark, bc; GNU time (package
# time) for the CPU times and capinfos for the frame count, optional.
set -eu
cd "$(dirname "$0")/.."
MB=${1:-200}
RUNS=${2:-5}
OUT=bench/out
CAP=$OUT/tls-$MB.pcapng
KEYS=$OUT/tls-$MB.keys
mkdir -p "$OUT"
for tool in tshark curl ip bc; do
	command -v $tool >/dev/null || { echo "bench: $tool is not installed" >&2; exit 1; }
done
[ "$MB" -ge 20 ] || { echo "bench: MB must be at least 20" >&2; exit 1; }

go build -o "$OUT/httpsd" ./examples/httpsd
go build -o "$OUT/netdump" ./cmd/netdump

# What curl fetches: ECHO bytes posted to /echo (and sent back), and six
# GETs of PER bytes, so that the bodies add up to MB megabytes.
ECHO=4000000
PER=$(((MB * 1000000 - 2 * ECHO) / 6))
BODIES=$((6 * PER + 2 * ECHO))
SUITES="TLS_AES_128_GCM_SHA256 TLS_AES_256_GCM_SHA384 TLS_CHACHA20_POLY1305_SHA256"

NS=medina-tls-bench
TAP=mdtlsbench0
HTTPSD=
TMP=
cleanup() {
	if [ -n "$HTTPSD" ]; then
		kill "$HTTPSD" 2>/dev/null || true
		wait "$HTTPSD" 2>/dev/null || true
		HTTPSD=
	fi
	ip netns del "$NS" 2>/dev/null || true
	ip link del "$TAP" 2>/dev/null || true
	rm -f "$CAP.part" "$KEYS.part"
	[ -z "$TMP" ] || rm -rf "$TMP"
	TMP=
}

record() {
	trap cleanup EXIT
	trap 'cleanup; exit 130' INT TERM
	cleanup
	TMP=$(mktemp -d)
	rm -f "$CAP.part" "$KEYS.part"
	: >"$OUT/httpsd.log"
	"$OUT/httpsd" -tap "$TAP" -addr 10.77.2.2/24 -pcap "$CAP.part" -insecure-keylog "$KEYS.part" \
		-write-cert "$TMP/cert.pem" >"$OUT/httpsd.log" 2>&1 &
	HTTPSD=$!
	i=0
	until grep -q "stack up on" "$OUT/httpsd.log"; do
		i=$((i + 1))
		if [ $i -gt 100 ] || ! kill -0 "$HTTPSD" 2>/dev/null; then
			echo "bench: httpsd did not come up:" >&2
			cat "$OUT/httpsd.log" >&2
			exit 1
		fi
		sleep 0.1
	done
	ip netns add "$NS"
	ip netns exec "$NS" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
	ip -n "$NS" link set lo up
	ip link set "$TAP" netns "$NS"
	ip -n "$NS" addr add 10.77.2.1/24 dev "$TAP"
	ip -n "$NS" link set "$TAP" up

	# One connection per curl: two for each suite, then the POST with
	# curl's default suites.
	fetch() {
		ip netns exec "$NS" curl --silent --show-error --fail --max-time 600 --tlsv1.3 \
			--cacert "$TMP/cert.pem" --resolve httpsd.test:443:10.77.2.2 "$@"
	}
	for suite in $SUITES $SUITES; do
		got=$(fetch --tls13-ciphers "$suite" -o /dev/null -w '%{size_download}' "https://httpsd.test/bytes?n=$PER")
		[ "$got" = "$PER" ] || { echo "bench: GET with $suite gave $got bytes, not $PER" >&2; exit 1; }
	done
	head -c "$ECHO" /dev/urandom >"$TMP/post"
	fetch -H 'Content-Type: application/octet-stream' --data-binary "@$TMP/post" -o "$TMP/echo" https://httpsd.test/echo
	cmp -s "$TMP/post" "$TMP/echo" || { echo "bench: /echo did not send the body back" >&2; exit 1; }

	# SIGTERM: httpsd finishes the connections and completes the capture.
	kill "$HTTPSD"
	wait "$HTTPSD" || { echo "bench: httpsd failed:" >&2; tail "$OUT/httpsd.log" >&2; exit 1; }
	HTTPSD=
	grep -q "served 7 requests (0 errors)" "$OUT/httpsd.log" ||
		{ echo "bench: httpsd did not serve 7 requests:" >&2; grep served "$OUT/httpsd.log" >&2; exit 1; }
	mv "$KEYS.part" "$KEYS"
	mv "$CAP.part" "$CAP"
	cleanup
	trap - EXIT INT TERM
}

[ -s "$CAP" ] && [ -s "$KEYS" ] || record
capbytes=$(wc -c <"$CAP")
frames=$(capinfos -c -M "$CAP" 2>/dev/null | awk '/Number of packets/ { print $NF }')
echo "capture: $CAP, $(echo "$capbytes / 1000000" | bc) MB, ${frames:-?} frames; key log $KEYS ($(wc -l <"$KEYS") lines)"
if ! "$OUT/netdump" --tls-sessions -r testdata/pcaps/httpsd-session.pcapng >/dev/null 2>&1; then
	echo "bench: this netdump has no --tls-sessions (or it failed on testdata/pcaps/httpsd-session.pcapng)" >&2
	exit 1
fi

TSHARK="tshark -n -r $CAP -o tls.keylog_file:$KEYS -q"
TSHARK_TLS="$TSHARK --disable-protocol http -z io,stat,0"
TSHARK_HTTP="$TSHARK -z http,tree"

# Check that both decrypt everything.
"$OUT/netdump" --tls-sessions --keylog "$KEYS" -r "$CAP" >"$OUT/tls-netdump.txt" 2>"$OUT/tls-netdump.err" ||
	{ echo "bench: netdump failed:" >&2; cat "$OUT/tls-netdump.err" >&2; exit 1; }
# netdump: sessions; records encrypted, decrypted; plaintext bytes; bad sessions.
set -- $(awk '/TLS session/ {
	n++
	bad = ($0 !~ /keys found/ || $0 ~ / failed/)
	s = $0
	while (match(s, /[0-9]+ encrypted, [0-9]+ decrypted/)) {
		split(substr(s, RSTART, RLENGTH), f, " ")
		enc += f[1]; dec += f[3]
		if (f[1] != f[3]) bad = 1
		s = substr(s, RSTART + RLENGTH)
	}
	s = $0
	while (match(s, /\([0-9]+ plaintext\)/)) {
		split(substr(s, RSTART + 1, RLENGTH - 2), f, " ")
		plain += f[1]
		s = substr(s, RSTART + RLENGTH)
	}
	badn += bad
} END { printf "%d %d %d %d %d\n", n, enc, dec, plain, badn }' "$OUT/tls-netdump.txt")
n_sessions=$1 n_enc=$2 n_dec=$3 n_plain=$4 n_bad=$5
echo "netdump: $n_sessions TLS sessions, $n_dec of $n_enc encrypted records decrypted, $n_plain bytes of plaintext"
for suite in $SUITES; do
	grep -q "$suite" "$OUT/tls-netdump.txt" || { echo "bench: netdump shows no session with $suite" >&2; exit 1; }
done
if [ "$n_sessions" -ne 7 ] || [ "$n_bad" -ne 0 ] || [ "$n_enc" -ne "$n_dec" ] ||
	[ "$n_plain" -lt "$BODIES" ] || [ "$n_plain" -gt $((BODIES + 100000)) ]; then
	echo "bench: netdump did not decrypt everything (want 7 sessions, every record decrypted, about $BODIES bytes):" >&2
	cat "$OUT/tls-netdump.txt" "$OUT/tls-netdump.err" >&2
	exit 1
fi

$TSHARK --disable-protocol http \
	-z 'io,stat,0,SUM(data.len)data.len,COUNT(tls.record.opaque_type)tls.record.opaque_type' \
	>"$OUT/tls-tshark.txt" 2>/dev/null
set -- $(awk -F'|' '/<>/ { gsub(/ /, ""); print $3, $4 }' "$OUT/tls-tshark.txt")
t_plain=$1 t_enc=$2
echo "tshark (TLS): $t_enc encrypted records, $t_plain bytes of plaintext decrypted"
if [ "$t_plain" != "$n_plain" ] || [ "$t_enc" != "$n_enc" ]; then
	echo "bench: tshark and netdump disagree:" >&2
	cat "$OUT/tls-tshark.txt" >&2
	exit 1
fi
$TSHARK_HTTP >"$OUT/tls-tshark-http.txt" 2>/dev/null
set -- $(awk '/HTTP Request Packets/ { r = $4 } / 200 OK / { ok = $3 } END { print r + 0, ok + 0 }' "$OUT/tls-tshark-http.txt")
echo "tshark (TLS+HTTP): $1 HTTP requests, $2 answered 200 OK"
if [ "$1" -ne 7 ] || [ "$2" -ne 7 ]; then
	echo "bench: tshark's HTTP statistics do not show the 7 requests and responses:" >&2
	cat "$OUT/tls-tshark-http.txt" >&2
	exit 1
fi

# run NAME CMD...: times one run, appending the wall time to
# $OUT/tls-times.NAME and user+sys to $OUT/tls-cpu.NAME.
GNUTIME=
[ -x /usr/bin/time ] && GNUTIME=/usr/bin/time
run() {
	name=$1
	shift
	s=$(date +%s.%N)
	if [ -n "$GNUTIME" ]; then
		$GNUTIME -f '%U %S' -o "$OUT/tls-cpu" "$@" >/dev/null 2>&1
	else
		"$@" >/dev/null 2>&1
	fi
	e=$(date +%s.%N)
	echo "$e - $s" | bc -l >>"$OUT/tls-times.$name"
	[ -z "$GNUTIME" ] || awk '{ print $1 + $2 }' "$OUT/tls-cpu" >>"$OUT/tls-cpu.$name"
}
median() {
	[ -s "$1" ] || { echo 0; return; }
	sort -n "$1" | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.4f\n", m}'
}
# spread FILE: the fastest and slowest of the runs.
spread() {
	sort -n "$1" | awk 'NR == 1 { lo = $1 } { hi = $1 } END { printf "%.3f-%.3f\n", lo, hi }'
}

rm -f "$OUT"/tls-times.* "$OUT"/tls-cpu.*
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
i=0
while [ $i -lt "$RUNS" ]; do
	run netdump "$OUT/netdump" --tls-sessions --keylog "$KEYS" -r "$CAP"
	run tshark_tls $TSHARK_TLS
	run tshark_http $TSHARK_HTTP
	i=$((i + 1))
done
echo "load average after:  $(cut -d' ' -f1-3 /proc/loadavg)"

awk -v runs="$RUNS" -v plain="$n_plain" -v cap="$capbytes" -v cpu="$GNUTIME" \
	-v n="$(median "$OUT/tls-times.netdump")" -v nc="$(median "$OUT/tls-cpu.netdump")" \
	-v t="$(median "$OUT/tls-times.tshark_tls")" -v tc="$(median "$OUT/tls-cpu.tshark_tls")" \
	-v h="$(median "$OUT/tls-times.tshark_http")" -v hc="$(median "$OUT/tls-cpu.tshark_http")" \
	-v ns="$(spread "$OUT/tls-times.netdump")" -v ts="$(spread "$OUT/tls-times.tshark_tls")" \
	-v hs="$(spread "$OUT/tls-times.tshark_http")" '
function line(label, wall, sp, c) {
	printf "  %-38s %7.3f s wall (%s)", label, wall, sp
	if (cpu != "") printf ", %7.3f s CPU", c
	printf "; %6.0f MB/s of plaintext, %6.0f MB/s of capture\n", plain / 1e6 / wall, cap / 1e6 / wall
}
BEGIN {
	printf "median of %d runs (fastest-slowest), %.1f MB of plaintext decrypted in a %.1f MB capture:\n", runs, plain / 1e6, cap / 1e6
	line("netdump --tls-sessions --keylog", n, ns, nc)
	line("tshark (TLS) --disable-protocol http", t, ts, tc)
	line("tshark (TLS+HTTP) -z http,tree", h, hs, hc)
	printf "  ratio tshark (TLS)/netdump: %.1fx wall", t / n
	if (cpu != "") printf ", %.1fx CPU", tc / nc
	printf " (target >= 10x wall): %s\n", (t / n >= 10) ? "met" : "MISSED"
	printf "  ratio tshark (TLS+HTTP)/netdump: %.1fx wall", h / n
	if (cpu != "") printf ", %.1fx CPU", hc / nc
	printf "\n"
}'
