package stack

// The frame notation of the stack's scripts (script_test.go describes
// it): parsing a line into a frameSpec with every default filled in, and
// printing one back.

import (
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"

	"github.com/medina-net/medina/arp"
	"github.com/medina-net/medina/ethernet"
	"github.com/medina-net/medina/icmp"
	"github.com/medina-net/medina/internal/pktscript"
	"github.com/medina-net/medina/ipv4"
)

// frameSpec is a frame as a script writes it, or as the harness reads a
// frame the stack sent. Parsing fills in every default, so that matching
// compares fields; printing leaves out what equals its default.
type frameSpec struct {
	none           bool // "> none": nothing sent
	out            bool // a frame the stack sends (>), not the peer (<)
	ethSrc, ethDst ethernet.Addr
	arp            *arpSpec
	ip             *ipSpec
}

// arpSpec is an Ethernet/IPv4 ARP packet.
type arpSpec struct {
	op       arp.Operation
	sha, tha ethernet.Addr
	spa, tpa ipv4.Addr
}

// ipSpec is an IPv4 datagram. The fields a script may leave out are
// checked in a frame the stack sends only when written (their *Set).
type ipSpec struct {
	src, dst     ipv4.Addr
	ports        bool // the transport has ports (TCP, UDP), written SRC.PORT
	sport, dport uint16

	ttl, tos                     uint8
	id                           uint16
	flags                        ipv4.Flags
	offset                       int // fragment offset in bytes
	ttlSet, tosSet, idSet        bool
	flagsSet, offsetSet, optsSet bool
	opts                         []byte // the option bytes, padded to a multiple of 4

	proto ipv4.Protocol
	tcp   *pktscript.Segment
	icmp  *icmpSpec
	// length is the payload's length after the transport header: UDP's,
	// or the whole payload of another protocol (proto N length L).
	length int
}

// icmpSpec is an ICMP message: an echo or one of the errors.
type icmpSpec struct {
	typ     icmp.Type
	code    icmp.Code
	id, seq uint16 // echo
	pointer uint8  // parameter problem
	mtu     uint16 // unreachable, needfrag
	length  int    // the whole message, header included, as tcpdump counts it
	mtuSet  bool
	lenSet  bool
}

// Names of ICMP codes, as a script writes them after the type.
var (
	unreachCodes = map[string]icmp.Code{"net": icmp.UnreachNet, "host": icmp.UnreachHost,
		"protocol": icmp.UnreachProtocol, "port": icmp.UnreachPort, "needfrag": icmp.UnreachNeedFrag,
		"srcroute": icmp.UnreachSrcRouteFailed}
	timeExceededCodes = map[string]icmp.Code{"ttl": icmp.TimeExceededTTL, "reassembly": icmp.TimeExceededReassembly}
)

// frameScanner reads the line of a frame a field at a time, keeping the
// rest as written (a TCP segment's options hold spaces).
type frameScanner struct{ rest string }

// peek returns the next field, or "" at the end, without taking it.
func (s *frameScanner) peek() string {
	r := strings.TrimLeft(s.rest, " \t")
	if i := strings.IndexAny(r, " \t"); i >= 0 {
		return r[:i]
	}
	return r
}

// next takes the next field, or "" at the end.
func (s *frameScanner) next() string {
	f := s.peek()
	s.rest = strings.TrimLeft(s.rest, " \t")[len(f):]
	return f
}

// num takes a decimal field of at most bits bits, for what.
func (s *frameScanner) num(what string, bits int) (uint64, error) {
	f := s.next()
	v, err := strconv.ParseUint(f, 10, bits)
	if err != nil {
		return 0, fmt.Errorf("%s: bad number %q", what, f)
	}
	return v, nil
}

// want takes the next field, which must be word.
func (s *frameScanner) want(word string) error {
	if f := s.next(); f != word {
		return fmt.Errorf("want %q, not %q", word, f)
	}
	return nil
}

// parseFrame parses what follows < or > in a stack script.
func parseFrame(text string, out bool) (*frameSpec, error) {
	f := &frameSpec{out: out}
	if out && strings.TrimSpace(text) == "none" {
		f.none = true
		return f, nil
	}
	sc := &frameScanner{rest: text}
	f.ethSrc = f.defaultEthSrc()
	dstSet := false
	if sc.peek() == "eth" {
		sc.next()
		a, err := ethernet.ParseAddr(sc.next())
		if err != nil {
			return nil, fmt.Errorf("eth: %v", err)
		}
		if sc.peek() == ">" {
			sc.next()
			f.ethSrc = a
			if a, err = ethernet.ParseAddr(sc.next()); err != nil {
				return nil, fmt.Errorf("eth: %v", err)
			}
		}
		f.ethDst, dstSet = a, true
	}
	var err error
	if sc.peek() == "arp" {
		sc.next()
		err = f.parseARP(sc)
	} else {
		err = f.parseIP(sc)
	}
	if err != nil {
		return nil, err
	}
	if !dstSet {
		f.ethDst = f.defaultEthDst()
	}
	return f, nil
}

// defaultEthSrc is the Ethernet source a frame has unless the script
// says: the stack's MAC for what it sends, the peer's for the peer's.
func (f *frameSpec) defaultEthSrc() ethernet.Addr {
	if f.out {
		return fuzzMAC
	}
	return peerMAC
}

// defaultEthDst is the Ethernet destination a frame has unless the script
// says: the broadcast address for an ARP request and a datagram to a
// broadcast address, an ARP reply's target, and else the other side's
// MAC (the peer's, 10.0.0.2's, for what the stack sends).
func (f *frameSpec) defaultEthDst() ethernet.Addr {
	switch {
	case f.arp != nil && f.arp.op == arp.OpRequest:
		return ethernet.Broadcast
	case f.arp != nil:
		return f.arp.tha
	case f.ip.dst == ipv4.Broadcast || f.ip.dst == linkBcIP:
		return ethernet.Broadcast
	case f.out:
		return peerMAC
	}
	return fuzzMAC
}

// parseARP parses "who-has TPA [(THA)] tell SPA [(SHA)]" or "reply SPA
// is-at SHA [to TPA [(THA)]]". The hardware addresses left out are the
// sender's own (the Ethernet source's), zero for a request's target, and
// for a reply's target replyTarget's.
func (f *frameSpec) parseARP(sc *frameScanner) error {
	a := &arpSpec{}
	f.arp = a
	paren := func(def ethernet.Addr) (ethernet.Addr, error) {
		p := sc.peek()
		if !strings.HasPrefix(p, "(") {
			return def, nil
		}
		sc.next()
		return ethernet.ParseAddr(strings.TrimSuffix(strings.TrimPrefix(p, "("), ")"))
	}
	addr := func() (ipv4.Addr, error) { return ipv4.ParseAddr(sc.next()) }
	var err error
	switch op := sc.next(); op {
	case "who-has":
		a.op = arp.OpRequest
		if a.tpa, err = addr(); err != nil {
			return err
		}
		if a.tha, err = paren(ethernet.Addr{}); err != nil {
			return err
		}
		if err := sc.want("tell"); err != nil {
			return err
		}
		if a.spa, err = addr(); err != nil {
			return err
		}
		if a.sha, err = paren(f.ethSrc); err != nil {
			return err
		}
	case "reply":
		a.op = arp.OpReply
		if a.spa, err = addr(); err != nil {
			return err
		}
		if err := sc.want("is-at"); err != nil {
			return err
		}
		if a.sha, err = ethernet.ParseAddr(sc.next()); err != nil {
			return err
		}
		a.tpa, a.tha = f.replyTarget()
		if sc.peek() == "to" {
			sc.next()
			if a.tpa, err = addr(); err != nil {
				return err
			}
			if a.tha, err = paren(a.tha); err != nil {
				return err
			}
		}
	default:
		return fmt.Errorf("arp %q: want who-has or reply", op)
	}
	if rest := sc.next(); rest != "" {
		return fmt.Errorf("arp: %q after the packet", rest)
	}
	return nil
}

// replyTarget is the target of an ARP reply unless the script says: the
// other side, 10.0.0.1 at the stack's MAC for the peer's replies, 10.0.0.2
// at the peer's for the stack's.
func (f *frameSpec) replyTarget() (ipv4.Addr, ethernet.Addr) {
	if f.out {
		return peerIP, peerMAC
	}
	return fuzzIP, fuzzMAC
}

// parseEndpoint parses "10.0.0.2" or "10.0.0.2.40000".
func parseEndpoint(s string) (a ipv4.Addr, port uint16, hasPort bool, err error) {
	if strings.Count(s, ".") == 4 {
		i := strings.LastIndexByte(s, '.')
		p, err := strconv.ParseUint(s[i+1:], 10, 16)
		if err != nil {
			return a, 0, false, fmt.Errorf("bad port in %q", s)
		}
		port, hasPort, s = uint16(p), true, s[:i]
	}
	a, err = ipv4.ParseAddr(s)
	return a, port, hasPort, err
}

// parseIP parses "SRC[.PORT] > DST[.PORT]: [IP fields] TRANSPORT".
func (f *frameSpec) parseIP(sc *frameScanner) error {
	ip := &ipSpec{ttl: 64}
	f.ip = ip
	src, sport, sp, err := parseEndpoint(sc.next())
	if err != nil {
		return err
	}
	if err := sc.want(">"); err != nil {
		return err
	}
	d := sc.next()
	if !strings.HasSuffix(d, ":") {
		return fmt.Errorf("want SRC > DST: with a colon after the destination, not %q", d)
	}
	dst, dport, dp, err := parseEndpoint(strings.TrimSuffix(d, ":"))
	if err != nil {
		return err
	}
	if sp != dp {
		return fmt.Errorf("ports on both sides or on neither")
	}
	ip.src, ip.dst, ip.sport, ip.dport, ip.ports = src, dst, sport, dport, sp
	if err := ip.parseFields(sc); err != nil {
		return err
	}
	switch t := sc.peek(); {
	case t == "udp" && ip.ports:
		sc.next()
		if err := sc.want("length"); err != nil {
			return fmt.Errorf("udp: %v", err)
		}
		n, err := sc.num("udp length", 16)
		ip.proto, ip.length = ipv4.ProtoUDP, int(n)
		if err != nil {
			return err
		}
	case t == "icmp" && !ip.ports:
		sc.next()
		ip.proto = ipv4.ProtoICMP
		if ip.icmp, err = parseICMP(sc, f.out); err != nil {
			return fmt.Errorf("icmp: %v", err)
		}
	case t == "proto" && !ip.ports:
		sc.next()
		p, err := sc.num("proto", 8)
		if err != nil {
			return err
		}
		if err := sc.want("length"); err != nil {
			return err
		}
		n, err := sc.num("length", 16)
		ip.proto, ip.length = ipv4.Protocol(p), int(n)
		if err != nil {
			return err
		}
	case pktscript.IsFlags(t) && ip.ports:
		ip.proto = ipv4.ProtoTCP
		seg, err := pktscript.ParseSegment(sc.rest, f.out)
		if err != nil {
			return err
		}
		ip.tcp, sc.rest = seg, ""
	case ip.ports:
		return fmt.Errorf("%q: want a TCP segment or udp length N after ports", t)
	default:
		return fmt.Errorf("%q: want icmp ... or proto N length L after addresses without ports", t)
	}
	if rest := sc.next(); rest != "" {
		return fmt.Errorf("%q after the packet", rest)
	}
	return nil
}

// parseFields parses the IP fields before the transport, in any order:
// ttl N, tos N, id N, flags [DF,MF], offset N, ipopt HH HH ...
func (ip *ipSpec) parseFields(sc *frameScanner) error {
	for {
		var err error
		var v uint64
		switch sc.peek() {
		case "ttl":
			sc.next()
			v, err = sc.num("ttl", 8)
			ip.ttl, ip.ttlSet = uint8(v), true
		case "tos":
			sc.next()
			v, err = sc.num("tos", 8)
			ip.tos, ip.tosSet = uint8(v), true
		case "id":
			sc.next()
			v, err = sc.num("id", 16)
			ip.id, ip.idSet = uint16(v), true
		case "offset":
			sc.next()
			v, err = sc.num("offset", 16)
			ip.offset, ip.offsetSet = int(v), true
			if v%8 != 0 {
				err = fmt.Errorf("offset %d is not a multiple of 8", v)
			}
		case "flags":
			sc.next()
			ip.flags, err = parseIPFlags(sc.next())
			ip.flagsSet = true
		case "ipopt":
			sc.next()
			for isHexByte(sc.peek()) {
				b, _ := hex.DecodeString(sc.next())
				ip.opts = append(ip.opts, b[0])
			}
			if len(ip.opts) == 0 || len(ip.opts) > 40 {
				return fmt.Errorf("ipopt: want 1 to 40 option bytes, as two lowercase hex digits each")
			}
			for len(ip.opts)%4 != 0 {
				ip.opts = append(ip.opts, 0) // padding, end of option list
			}
			ip.optsSet = true
		default:
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// isHexByte reports whether s is one byte in lowercase hex, which no
// keyword and no TCP flags field is.
func isHexByte(s string) bool {
	return len(s) == 2 && strings.Trim(s, "0123456789abcdef") == ""
}

// parseIPFlags parses "[DF]", "[MF]" (or "[+]", as tcpdump writes it),
// "[DF,MF]" or "[none]".
func parseIPFlags(s string) (ipv4.Flags, error) {
	in, open := strings.CutPrefix(s, "[")
	in, closed := strings.CutSuffix(in, "]")
	if !open || !closed {
		return 0, fmt.Errorf("flags %q: want [DF], [MF], [DF,MF] or [none]", s)
	}
	var fl ipv4.Flags
	for f := range strings.SplitSeq(in, ",") {
		switch f {
		case "DF":
			fl |= ipv4.FlagDF
		case "MF", "+":
			fl |= ipv4.FlagMF
		case "none":
		default:
			return 0, fmt.Errorf("flags %q: unknown flag %q", s, f)
		}
	}
	return fl, nil
}

// parseICMP parses an ICMP message after "icmp".
func parseICMP(sc *frameScanner, out bool) (*icmpSpec, error) {
	m := &icmpSpec{length: icmp.HeaderLen}
	var v uint64
	var err error
	switch w := sc.next(); w {
	case "echo":
		switch r := sc.next(); r {
		case "request":
			m.typ = icmp.TypeEcho
		case "reply":
			m.typ = icmp.TypeEchoReply
		default:
			return nil, fmt.Errorf("echo %q: want request or reply", r)
		}
		if err := sc.want("id"); err != nil {
			return nil, err
		}
		if v, err = sc.num("id", 16); err != nil {
			return nil, err
		}
		m.id = uint16(v)
		if err := sc.want("seq"); err != nil {
			return nil, err
		}
		if v, err = sc.num("seq", 16); err != nil {
			return nil, err
		}
		m.seq = uint16(v)
		if sc.peek() == "length" {
			sc.next()
			if v, err = sc.num("length", 16); err != nil {
				return nil, err
			}
			if v < icmp.HeaderLen {
				return nil, fmt.Errorf("length %d: an echo is at least %d bytes", v, icmp.HeaderLen)
			}
			m.length, m.lenSet = int(v), true
		}
	case "unreachable":
		m.typ = icmp.TypeDestUnreachable
		c := sc.next()
		if c == "code" {
			v, err = sc.num("code", 8)
			m.code = icmp.Code(v)
		} else if m.code, err = codeByName(unreachCodes, c); err != nil {
			return nil, err
		}
		if err == nil && sc.peek() == "mtu" {
			sc.next()
			v, err = sc.num("mtu", 16)
			m.mtu, m.mtuSet = uint16(v), true
		}
	case "time":
		m.typ = icmp.TypeTimeExceeded
		if err := sc.want("exceeded"); err != nil {
			return nil, err
		}
		m.code, err = codeByName(timeExceededCodes, sc.next())
	case "parameter":
		m.typ = icmp.TypeParamProblem
		if err := sc.want("problem"); err != nil {
			return nil, err
		}
		if err := sc.want("pointer"); err != nil {
			return nil, err
		}
		v, err = sc.num("pointer", 8)
		m.pointer = uint8(v)
	default:
		return nil, fmt.Errorf("%q: want echo, unreachable, time exceeded or parameter problem", w)
	}
	return m, err
}

func codeByName(names map[string]icmp.Code, name string) (icmp.Code, error) {
	c, ok := names[name]
	if !ok {
		return 0, fmt.Errorf("unknown code %q", name)
	}
	return c, nil
}

// nameOfCode is codeByName backwards: the name, or "code N".
func nameOfCode(names map[string]icmp.Code, c icmp.Code) string {
	for n, v := range names {
		if v == c {
			return n
		}
	}
	return fmt.Sprintf("code %d", c)
}

// String writes the frame back as a script line writes it, leaving out
// the Ethernet addresses and ARP hardware addresses that are the
// defaults, and the IP fields that are not set.
func (f *frameSpec) String() string {
	if f.none {
		return "none"
	}
	var b strings.Builder
	if src, dst := f.ethSrc != f.defaultEthSrc(), f.ethDst != f.defaultEthDst(); src || dst {
		b.WriteString("eth ")
		if src {
			fmt.Fprintf(&b, "%s > ", f.ethSrc)
		}
		fmt.Fprintf(&b, "%s ", f.ethDst)
	}
	if a := f.arp; a != nil {
		switch a.op {
		case arp.OpRequest:
			fmt.Fprintf(&b, "arp who-has %s", a.tpa.Netip())
			if a.tha != (ethernet.Addr{}) {
				fmt.Fprintf(&b, " (%s)", a.tha)
			}
			fmt.Fprintf(&b, " tell %s", a.spa.Netip())
			if a.sha != f.ethSrc {
				fmt.Fprintf(&b, " (%s)", a.sha)
			}
		default:
			fmt.Fprintf(&b, "arp reply %s is-at %s", a.spa.Netip(), a.sha)
			if tpa, tha := f.replyTarget(); a.tpa != tpa || a.tha != tha {
				fmt.Fprintf(&b, " to %s", a.tpa.Netip())
				if a.tha != tha {
					fmt.Fprintf(&b, " (%s)", a.tha)
				}
			}
		}
		return b.String()
	}
	ip := f.ip
	if ip.ports {
		fmt.Fprintf(&b, "%s.%d > %s.%d:", ip.src.Netip(), ip.sport, ip.dst.Netip(), ip.dport)
	} else {
		fmt.Fprintf(&b, "%s > %s:", ip.src.Netip(), ip.dst.Netip())
	}
	if ip.ttlSet {
		fmt.Fprintf(&b, " ttl %d", ip.ttl)
	}
	if ip.tosSet {
		fmt.Fprintf(&b, " tos %d", ip.tos)
	}
	if ip.idSet {
		fmt.Fprintf(&b, " id %d", ip.id)
	}
	if ip.flagsSet {
		fmt.Fprintf(&b, " flags [%s]", ipFlagsString(ip.flags))
	}
	if ip.offsetSet {
		fmt.Fprintf(&b, " offset %d", ip.offset)
	}
	if ip.optsSet {
		b.WriteString(" ipopt")
		for _, o := range ip.opts {
			fmt.Fprintf(&b, " %02x", o)
		}
	}
	switch {
	case ip.tcp != nil:
		fmt.Fprintf(&b, " %s", ip.tcp)
	case ip.icmp != nil:
		fmt.Fprintf(&b, " icmp %s", ip.icmp)
	case ip.proto == ipv4.ProtoUDP:
		fmt.Fprintf(&b, " udp length %d", ip.length)
	default:
		fmt.Fprintf(&b, " proto %d length %d", ip.proto, ip.length)
	}
	return b.String()
}

// ipFlagsString writes IP flags as a script does.
func ipFlagsString(f ipv4.Flags) string {
	var s []string
	if f&ipv4.FlagDF != 0 {
		s = append(s, "DF")
	}
	if f&ipv4.FlagMF != 0 {
		s = append(s, "MF")
	}
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, ",")
}

// kind names the message's type, and its code where it matters, as a
// script writes them.
func (m *icmpSpec) kind() string {
	switch m.typ {
	case icmp.TypeEcho:
		return "echo request"
	case icmp.TypeEchoReply:
		return "echo reply"
	case icmp.TypeDestUnreachable:
		return "unreachable " + nameOfCode(unreachCodes, m.code)
	case icmp.TypeTimeExceeded:
		return "time exceeded " + nameOfCode(timeExceededCodes, m.code)
	case icmp.TypeParamProblem:
		return "parameter problem"
	}
	return fmt.Sprintf("type %d code %d", m.typ, m.code)
}

func (m *icmpSpec) String() string {
	s := m.kind()
	switch m.typ {
	case icmp.TypeEcho, icmp.TypeEchoReply:
		s += fmt.Sprintf(" id %d seq %d", m.id, m.seq)
		if m.lenSet {
			s += fmt.Sprintf(" length %d", m.length)
		}
	case icmp.TypeDestUnreachable:
		if m.mtuSet {
			s += fmt.Sprintf(" mtu %d", m.mtu)
		}
	case icmp.TypeParamProblem:
		s += fmt.Sprintf(" pointer %d", m.pointer)
	}
	return s
}
