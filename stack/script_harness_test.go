package stack

import (
	"bytes"
	"strings"
	"testing"

	"github.com/medina-net/medina/ethernet"
	"github.com/medina-net/medina/icmp"
	"github.com/medina-net/medina/ipv4"
)

// TestScriptHarness checks that the stack's script harness fails a script
// that is wrong, and says why: a checker that cannot fail proves nothing.
func TestScriptHarness(t *testing.T) {
	const open = `
0.000 listen :80
0.000 < 10.0.0.2.40000 > 10.0.0.1.80: S 1000:1000(0) win 65535 <mss 1460>
0.000 > 10.0.0.1.80 > 10.0.0.2.40000: S. 0:0(0) ack 1001 win 65535 <mss 1460>
0.010 < 10.0.0.2.40000 > 10.0.0.1.80: . 1001:1001(0) ack 1 win 65535
0.010 accept 80
`
	const ping = "0.100 < 10.0.0.2 > 10.0.0.1: icmp echo request id 1 seq 1 length 64\n"
	const who = "0.200 < arp who-has 10.0.0.1 tell 10.0.0.3 (02:00:00:00:00:03)\n"
	for _, tc := range []struct {
		name, script, want string
	}{
		{"passes", open + `0.020 write 10
0.020 > 10.0.0.1.80 > 10.0.0.2.40000: P. 1:11(10) ack 1001 win 65535
0.030 < 10.0.0.2.40000 > 10.0.0.1.80: P. 1001:1011(10) ack 11 win 65535
0.030 read 10
0.030 state ESTABLISHED
0.070 > 10.0.0.1.80 > 10.0.0.2.40000: . 11:11(0) ack 1011 win 65535
` + ping + `0.100 > 10.0.0.1 > 10.0.0.2: ttl 64 flags [none] offset 0 icmp echo reply id 1 seq 1 length 64
` + who + `0.200 > arp reply 10.0.0.1 is-at 02:00:00:00:00:01 to 10.0.0.3 (02:00:00:00:00:03)
0.300 udp listen :53
0.300 < 10.0.0.2.1000 > 10.0.0.1.53: udp length 12
0.300 udp read 12
0.400 < 10.0.0.2.1000 > 10.0.0.1.54: udp length 12
0.400 > 10.0.0.1 > 10.0.0.2: icmp unreachable port
0.400 stat UDP.NoPorts 1
0.400 stat tcp.PassiveOpens 1
0.500 forget 10.0.0.2
0.500 < 10.0.0.2 > 10.0.0.1: icmp echo request id 1 seq 2
0.500 > arp who-has 10.0.0.2 tell 10.0.0.1
0.510 < arp reply 10.0.0.2 is-at 02:00:00:00:00:02
0.510 > 10.0.0.1 > 10.0.0.2: icmp echo reply id 1 seq 2 length 8
`, ""},
		{"fragments", `0.000 < 10.0.0.2.1000 > 10.0.0.1.53: flags [MF] udp length 96
0.000 stat IP.ReasmReqds 1
30.000 > 10.0.0.1 > 10.0.0.2: icmp time exceeded reassembly
`, ""},
		{"peer's ICMP error", ping + `0.100 > 10.0.0.1 > 10.0.0.2: icmp echo reply id 1 seq 1
0.200 < 10.0.0.2 > 10.0.0.1: icmp unreachable port
0.200 stat ICMP.InDestUnreachs 1
`, ""},
		{"rest", open + "0.020 write 10\n0.020 > 10.0.0.1.80 > 10.0.0.2.40000: P. *:*(10) ack 1001 ...\n", ""},
		{"flags", open + "0.020 write 10\n0.020 > 10.0.0.1.80 > 10.0.0.2.40000: . 1:11(10) ack 1001 win 65535\n", "flags P., want ."},
		{"seq", open + "0.020 write 10\n0.020 > 10.0.0.1.80 > 10.0.0.2.40000: P. 2:12(10) ack 1001 win 65535\n", "seq 1, want 2"},
		{"port", open + "0.020 write 10\n0.020 > 10.0.0.1.81 > 10.0.0.2.40000: P. 1:11(10) ack 1001 win 65535\n", "source port 80, want 81"},
		{"address", ping + "0.100 > 10.0.0.1 > 10.0.0.3: icmp echo reply id 1 seq 1\n", "destination 10.0.0.2, want 10.0.0.3"},
		{"ethernet", ping + "0.100 > eth ff:ff:ff:ff:ff:ff 10.0.0.1 > 10.0.0.2: icmp echo reply id 1 seq 1\n",
			"Ethernet destination 02:00:00:00:00:02, want ff:ff:ff:ff:ff:ff"},
		{"icmp type", ping + "0.100 > 10.0.0.1 > 10.0.0.2: icmp unreachable port\n", "ICMP echo reply, want unreachable port"},
		{"icmp id", ping + "0.100 > 10.0.0.1 > 10.0.0.2: icmp echo reply id 2 seq 1\n", "id 1, want 2"},
		{"icmp length", ping + "0.100 > 10.0.0.1 > 10.0.0.2: icmp echo reply id 1 seq 1 length 8\n", "ICMP length 64, want 8"},
		{"ttl", ping + "0.100 > 10.0.0.1 > 10.0.0.2: ttl 63 icmp echo reply id 1 seq 1\n", "ttl 64, want 63"},
		{"ip flags", ping + "0.100 > 10.0.0.1 > 10.0.0.2: flags [DF] icmp echo reply id 1 seq 1\n", "flags none, want DF"},
		{"ip options", ping + "0.100 > 10.0.0.1 > 10.0.0.2: ipopt 01 icmp echo reply id 1 seq 1\n", "IP options , want 01000000"},
		{"protocol", ping + "0.100 > 10.0.0.1.1 > 10.0.0.2.1: udp length 56\n", "protocol 1, want 17"},
		{"arp target", who + "0.200 > arp reply 10.0.0.1 is-at 02:00:00:00:00:01 to 10.0.0.3\n",
			"target hardware address 02:00:00:00:00:03, want 02:00:00:00:00:02"},
		{"arp op", who + "0.200 > arp who-has 10.0.0.3 tell 10.0.0.1\n", "ARP operation"},
		{"arp or ip", who + "0.200 > 10.0.0.1 > 10.0.0.3: icmp echo reply id 1 seq 1\n", "an ARP packet and an IPv4 datagram"},
		{"time", ping + "0.200 > 10.0.0.1 > 10.0.0.2: icmp echo reply id 1 seq 1\n", "written at 0.100"},
		{"nothing written", open + "0.020 > 10.0.0.1.80 > 10.0.0.2.40000: . 1:1(0) ack 1001 win 65535\n", "nothing was written by 0.020"},
		{"none", ping + "0.100 > none\n", "unexpected frame written at 0.100"},
		{"unmatched before input", ping + "0.200 < 10.0.0.2 > 10.0.0.1: icmp echo request id 1 seq 2\n", "unexpected frame"},
		{"unmatched at the end", ping, "at the end: unexpected frame"},
		{"time back", ping + "0.050 stat IP.InReceives 1\n", "time goes back"},
		{"stat", ping + "0.100 > 10.0.0.1 > 10.0.0.2: icmp echo reply id 1 seq 1\n0.100 stat IP.InAddrErrors 1\n", "InAddrErrors is 0, want 1"},
		{"tcp stat", open + "0.020 stat TCP.PassiveOpens 2\n", "PassiveOpens is 1, want 2"},
		{"no such stat", ping + "0.100 > 10.0.0.1 > 10.0.0.2: icmp echo reply id 1 seq 1\n0.100 stat IP.Nope 1\n", `no field "Nope" in IPStats`},
		{"state", open + "0.020 state CLOSE-WAIT\n", "state ESTABLISHED, want CLOSE-WAIT"},
		{"udp read", "0.000 udp listen :53\n0.000 udp read 1\n", "no datagram waiting"},
		{"forget", "0.000 forget 10.0.0.3\n", "knows no neighbour 10.0.0.3"},
		{"quote", "0.000 < 10.0.0.2 > 10.0.0.1: icmp unreachable port\n", "quotes the stack's latest datagram, and it sent none"},
		{"config", "config Nope=1\n0.000 stat IP.InReceives 0\n", `no field "Nope" in Config`},
		{"parse: ports", "0.000 < 10.0.0.2.1 > 10.0.0.1: icmp echo request id 1 seq 1\n", "ports on both sides or on neither"},
		{"parse: colon", "0.000 < 10.0.0.2 > 10.0.0.1 icmp echo request id 1 seq 1\n", "with a colon after the destination"},
		{"parse: transport", "0.000 < 10.0.0.2 > 10.0.0.1: S 1:1(0) win 1\n", "want icmp ... or proto N length L"},
		{"parse: tcp", "0.000 < 10.0.0.2.1 > 10.0.0.1.2: S 1:1(0) ack 1 win 1\n", "ack N goes with the . (ACK) flag"},
		{"parse: ipopt", "0.000 < 10.0.0.2 > 10.0.0.1: ipopt icmp echo request id 1 seq 1\n", "ipopt: want 1 to 40 option bytes"},
		{"parse: ip flags", "0.000 < 10.0.0.2 > 10.0.0.1: flags DF icmp echo request id 1 seq 1\n", "want [DF], [MF], [DF,MF] or [none]"},
		{"parse: ip flags bracket", "0.000 < 10.0.0.2 > 10.0.0.1: flags DF] icmp echo request id 1 seq 1\n", "want [DF], [MF], [DF,MF] or [none]"},
		{"parse: offset", "0.000 < 10.0.0.2 > 10.0.0.1: offset 7 icmp echo request id 1 seq 1\n", "not a multiple of 8"},
		{"parse: icmp", "0.000 < 10.0.0.2 > 10.0.0.1: icmp echo id 1 seq 1\n", `echo "id": want request or reply`},
		{"parse: icmp code", "0.000 > 10.0.0.1 > 10.0.0.2: icmp unreachable everything\n", `unknown code "everything"`},
		{"parse: trailing", "0.000 < 10.0.0.2 > 10.0.0.1: icmp parameter problem pointer 1 2\n", `"2" after the packet`},
		{"parse: arp", "0.000 < arp who-is 10.0.0.1 tell 10.0.0.2\n", `arp "who-is": want who-has or reply`},
		{"parse: mac", "0.000 < eth ff:ff 10.0.0.2 > 10.0.0.1: icmp echo request id 1 seq 1\n", "eth:"},
		{"parse: action", "0.000 frobnicate\n", "unknown action"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			lines, err := parseScript(tc.script)
			if err == nil {
				r := &scriptRun{t: t, file: tc.name}
				err = r.run(lines)
				r.cleanup()
			}
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("failed: %v", err)
			case tc.want != "" && err == nil:
				t.Errorf("passed, want a failure saying %q", tc.want)
			case tc.want != "" && !strings.Contains(err.Error(), tc.want):
				t.Errorf("failed with\n%v\nwant it to say %q", err, tc.want)
			}
		})
	}
}

// TestScriptFrameChecks checks that the harness reports a frame the stack
// should never write, whatever the script says: the stack cannot be made
// to write one, so the frames are made by hand.
func TestScriptFrameChecks(t *testing.T) {
	r := &scriptRun{t: t, file: t.Name()}
	lines, err := parseScript("0.000 udp listen :9\n0.000 < 10.0.0.2.1000 > 10.0.0.1.9: udp length 4\n")
	if err != nil {
		t.Fatal(err)
	}
	if err := r.run(lines); err != nil {
		t.Fatal(err)
	}
	defer r.cleanup()
	sent := r.injected[0]
	reply := func(src, dst ipv4.Addr, m []byte) []byte {
		return ethFrame(peerMAC, fuzzMAC, ethernet.TypeIPv4, dgram(src, dst, ipv4.ProtoICMP, 1, 0, 0, m))
	}
	unreach := func(quote []byte) []byte { return unreachMsg(icmp.UnreachPort, quote) }
	good := reply(fuzzIP, peerIP, unreach(sent))
	for _, tc := range []struct {
		name  string
		frame []byte
		want  string
	}{
		{"good", good, ""},
		{"MAC", ethFrame(peerMAC, evilMAC, ethernet.TypeIPv4, dgram(fuzzIP, peerIP, ipv4.ProtoICMP, 1, 0, 0, unreach(sent))), "not the stack's MAC"},
		{"IP checksum", func() []byte {
			f := bytes.Clone(good)
			h := ipv4.Header(ethernet.Frame(f).Payload())
			h.SetChecksum(h.Checksum() + 1)
			return f
		}(), "bad IPv4 datagram"},
		{"ICMP checksum", func() []byte {
			f := bytes.Clone(good)
			m := icmp.Message(ipv4.Header(ethernet.Frame(f).Payload()).Payload())
			m.SetChecksum(m.Checksum() + 1)
			return f
		}(), "bad ICMP message"},
		{"quote of nothing sent", reply(fuzzIP, peerIP, unreach(udpDgram(peerIP, fuzzIP, 1, 2, []byte("other")))), "start no datagram the peer sent"},
		{"short quote", reply(fuzzIP, peerIP, unreach(sent[:ipv4.MinHeaderLen+4])), "or too few of them"},
		{"echo data", reply(fuzzIP, peerIP, echoMsg(icmp.TypeEchoReply, 1, 1, []byte("not the pattern"))), "echo data that is not the pattern"},
		{"EtherType", ethFrame(peerMAC, fuzzMAC, 0x86dd, make([]byte, 40)), "EtherType 0x86dd"},
		{"too long", ethFrame(peerMAC, fuzzMAC, ethernet.TypeIPv4, dgram(fuzzIP, peerIP, 99, 1, 0, 0, make([]byte, 1500))), "over the MTU"},
	} {
		_, err := r.describe(sentFrame{at: scriptStart, b: tc.frame})
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%s: %v, want an error saying %q", tc.name, err, tc.want)
		}
	}
}
