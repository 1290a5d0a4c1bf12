package dump

import (
	"testing"

	"github.com/medina-net/medina/pcap"
	"github.com/medina-net/medina/tcp"
)

// cat concatenates option bytes.
func cat(parts ...[]byte) []byte {
	var b []byte
	for _, p := range parts {
		b = append(b, p...)
	}
	return b
}

var (
	nop  = []byte{1}
	eol  = []byte{0}
	mss  = tcp.AppendMSS(nil, 1460)
	ws7  = tcp.AppendWindowScale(nil, 7)
	sok  = tcp.AppendSACKPermitted(nil)
	tsOp = tcp.AppendTimestamps(nil, 1000, 2000)
)

const (
	fFIN = 0x01
	fSYN = 0x02
	fRST = 0x04
	fPSH = 0x08
	fACK = 0x10
	fURG = 0x20
)

// handshake is a connection's first segments and a SACK, for the relative
// sequence numbers.
var handshake = [][]byte{
	tcpFrame(seg{sport: 40000, dport: 80, seq: 1000, flags: fSYN, opts: cat(mss, sok, tsOp, nop, ws7)}),
	tcpFrame(seg{src: hostB, dst: hostA, sport: 80, dport: 40000, seq: 7000, ack: 1001, flags: fSYN | fACK, opts: cat(mss, nop, nop, sok)}),
	tcpFrame(seg{sport: 40000, dport: 80, seq: 1001, ack: 7001, flags: fACK}),
	tcpFrame(seg{sport: 40000, dport: 80, seq: 1001, ack: 7001, flags: fPSH | fACK, data: []byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n")}),
	tcpFrame(seg{src: hostB, dst: hostA, sport: 80, dport: 40000, seq: 7001, ack: 1028, flags: fACK,
		opts: cat(nop, nop, tcp.AppendSACK(nil, tcp.SACKBlock{Left: 1100, Right: 1200}))}),
	tcpFrame(seg{sport: 40000, dport: 80, seq: 1028, ack: 7001, flags: fACK, opts: cat(nop, nop, tcp.AppendSACK(nil, tcp.SACKBlock{Left: 7100, Right: 7200}))}),
	tcpFrame(seg{src: hostB, dst: hostA, sport: 80, dport: 40000, seq: 7001, ack: 1028, flags: fFIN | fACK}),
}

var tcpCases = []printCase{
	{name: "handshake", frames: handshake, want: "" +
		"IP 10.0.0.1.40000 > 10.0.0.2.80: Flags [S], seq 1000, win 512, options [mss 1460,sackOK,TS val 1000 ecr 2000,nop,wscale 7], length 0\n" +
		"IP 10.0.0.2.80 > 10.0.0.1.40000: Flags [S.], seq 7000, ack 1001, win 512, options [mss 1460,nop,nop,sackOK], length 0\n" +
		"IP 10.0.0.1.40000 > 10.0.0.2.80: Flags [.], ack 1, win 512, length 0\n" +
		"IP 10.0.0.1.40000 > 10.0.0.2.80: Flags [P.], seq 1:28, ack 1, win 512, length 27: HTTP: GET / HTTP/1.1\n" +
		"IP 10.0.0.2.80 > 10.0.0.1.40000: Flags [.], ack 28, win 512, options [nop,nop,sack 1 {100:200}], length 0\n" +
		"IP 10.0.0.1.40000 > 10.0.0.2.80: Flags [.], ack 1, win 512, options [nop,nop,sack 1 {100:200}], length 0\n" +
		"IP 10.0.0.2.80 > 10.0.0.1.40000: Flags [F.], seq 1, ack 28, win 512, length 0\n"},
	{name: "handshake-S", args: []string{"-S"}, frames: handshake[2:5], want: "" +
		"IP 10.0.0.1.40000 > 10.0.0.2.80: Flags [.], ack 7001, win 512, length 0\n" +
		"IP 10.0.0.1.40000 > 10.0.0.2.80: Flags [P.], seq 1001:1028, ack 7001, win 512, length 27: HTTP: GET / HTTP/1.1\n" +
		"IP 10.0.0.2.80 > 10.0.0.1.40000: Flags [.], ack 1028, win 512, options [nop,nop,sack 1 {1100:1200}], length 0\n"},
	{name: "handshake-vv", args: []string{"-vv"}, frames: handshake[2:4], want: "" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto TCP (6), length 40)\n" +
		"    10.0.0.1.40000 > 10.0.0.2.80: Flags [.], cksum 0xddff (correct), seq 1001, ack 7001, win 512, length 0\n" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto TCP (6), length 67)\n" +
		"    10.0.0.1.40000 > 10.0.0.2.80: Flags [P.], cksum 0x8a27 (correct), seq 0:27, ack 1, win 512, length 27: HTTP, length: 27\n" +
		"\tGET / HTTP/1.1\n" +
		"\tHost: x\n" +
		"\t\n"},
	{name: "quiet", args: []string{"-q"}, frames: handshake[:2], want: "" +
		"IP 10.0.0.1.40000 > 10.0.0.2.80: tcp 0\n" +
		"IP 10.0.0.2.80 > 10.0.0.1.40000: tcp 0\n"},
	{name: "checksum", args: []string{"-v"}, frames: [][]byte{
		tcpFrame(seg{sport: 1, dport: 2, seq: 5, flags: fSYN, badSum: true}),
		tcpFrame(seg{sport: 1, dport: 2, seq: 5, flags: fSYN, badSum: true, mf: true}),
	}, want: "" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto TCP (6), length 40)\n" +
		"    10.0.0.1.1 > 10.0.0.2.2: Flags [S], cksum 0x0000 (incorrect -> 0x99d8), seq 5, win 512, length 0\n" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [+], proto TCP (6), length 40)\n" +
		"    10.0.0.1.1 > 10.0.0.2.2: Flags [S], seq 5, win 512, length 0\n"},
	{name: "checksum-K", args: []string{"-v", "-K"}, frames: [][]byte{
		tcpFrame(seg{sport: 1, dport: 2, seq: 5, flags: fSYN, badSum: true}),
	}, want: "" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto TCP (6), length 40)\n" +
		"    10.0.0.1.1 > 10.0.0.2.2: Flags [S], seq 5, win 512, length 0\n"},
	{name: "flags", frames: [][]byte{
		tcpFrame(seg{sport: 1, dport: 2, seq: 5, flags: 0xff, urg: 9}),
		tcpFrame(seg{sport: 1, dport: 2, seq: 5}),
	}, want: "" +
		"IP 10.0.0.1.1 > 10.0.0.2.2: Flags [FSRP.UEW], seq 5, ack 0, win 512, urg 9, length 0\n" +
		"IP 10.0.0.1.1 > 10.0.0.2.2: Flags [none], win 512, length 0\n"},
	{name: "bad-hdr-length", frames: [][]byte{
		tcpFrame(seg{sport: 1, dport: 2, flags: fSYN, off: 16}),
		tcpFrame(seg{sport: 1, dport: 2, flags: fSYN, off: 44}),
	}, want: "" +
		"IP 10.0.0.1.1 > 10.0.0.2.2:  tcp 4 [bad hdr length 16 - too short, < 20]\n" +
		"IP 10.0.0.1.1 > 10.0.0.2.2: Flags [S] [bad hdr length 44 - too long, > 20]\n"},
	{name: "options", frames: [][]byte{
		tcpFrame(seg{sport: 1, dport: 2, flags: fSYN, opts: cat(
			[]byte{19, 18}, make([]byte, 16), // md5
			[]byte{28, 4, 0x80, 0x03}, // uto
			[]byte{20, 4, 0x5a, 7},    // scps
			[]byte{34, 2},             // tfo cookie request
		)}),
		tcpFrame(seg{sport: 1, dport: 2, flags: fSYN, opts: cat(
			[]byte{254, 4, 0xac, 0xc0},             // exp-acc0
			[]byte{254, 8, 0xf9, 0x89, 1, 2, 3, 4}, // exp-tfo cookie
			[]byte{253, 4, 0xab, 0xcd},             // unknown-253
			[]byte{29, 6, 1, 2, 0xaa, 0xbb},        // tcp-ao
			[]byte{2, 5, 1, 2, 3},                  // mss with a wrong length
			nop, eol, eol, eol, eol,
		)}),
		tcpFrame(seg{sport: 1, dport: 2, flags: fSYN, opts: cat(nop, []byte{3, 3, 14}, eol, []byte{1, 1, 1})}),
	}, want: "" +
		"IP 10.0.0.1.1 > 10.0.0.2.2: Flags [S], seq 0, win 512, options [md5 shared secret not supplied with -M, can't check - 00000000000000000000000000000000,uto 0x8003 983100,scps cap 5a id 7,tfo  cookiereq], length 0\n" +
		"IP 10.0.0.1.1 > 10.0.0.2.2: Flags [S], seq 0, win 512, options [exp-acc0,exp-tfo cookie 01020304,unknown-253 0xabcd,tcp-ao keyid 1 rnextkeyid 2 mac 0xaabb,mss 258[len 5],[bad opt]]\n" +
		"IP 10.0.0.1.1 > 10.0.0.2.2: Flags [S], seq 0, win 512, options [nop,wscale 14,eol], length 0\n"},
	{name: "bad-options", frames: [][]byte{
		tcpFrame(seg{sport: 1, dport: 2, flags: fSYN, opts: []byte{2, 1, 1, 1}}),
		tcpFrame(seg{sport: 1, dport: 2, flags: fSYN, opts: []byte{1, 8, 9, 1}}),
		tcpFrame(seg{sport: 1, dport: 2, flags: fSYN, opts: []byte{1, 254, 3, 0xf9}}),
		tcpFrame(seg{sport: 1, dport: 2, flags: fSYN, opts: []byte{1, 5, 6, 0, 0, 0, 0, 0}}),
	}, want: "" +
		"IP 10.0.0.1.1 > 10.0.0.2.2: Flags [S], seq 0, win 512, options [[bad opt]\n" +
		"IP 10.0.0.1.1 > 10.0.0.2.2: Flags [S], seq 0, win 512, options [nop,[bad opt]]\n" +
		"IP 10.0.0.1.1 > 10.0.0.2.2: Flags [S], seq 0, win 512, options [nop,exp[bad opt]]\n" +
		"IP 10.0.0.1.1 > 10.0.0.2.2: Flags [S], seq 0, win 512, options [nop,sack invalid sack,eol], length 0\n"},
	{name: "truncated-options", snap: 14 + 20 + 20 + 7, frames: [][]byte{
		tcpFrame(seg{sport: 1, dport: 2, flags: fSYN, opts: cat(mss, nop, nop, tsOp)}),
		tcpFrame(seg{sport: 1, dport: 2, flags: fSYN, opts: cat(nop, nop, nop, nop, nop, nop, nop, []byte{3, 3, 1}, nop, nop)}),
	}, want: "" +
		"IP 10.0.0.1.1 > 10.0.0.2.2: Flags [S], seq 0, win 512, options [mss 1460,nop,nop, [|tcp]\n" +
		"IP 10.0.0.1.1 > 10.0.0.2.2: Flags [S], seq 0, win 512, options [nop,nop,nop,nop,nop,nop,nop, [|tcp]\n"},
	{name: "truncated-option-data", snap: 14 + 20 + 20 + 8, frames: [][]byte{
		tcpFrame(seg{sport: 1, dport: 2, flags: fSYN, opts: cat(mss, nop, nop, tsOp)}),
	}, want: "" +
		"IP 10.0.0.1.1 > 10.0.0.2.2: Flags [S], seq 0, win 512, options [mss 1460,nop,nop,TS [|tcp]>\n"},
	{name: "truncated-header", snap: 14 + 20 + 10, frames: [][]byte{
		tcpFrame(seg{sport: 1, dport: 2, flags: fSYN}),
	}, want: "IP 10.0.0.1.1 > 10.0.0.2.2:  [|tcp]\n"},
	{name: "truncated-ports", snap: 14 + 20 + 3, frames: [][]byte{
		tcpFrame(seg{sport: 1, dport: 2, flags: fSYN}),
	}, want: "IP 10.0.0.1 > 10.0.0.2: [|tcp]\n"},
	{name: "mptcp", frames: [][]byte{
		tcpFrame(seg{sport: 1, dport: 2, flags: fSYN, opts: cat([]byte{30, 12, 0x01, 0x81}, []byte{1, 2, 3, 4, 5, 6, 7, 8}, []byte{30, 12, 0x11, 3, 0, 0, 0, 9, 0, 0, 0, 10})}),
		tcpFrame(seg{sport: 1, dport: 2, flags: fACK, opts: cat(
			[]byte{30, 20, 0x20, 0x15, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 4, 0xab, 0xcd}, // dss
			[]byte{30, 4, 0x40, 7}, // rem-addr
			[]byte{30, 3, 0x51},    // prio
			[]byte{30, 4, 0x80, 1}, // unknown (MP_TCPRST)
			nop, nop, nop, nop, nop,
		)}),
		tcpFrame(seg{sport: 1, dport: 2, flags: fACK, opts: cat(
			[]byte{30, 30, 0x30, 2, 0x20, 1, 0xd, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0x1f, 0x90, 1, 2, 3, 4, 5, 6, 7, 8}, // add-addr v6 + port + hmac
			nop, nop,
		)}),
		tcpFrame(seg{sport: 1, dport: 2, flags: fACK, opts: cat(
			[]byte{30, 12, 0x70, 0, 0, 0, 0, 0, 0, 0, 0, 42}, // fast-close
			[]byte{30, 12, 0x60, 0, 0, 0, 0, 0, 0, 0, 0, 43}, // fail
			[]byte{30, 8, 0x36, 0x06, 9, 1, 2, 3},            // add-addr v0 ip6 (for tcpdump, the length says IPv4)
		)}),
		tcpFrame(seg{sport: 1, dport: 2, flags: fSYN, opts: cat([]byte{30, 4, 0x20, 0}, nop, nop, nop, nop)}),
	}, want: "" +
		"IP 10.0.0.1.1 > 10.0.0.2.2: Flags [S], seq 0, win 512, options [mptcp 12 capable v1 csum {0x102030405060708},mptcp 12 join backup id 3 token 0x9 nonce 0xa], length 0\n" +
		"IP 10.0.0.1.1 > 10.0.0.2.2: Flags [.], ack 0, win 512, options [mptcp 20 dss fin ack 1 seq 2 subseq 3 len 4 csum 0xabcd,mptcp 4 rem-addr id 7,mptcp 3 prio backup,mptcp 4 unknown,nop,nop,nop,nop,nop], length 0\n" +
		"IP 10.0.0.1.1 > 10.0.0.2.2: Flags [.], ack 1, win 512, options [mptcp 30 add-addr v1 id 2 2001:db8::1:8080 hmac 0x102030405060708,nop,nop], length 0\n" +
		"IP 10.0.0.1.1 > 10.0.0.2.2: Flags [.], ack 1, win 512, options [mptcp 12 fast-close key 0x2a,mptcp 12 fail seq 43,mptcp 8 add-addr v0-ip6 id 6 9.1.2.3], length 0\n" +
		"IP 10.0.0.1.1 > 10.0.0.2.2: Flags [S], seq 0, win 512, options [mptcp 4 dss[bad opt]\n"},
	{name: "rst-data", args: []string{"-v"}, frames: [][]byte{
		tcpFrame(seg{sport: 80, dport: 3, seq: 1, ack: 2, flags: fRST | fACK, data: []byte("connection reset by peer, because of \x01\x81 reasons")}),
		tcpFrame(seg{sport: 80, dport: 3, seq: 1, flags: fRST, data: []byte("short")}),
	}, want: "" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto TCP (6), length 87)\n" +
		"    10.0.0.1.80 > 10.0.0.2.3: Flags [R.], cksum 0x9031 (correct), seq 1:48, ack 2, win 512, length 47 [RST+ connection reset by peer, beca]\n" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto TCP (6), length 45)\n" +
		"    10.0.0.1.80 > 10.0.0.2.3: Flags [R], cksum 0x42aa (correct), seq 1:6, win 512, length 5 [RST short]\n"},
	{name: "rst-data-truncated", args: []string{"-v"}, snap: 14 + 20 + 20 + 3, frames: [][]byte{
		tcpFrame(seg{sport: 80, dport: 3, seq: 1, flags: fRST, data: []byte("a\nbcdef")}),
	}, want: "" +
		"IP (tos 0x0, ttl 64, id 4660, offset 0, flags [none], proto TCP (6), length 47)\n" +
		"    10.0.0.1.80 > 10.0.0.2.3: Flags [R], seq 1:8, win 512, length 7 [!RST a^Jb]\n"},
	{name: "http", frames: [][]byte{
		tcpFrame(seg{sport: 8080, dport: 5, seq: 1, flags: fPSH, data: []byte("HTTP/1.1 404 Not Found\r\n")}),
		tcpFrame(seg{sport: 8080, dport: 5, seq: 1, flags: fPSH, data: []byte("\x00\x01binary")}),
		tcpFrame(seg{sport: 8080, dport: 5, seq: 1, flags: fPSH, data: []byte("get /no-end-of-line")}),
	}, want: "" +
		"IP 10.0.0.1.8080 > 10.0.0.2.5: Flags [P], seq 1:25, win 512, length 24: HTTP: HTTP/1.1 404 Not Found\n" +
		"IP 10.0.0.1.8080 > 10.0.0.2.5: Flags [P], seq 1:9, win 512, length 8: HTTP\n" +
		"IP 10.0.0.1.8080 > 10.0.0.2.5: Flags [P], seq 1:20, win 512, length 19: HTTP: get /no-end-of-line [|http]\n"},
	{name: "ssh-smtp-ftp", frames: [][]byte{
		tcpFrame(seg{sport: 22, dport: 5, seq: 1, flags: fPSH, data: []byte("SSH-2.0-Go\r\n")}),
		tcpFrame(seg{sport: 22, dport: 5, seq: 1, flags: fPSH, data: []byte("SSH-2.0-Go")}),
		tcpFrame(seg{sport: 25, dport: 5, seq: 1, flags: fPSH, data: []byte("220 mail ESMTP\r\n")}),
		tcpFrame(seg{sport: 5, dport: 21, seq: 1, flags: fPSH, data: []byte("USER x\r\nPASS y\r\n")}),
	}, want: "" +
		"IP 10.0.0.1.22 > 10.0.0.2.5: Flags [P], seq 1:13, win 512, length 12: SSH: SSH-2.0-Go\n" +
		"IP 10.0.0.1.22 > 10.0.0.2.5: Flags [P], seq 1:11, win 512, length 10\n" +
		"IP 10.0.0.1.25 > 10.0.0.2.5: Flags [P], seq 1:17, win 512, length 16: SMTP: 220 mail ESMTP\n" +
		"IP 10.0.0.1.5 > 10.0.0.2.21: Flags [P], seq 1:17, win 512, length 16: FTP: USER x\n"},
	{name: "pptp", frames: [][]byte{
		tcpFrame(seg{sport: 1723, dport: 5, seq: 1, flags: fPSH, data: []byte{
			0, 24, 0, 1, 0x1a, 0x2b, 0x3c, 0x4d, 0, 15, 0, 0, // header, SLI
			0, 7, 0, 0, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 1}}),
		tcpFrame(seg{sport: 1723, dport: 5, seq: 1, flags: fPSH, data: []byte{
			0, 16, 0, 1, 0x1a, 0x2b, 0x3c, 0x4d, 0, 6, 0, 0, // ECHORP
			0, 0, 0, 9, 1, 0, 0, 0}}),
	}, want: "" +
		"IP 10.0.0.1.1723 > 10.0.0.2.5: Flags [P], seq 1:25, win 512, length 24: pptp CTRL_MSGTYPE=SLI PEER_CALL_ID(7) SEND_ACCM(0xffffffff) RECV_ACCM(0x00000001)\n" +
		"IP 10.0.0.1.1723 > 10.0.0.2.5: Flags [P], seq 1:21, win 512, length 20: pptp CTRL_MSGTYPE=ECHORP ID(9) RESULT_CODE(1) ERR_CODE(0)\n"},
	{name: "nfs", frames: [][]byte{
		tcpFrame(seg{sport: 2049, dport: 900, seq: 1, flags: fPSH, data: []byte{
			0x80, 0, 0, 16, 0, 0, 0, 5, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0}}),
		tcpFrame(seg{sport: 2049, dport: 900, seq: 1, flags: fPSH, data: []byte{
			0x80, 0, 0, 20, 0, 0, 0, 7, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 3}}),
	}, want: "" +
		"IP 10.0.0.1.2049 > 10.0.0.2.900: Flags [P], seq 1:21, win 512, length 20: NFS reply xid 5 reply ok 16\n" +
		"IP 10.0.0.1.2049 > 10.0.0.2.900: Flags [P], seq 1:25, win 512, length 24: NFS reply xid 7 reply ERR 20: Auth Bogus Verifier (seal broken)\n"},
}

func TestTCPPrinter(t *testing.T) { runPrintCases(t, tcpCases) }

func TestTCPCasesAgainstTCPDump(t *testing.T) { checkCasesWithTCPDump(t, tcpCases) }

// BenchmarkPrintTCP prints a data segment of an established connection
// with timestamps, the commonest packet of a bulk transfer; the printer
// must not allocate for it.
func BenchmarkPrintTCP(b *testing.B) {
	data := make([]byte, 1448)
	frames := [][]byte{
		tcpFrame(seg{sport: 40000, dport: 5201, seq: 1000, ack: 7000, flags: fSYN | fACK, opts: cat(mss, sok, tsOp, nop, ws7)}),
		tcpFrame(seg{sport: 40000, dport: 5201, seq: 1001, ack: 7001, flags: fPSH | fACK, opts: cat(nop, nop, tsOp), data: data}),
	}
	for _, args := range [][]string{nil, {"-v"}} {
		name := "plain"
		if args != nil {
			name = "v"
		}
		b.Run(name, func(b *testing.B) {
			p := New(nil, flagOptions(b, append([]string{"-n", "-r", "-"}, args...)))
			pkt := &pcap.Packet{Data: frames[0], Length: len(frames[0]), LinkType: pcap.LinkTypeEthernet, Sec: 1e9, FracPerSec: 1e6}
			buf := p.AppendPacket(nil, pkt)
			pkt = &pcap.Packet{Data: frames[1], Length: len(frames[1]), LinkType: pcap.LinkTypeEthernet, Sec: 1e9, FracPerSec: 1e6}
			b.ReportAllocs()
			b.SetBytes(int64(len(frames[1])))
			for b.Loop() {
				buf = p.AppendPacket(buf[:0], pkt)
			}
		})
	}
}
