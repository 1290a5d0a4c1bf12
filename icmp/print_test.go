package icmp

import (
	"encoding/binary"
	"fmt"
	"strings"
	"testing"

	"github.com/medina-net/medina/ipv4"
)

// tcpdumpLine renders a message the way tcpdump 4.99.3 -n does on its
// first line ("ICMP echo request, id 1, seq 2, length 64"), using only the
// package's API: the proof that the views give netdump what it needs. b is
// the message as captured, plen its length as the IP header says. A field
// beyond the capture ends the line with "[|icmp]", as tcpdump does.
func tcpdumpLine(b []byte, plen int) string {
	m, err := NewMessage(b)
	if err != nil {
		// Shorter than 4 bytes: tcpdump reads the type and code bytes
		// alone, and gives up on a type whose fields it reads.
		if len(b) < 2 {
			return " [|icmp]"
		}
		switch t := Type(b[0]); t {
		case TypeEcho, TypeEchoReply, TypeDestUnreachable, TypeRedirect, TypeRouterAdvert, TypeTimeExceeded,
			TypeParamProblem, TypeAddressMaskReply, TypeTimestamp, TypeTimestampReply:
			return " [|icmp]"
		case TypeSourceQuench, TypeRouterSolicit, TypeInfoRequest, TypeInfoReply, TypeAddressMaskRequest:
			return fmt.Sprintf("ICMP %v, length %d", t, plen)
		default:
			return fmt.Sprintf("ICMP type-#%d, length %d", t, plen)
		}
	}
	trunc := " [|icmp]"
	var s string
	quotedDst := func() (string, bool) {
		q, err := ipv4.NewHeader(m.Payload())
		if err != nil {
			return "", false
		}
		return q.Dst().String(), true
	}
	switch t, c := m.Type(), m.Code(); t {
	case TypeEcho, TypeEchoReply:
		if !m.HasRest() {
			return trunc
		}
		s = fmt.Sprintf("%v, id %d, seq %d", t, m.ID(), m.Seq())
	case TypeDestUnreachable:
		dst, ok := quotedDst()
		if !ok {
			return trunc
		}
		switch c {
		case UnreachPort:
			q, _ := ipv4.NewHeader(m.Payload())
			ports := m.Payload()[min(len(m.Payload()), q.HeaderLen()):]
			if len(ports) < 4 {
				return trunc
			}
			port := binary.BigEndian.Uint16(ports[2:])
			switch q.Protocol() {
			case ipv4.ProtoTCP:
				s = fmt.Sprintf("%s tcp port %d unreachable", dst, port)
			case ipv4.ProtoUDP:
				s = fmt.Sprintf("%s udp port %d unreachable", dst, port)
			default:
				s = fmt.Sprintf("%s protocol %d port %d unreachable", dst, q.Protocol(), port)
			}
		case UnreachNeedFrag:
			if mtu := m.NextHopMTU(); mtu != 0 {
				s = fmt.Sprintf("%s unreachable - need to frag (mtu %d)", dst, mtu)
			} else {
				s = fmt.Sprintf("%s unreachable - need to frag", dst)
			}
		case UnreachHost:
			s = fmt.Sprintf("host %s unreachable", dst)
		default:
			s = fmt.Sprintf("%s unreachable - #%d", dst, c)
		}
	case TypeRedirect:
		dst, ok := quotedDst()
		if !ok {
			return trunc
		}
		s = fmt.Sprintf("redirect %s to host %v", dst, m.Gateway())
	case TypeTimeExceeded:
		if _, ok := quotedDst(); !ok {
			return trunc
		}
		s = "time exceeded in-transit"
	case TypeParamProblem:
		s = fmt.Sprintf("parameter problem - octet %d", m.Pointer())
	case TypeAddressMaskReply:
		mask, ok := m.AddressMask()
		if !ok {
			return trunc
		}
		s = fmt.Sprintf("address mask is 0x%08x", mask.Uint32())
	case TypeTimestamp:
		s = fmt.Sprintf("time stamp query id %d seq %d", m.ID(), m.Seq())
	case TypeTimestampReply:
		o, r, x, ok := m.Timestamps()
		if !ok {
			return trunc
		}
		s = fmt.Sprintf("time stamp reply id %d seq %d: org %s, recv %s, xmit %s", m.ID(), m.Seq(), clock(o), clock(r), clock(x))
	case TypeSourceQuench, TypeRouterSolicit, TypeInfoRequest, TypeInfoReply, TypeAddressMaskRequest:
		s = t.String()
	default:
		s = fmt.Sprintf("type-#%d", t)
	}
	return fmt.Sprintf("ICMP %s, length %d", s, plen)
}

func TestPrintLikeTcpdump(t *testing.T) {
	check := func(ps []capturedIPv4, want map[int]string) {
		t.Helper()
		seen := 0
		for _, p := range ps {
			b, h, ok := icmpIn(p.b)
			w, listed := want[p.n]
			if !ok || !listed {
				continue
			}
			seen++
			got := tcpdumpLine(b, int(h.TotalLen())-h.HeaderLen())
			if got != w {
				t.Errorf("%s #%d:\n got %s\nwant %s", p.file, p.n, got, w)
			}
		}
		if seen != len(want) {
			t.Errorf("%s: %d of %d messages found", ps[0].file, seen, len(want))
		}
	}
	check(readIPv4(t, linuxLoPcap), map[int]string{
		1:  "ICMP echo request, id 4660, seq 1, length 64",
		2:  "ICMP echo reply, id 4660, seq 1, length 64",
		3:  "ICMP time stamp query id 17185 seq 7, length 20",
		4:  "ICMP time stamp reply id 17185 seq 7: org 03:25:45.678, recv 23:38:13.953, xmit 23:38:13.953, length 20",
		5:  "ICMP address mask request, length 12",
		7:  "ICMP 127.0.0.1 udp port 9 unreachable, length 55",
		9:  "ICMP 127.0.0.1 udp port 9 unreachable, length 556",
		11: "ICMP 127.0.0.1 udp port 7 unreachable, length 78",
		19: "ICMP 127.0.0.1 udp port 7 unreachable, length 42",
		21: "ICMP echo request, id 4660, seq 2, length 12",
		22: "ICMP echo reply, id 4660, seq 2, length 12",
	})
	for _, c := range []struct {
		file string
		want map[int]string
	}{
		{"icmp-rfc8335.pcap", map[int]string{1: "ICMP type-#42, length 28", 6: "ICMP type-#43, length 32"}},
		{"icmp_ext_oob_poc.pcap", map[int]string{1: "ICMP type-#42, length 24"}},
		{"icmp-cksum-oobr-1.pcap", map[int]string{1: "ICMP 62.220.31.247 udp port 1027 unreachable, length 13891"}},
		{"icmp-cksum-oobr-3.pcapng", map[int]string{1: "ICMP 97.242.24.11 udp port 162 unreachable, length 4399"}},
		{"extract_read2_asan.pcap", map[int]string{1: "ICMP source quench, length 484"}},
		{"icmp-icmp_print-oobr-1.pcap", map[int]string{1: "ICMP type-#49, length 3"}},
	} {
		check(capture(t, c.file), c.want)
	}
}

// TestMultipartLikeTcpdump checks what a printer following tcpdump 4.99.3
// -v finds at LegacyExtensionOffset of the corpus's truncated port
// unreachables: "ICMP Multi-Part extension v0 packet not supported".
func TestMultipartLikeTcpdump(t *testing.T) {
	for _, file := range []string{"icmp-cksum-oobr-1.pcap", "icmp-cksum-oobr-3.pcapng"} {
		for _, p := range capture(t, file) {
			b, _, ok := icmpIn(p.b)
			if !ok {
				continue
			}
			m, _ := NewMessage(b)
			e, err := NewExtension(m[LegacyExtensionOffset:])
			var line strings.Builder
			if err == nil {
				fmt.Fprintf(&line, "ICMP Multi-Part extension v%d", e.Version())
				if e.Version() != ExtensionVersion {
					line.WriteString(" packet not supported")
				}
			}
			if got := line.String(); got != "ICMP Multi-Part extension v0 packet not supported" {
				t.Errorf("%s: %q", file, got)
			}
			if _, ok := m.Extension(); ok {
				t.Errorf("%s: Extension found one", file)
			}
		}
	}
}
