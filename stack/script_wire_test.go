package stack

// Frames of the stack's scripts on the wire: building the peer's from
// their notation, reading the stack's back into it (checking what every
// frame must satisfy), and matching one against a line.

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	"github.com/medina-net/medina/arp"
	"github.com/medina-net/medina/ethernet"
	"github.com/medina-net/medina/icmp"
	"github.com/medina-net/medina/internal/pktscript"
	"github.com/medina-net/medina/ipv4"
	"github.com/medina-net/medina/tcp"
	"github.com/medina-net/medina/udp"
)

// scriptTuple names a TCP four-tuple of a script from the stack's side.
type scriptTuple struct {
	local, remote ipv4.Addr
	lport, rport  uint16
}

// build encodes the frame the peer sends.
func (r *scriptRun) build(f *frameSpec) ([]byte, error) {
	if a := f.arp; a != nil {
		return ethFrame(f.ethDst, f.ethSrc, ethernet.TypeARP, arpPacket(a.op, a.sha, a.spa, a.tha, a.tpa)), nil
	}
	ip := f.ip
	var payload []byte
	switch {
	case ip.tcp != nil:
		k := scriptTuple{local: ip.dst, remote: ip.src, lport: ip.dport, rport: ip.sport}
		h, err := r.tuple(k).Build(ip.tcp, ip.sport, ip.dport, ip.src.Netip(), ip.dst.Netip())
		if err != nil {
			return nil, err
		}
		payload = h
	case ip.icmp != nil:
		m, err := r.buildICMP(ip.icmp)
		if err != nil {
			return nil, err
		}
		payload = m
	case ip.proto == ipv4.ProtoUDP:
		payload = make([]byte, udp.HeaderLen+ip.length)
		pktscript.FillPattern(payload[udp.HeaderLen:], 0)
		if _, err := udp.EncodeChecksum(payload, ip.sport, ip.dport, ip.src, ip.dst); err != nil {
			return nil, err
		}
	default:
		payload = make([]byte, ip.length)
		pktscript.FillPattern(payload, 0)
	}
	fields := ipv4.Fields{TOS: ip.tos, PayloadLen: len(payload), ID: ip.id, Flags: ip.flags, FragOffset: ip.offset,
		TTL: ip.ttl, Protocol: ip.proto, Src: ip.src, Dst: ip.dst, Options: ip.opts}
	if !ip.idSet {
		// Each datagram its own ID, so that fragments of different
		// lines are never taken for one datagram's.
		r.ipID++
		fields.ID = r.ipID
	}
	dg := make([]byte, fields.HeaderLen()+len(payload))
	if _, err := fields.Encode(dg); err != nil {
		return nil, err
	}
	copy(dg[fields.HeaderLen():], payload)
	r.injected = append(r.injected, dg)
	return ethFrame(f.ethDst, f.ethSrc, ethernet.TypeIPv4, dg), nil
}

// buildICMP encodes an ICMP message the peer sends: an echo with the
// pattern for data, or an error quoting the latest datagram the stack
// sent, as RFC 792 asks (its header and 8 bytes).
func (r *scriptRun) buildICMP(m *icmpSpec) ([]byte, error) {
	if m.typ == icmp.TypeEcho || m.typ == icmp.TypeEchoReply {
		data := make([]byte, m.length-icmp.HeaderLen)
		pktscript.FillPattern(data, 0)
		b := make([]byte, m.length)
		_, err := icmp.EncodeEcho(b, m.typ, m.id, m.seq, data)
		return b, err
	}
	dg := r.lastSent
	if dg == nil {
		return nil, fmt.Errorf("an ICMP error quotes the stack's latest datagram, and it sent none")
	}
	quote := min(len(dg), ipv4.Header(dg).HeaderLen()+8)
	b := make([]byte, icmp.HeaderLen+quote)
	var err error
	switch m.typ {
	case icmp.TypeDestUnreachable:
		_, err = icmp.EncodeDestUnreachable(b, m.code, m.mtu, dg, quote)
	case icmp.TypeTimeExceeded:
		_, err = icmp.EncodeTimeExceeded(b, m.code, dg, quote)
	case icmp.TypeParamProblem:
		_, err = icmp.EncodeParamProblem(b, m.pointer, dg, quote)
	}
	return b, err
}

// describe reads a frame the stack sent into the notation, with every
// field set, and reports what it breaks of the rules every frame obeys:
// from the stack's MAC, within the MTU, well formed with right checksums
// (and the TCP checks of pktscript.Tuple.Describe), an ICMP error
// quoting a datagram the peer sent, an echo reply carrying the data of a
// request. A datagram of the stack's is remembered for the ICMP errors
// the peer sends.
func (r *scriptRun) describe(s sentFrame) (*frameSpec, error) {
	var errs []string
	bad := func(format string, args ...any) { errs = append(errs, fmt.Sprintf(format, args...)) }
	f := &frameSpec{out: true}
	e, err := ethernet.NewFrame(s.b)
	if err != nil {
		return nil, fmt.Errorf("a frame of %d bytes: %x", len(s.b), s.b)
	}
	f.ethSrc, f.ethDst = e.Src(), e.Dst()
	if f.ethSrc != fuzzMAC {
		bad("sent from %s, not the stack's MAC", f.ethSrc)
	}
	if len(s.b) > ethernet.HeaderLen+r.s.MTU() {
		bad("%d bytes, over the MTU of %d", len(s.b), r.s.MTU())
	}
	switch e.Type() {
	case ethernet.TypeARP:
		p, err := arp.NewPacket(e.Payload())
		if err != nil || !p.IsEthernetIPv4() {
			return nil, fmt.Errorf("a bad ARP packet: %x", s.b)
		}
		f.arp = &arpSpec{op: p.Op(), sha: p.SenderMAC(), spa: p.SenderIP(), tha: p.TargetMAC(), tpa: p.TargetIP()}
	case ethernet.TypeIPv4:
		h, err := ipv4.NewHeader(e.Payload())
		if err == nil {
			err = h.Validate()
		}
		if err != nil {
			return nil, fmt.Errorf("a bad IPv4 datagram (%v): %x", err, s.b)
		}
		h = h[:h.TotalLen()]
		r.lastSent = bytes.Clone(h)
		f.ip = r.describeIP(h, s, bad)
	default:
		return nil, fmt.Errorf("a frame of EtherType %#04x: %x", uint16(e.Type()), s.b)
	}
	if len(errs) > 0 {
		return f, errors.New(strings.Join(errs, "; "))
	}
	return f, nil
}

// describeIP reads the datagram h of the sent frame s.
func (r *scriptRun) describeIP(h ipv4.Header, s sentFrame, bad func(string, ...any)) *ipSpec {
	ip := &ipSpec{src: h.Src(), dst: h.Dst(), ttl: h.TTL(), tos: h.TOS(), id: h.ID(), flags: h.Flags(),
		offset: h.FragOffset(), proto: h.Protocol(), ttlSet: true, tosSet: true, idSet: true, flagsSet: true, offsetSet: true}
	if o := h.Options(); len(o) > 0 {
		ip.opts, ip.optsSet = bytes.Clone(o), true
	}
	p := h.Payload()
	if h.IsFragment() {
		ip.proto, ip.length = h.Protocol(), len(p) // the transport is not all here
		return ip
	}
	switch ip.proto {
	case ipv4.ProtoTCP:
		t, err := tcp.NewHeader(p)
		if err != nil {
			bad("a bad TCP header: %v", err)
			break
		}
		ip.ports, ip.sport, ip.dport = true, t.SrcPort(), t.DstPort()
		k := scriptTuple{local: ip.src, remote: ip.dst, lport: ip.sport, rport: ip.dport}
		seg, err := r.tuple(k).Describe(t, ip.src.Netip(), ip.dst.Netip(), s.at)
		if err != nil {
			bad("%v", err)
		}
		ip.tcp = seg
	case ipv4.ProtoUDP:
		u, err := udp.NewHeader(p)
		if err == nil {
			err = u.Validate()
		}
		if err == nil && !u.ChecksumValid(ip.src, ip.dst) {
			err = udp.ErrBadChecksum
		}
		if err != nil {
			bad("a bad UDP datagram: %v", err)
			break
		}
		ip.ports, ip.sport, ip.dport, ip.length = true, u.SrcPort(), u.DstPort(), len(u.Payload())
	case ipv4.ProtoICMP:
		m, err := icmp.NewMessage(p)
		if err == nil {
			err = m.Validate()
		}
		if err != nil {
			bad("a bad ICMP message: %v", err)
			break
		}
		ip.icmp = &icmpSpec{typ: m.Type(), code: m.Code(), length: len(m), lenSet: true}
		switch m.Type() {
		case icmp.TypeEcho, icmp.TypeEchoReply:
			ip.icmp.id, ip.icmp.seq = m.ID(), m.Seq()
			if _, ok := pktscript.CheckPattern(m.Payload(), 0); !ok {
				bad("echo data that is not the pattern the peer's requests carry")
			}
		case icmp.TypeParamProblem:
			ip.icmp.pointer = m.Pointer()
		case icmp.TypeDestUnreachable:
			ip.icmp.mtu, ip.icmp.mtuSet = m.NextHopMTU(), m.Code() == icmp.UnreachNeedFrag
		}
		if m.Type().IsError() && !r.quotesInjected(m.Quoted()) {
			bad("an ICMP error quoting %d bytes that start no datagram the peer sent (or too few of them: RFC 792 wants the header and 8 bytes): %x",
				len(m.Quoted()), m.Quoted())
		}
	default:
		ip.length = len(p)
	}
	return ip
}

// quotesInjected reports whether q is the start of a datagram the peer
// sent: all of it, or at least its header and 8 bytes.
func (r *scriptRun) quotesInjected(q []byte) bool {
	for _, dg := range r.injected {
		if bytes.HasPrefix(dg, q) && len(q) >= min(len(dg), ipv4.Header(dg).HeaderLen()+8) {
			return true
		}
	}
	return false
}

// matchFrame lists how got, a frame the stack sent, differs from want;
// none means it matches.
func matchFrame(want, got *frameSpec) []string {
	var d []string
	diff := func(what string, g, w any) {
		if g != w {
			d = append(d, fmt.Sprintf("%s %v, want %v", what, g, w))
		}
	}
	diff("Ethernet source", got.ethSrc, want.ethSrc)
	diff("Ethernet destination", got.ethDst, want.ethDst)
	switch {
	case (want.arp == nil) != (got.arp == nil):
		return append(d, "an ARP packet and an IPv4 datagram")
	case want.arp != nil:
		w, g := want.arp, got.arp
		diff("ARP operation", g.op, w.op)
		diff("sender", g.spa.Netip(), w.spa.Netip())
		diff("sender hardware address", g.sha, w.sha)
		diff("target", g.tpa.Netip(), w.tpa.Netip())
		diff("target hardware address", g.tha, w.tha)
		return d
	}
	w, g := want.ip, got.ip
	diff("source", g.src.Netip(), w.src.Netip())
	diff("destination", g.dst.Netip(), w.dst.Netip())
	if w.proto != g.proto {
		return append(d, fmt.Sprintf("protocol %d, want %d", g.proto, w.proto))
	}
	if w.ports {
		diff("source port", g.sport, w.sport)
		diff("destination port", g.dport, w.dport)
	}
	// The IP fields a line leaves out are not checked.
	for _, f := range []struct {
		what string
		set  bool
		g, w any
	}{
		{"ttl", w.ttlSet, g.ttl, w.ttl}, {"tos", w.tosSet, g.tos, w.tos}, {"id", w.idSet, g.id, w.id},
		{"flags", w.flagsSet, ipFlagsString(g.flags), ipFlagsString(w.flags)},
		{"offset", w.offsetSet, g.offset, w.offset},
	} {
		if f.set {
			diff(f.what, f.g, f.w)
		}
	}
	if !bytes.Equal(w.opts, g.opts) {
		d = append(d, fmt.Sprintf("IP options %x, want %x", g.opts, w.opts))
	}
	switch {
	case w.tcp != nil && g.tcp != nil:
		d = append(d, pktscript.Match(w.tcp, g.tcp)...)
	case w.icmp != nil && g.icmp != nil:
		wm, gm := w.icmp, g.icmp
		diff("ICMP", gm.kind(), wm.kind())
		switch wm.typ {
		case icmp.TypeEcho, icmp.TypeEchoReply:
			diff("id", gm.id, wm.id)
			diff("seq", gm.seq, wm.seq)
		case icmp.TypeParamProblem:
			diff("pointer", gm.pointer, wm.pointer)
		}
		if wm.mtuSet {
			diff("mtu", gm.mtu, wm.mtu)
		}
		if wm.lenSet {
			diff("ICMP length", gm.length, wm.length)
		}
	case w.tcp == nil && w.icmp == nil:
		diff("length", g.length, w.length)
	}
	return d
}
