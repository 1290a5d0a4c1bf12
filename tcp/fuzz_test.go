package tcp

// Differential tests against gopacket's layers.TCP, the independent oracle.
// gopacket and this package legitimately differ in a few places, and the
// comparison allows for exactly those:
//
//   - gopacket rejects a data offset below 20 or past the end of the
//     buffer; NewHeader accepts both (a printer needs the fixed fields) and
//     Validate rejects them. The fixed fields are compared either way.
//   - gopacket drops a malformed option and keeps the rest of the option
//     area as Padding; the iterator reports the option with a bad status.
//     gopacket also drops an MPTCP option whose length is wrong for its
//     subtype (or below 3), which the iterator reports as a well-formed
//     option: the length is the MPTCP view's business (MPTCP.Validate).
//     The option lists are compared up to that point.
//   - gopacket accepts an RFC 6824 ADD_ADDR whose IP version bits are
//     neither 4 nor 6, and one whose version bits disagree with its length,
//     and REMOVE_ADDR is checked the same way; only the fields of those are
//     compared, not the verdict. For version bits that are neither an IP
//     version nor 0 or 1 (reserved bits set), gopacket takes the option
//     for RFC 6824's and this package for RFC 8684's (whose receivers
//     ignore reserved bits); the echo bit is compared only for 0 and 1.
//   - gopacket's ADD_ADDR HMAC slice runs from the HMAC to the end of the
//     option area, over the options that follow; only its first 8 bytes
//     are the HMAC.

import (
	"bytes"
	"encoding/binary"
	"os"
	"testing"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

// compareGopacket checks that Header and gopacket agree on b.
func compareGopacket(t *testing.T, b []byte) {
	t.Helper()
	h, err := NewHeader(b)
	var g layers.TCP
	gerr := g.DecodeFromBytes(b, gopacket.NilDecodeFeedback)
	if err != nil {
		if gerr == nil {
			t.Fatalf("NewHeader: %v; gopacket accepts", err)
		}
		return
	}
	flags := h.Flags()
	for _, c := range []struct {
		name      string
		got, want any
	}{
		{"SrcPort", h.SrcPort(), uint16(g.SrcPort)},
		{"DstPort", h.DstPort(), uint16(g.DstPort)},
		{"Seq", h.Seq(), g.Seq},
		{"Ack", h.Ack(), g.Ack},
		{"DataOffset", h.DataOffset(), int(g.DataOffset) * 4},
		{"FIN", flags.Has(FlagFIN), g.FIN},
		{"SYN", flags.Has(FlagSYN), g.SYN},
		{"RST", flags.Has(FlagRST), g.RST},
		{"PSH", flags.Has(FlagPSH), g.PSH},
		{"ACK", flags.Has(FlagACK), g.ACK},
		{"URG", flags.Has(FlagURG), g.URG},
		{"ECE", flags.Has(FlagECE), g.ECE},
		{"CWR", flags.Has(FlagCWR), g.CWR},
		{"AE", flags.Has(FlagAE), g.NS},
		{"Window", h.Window(), g.Window},
		{"Checksum", h.Checksum(), g.Checksum},
		{"Urgent", h.Urgent(), g.Urgent},
	} {
		if c.got != c.want {
			t.Fatalf("%s = %v, gopacket %v", c.name, c.got, c.want)
		}
	}
	verr := h.Validate()
	if (verr == nil) != (gerr == nil) {
		t.Fatalf("Validate() = %v, gopacket: %v", verr, gerr)
	}
	if gerr != nil {
		return
	}
	if !bytes.Equal(h.Payload(), g.Payload) {
		t.Fatalf("payload of %d bytes, gopacket %d", len(h.Payload()), len(g.Payload))
	}
	compareOptions(t, h, &g)
}

// compareOptions checks the option lists of h and g agree as far as
// gopacket decodes.
func compareOptions(t *testing.T, h Header, g *layers.TCP) {
	t.Helper()
	it := h.OptionIter()
	for i, gopt := range g.Options {
		o, ok := it.Next()
		if !ok {
			t.Fatalf("option %d: iterator ended, gopacket has kind %d", i, gopt.OptionType)
		}
		if o.Kind != OptionKind(gopt.OptionType) || o.Length != int(gopt.OptionLength) || !bytes.Equal(o.Data(), gopt.OptionData) {
			t.Fatalf("option %d: kind %d length %d data % x; gopacket kind %d length %d data % x",
				i, o.Kind, o.Length, o.Data(), gopt.OptionType, gopt.OptionLength, gopt.OptionData)
		}
		if o.Status != OptionOK && o.Status != OptionWrongLength {
			t.Fatalf("option %d: status %v, gopacket decodes it", i, o.Status)
		}
		if o.Kind == OptMPTCP {
			compareMPTCP(t, o, gopt)
		}
	}
	if len(g.Options) > 0 && g.Options[len(g.Options)-1].OptionType == layers.TCPOptionKindEndList {
		if _, ok := it.Next(); ok {
			t.Fatal("iterator goes on after EOL")
		}
		return
	}
	o, ok := it.Next()
	if len(g.Padding) == 0 {
		if ok {
			t.Fatalf("iterator has kind %d at %d after gopacket's last option", o.Kind, o.Offset)
		}
		return
	}
	// gopacket stopped at a malformed option.
	if !ok {
		t.Fatal("iterator ended where gopacket found a malformed option")
	}
	if at := h.OptionsLen() - len(g.Padding); o.Offset != at {
		t.Fatalf("malformed option at %d, gopacket at %d", o.Offset, at)
	}
	switch {
	case o.Status == OptionBadLength || o.Status == OptionPastEnd:
	case o.Kind == OptMPTCP && o.Status == OptionWrongLength:
	case o.Kind == OptMPTCP && MPTCP(o.Raw).Validate() != nil:
	default:
		t.Fatalf("option kind %d at %d has status %v, gopacket finds it malformed", o.Kind, o.Offset, o.Status)
	}
}

// compareMPTCP checks the MPTCP views agree with the option gopacket
// decoded.
func compareMPTCP(t *testing.T, o Option, g layers.TCPOption) {
	t.Helper()
	m, ok := o.MPTCP()
	if !ok {
		t.Fatalf("MPTCP option (status %v) not a view", o.Status)
	}
	if m.Subtype() != MPTCPSubtype(g.OptionMultipath) {
		t.Fatalf("subtype %d, gopacket %d", m.Subtype(), g.OptionMultipath)
	}
	// gopacket checks lengths as RFC 8684 does for these subtypes.
	switch m.Subtype() {
	case MPCapableSubtype, MPJoinSubtype, DSSSubtype, MPPrioSubtype, MPFailSubtype, FastCloseSubtype, TCPRSTSubtype:
		if err := m.Validate(); err != nil {
			t.Fatalf("Validate: %v; gopacket accepts", err)
		}
	}
	u64 := func(b []byte) uint64 {
		var v uint64
		for _, c := range b {
			v = v<<8 | uint64(c)
		}
		return v
	}
	check := func(what string, got, want any) {
		if got != want {
			t.Fatalf("mptcp %s %s = %v, gopacket %v", m.Subtype(), what, got, want)
		}
	}
	switch m.Subtype() {
	case MPCapableSubtype:
		c, _ := m.Capable()
		gc := g.OptionMPTCPMpCapable
		check("version", c.Version(), gc.Version)
		check("checksum flag", c.ChecksumRequired(), gc.A)
		check("H flag", c.Flags()&MPCapableHMACSHA256 != 0, gc.H)
		k, ok := c.SenderKey()
		check("sender key present", ok, gc.SendKey != nil)
		check("sender key", k, u64(gc.SendKey))
		k, ok = c.ReceiverKey()
		check("receiver key present", ok, gc.ReceivKey != nil)
		check("receiver key", k, u64(gc.ReceivKey))
		l, _ := c.DataLen()
		check("data length", l, gc.DataLength)
		s, _ := c.Checksum()
		check("checksum", s, gc.Checksum)
	case MPJoinSubtype:
		j, _ := m.Join()
		gj := g.OptionMPTCPMpJoin
		if len(j) != 24 {
			check("backup", j.Backup(), gj.Backup)
			check("addr id", j.AddrID(), gj.AddrID)
		}
		tok, _ := j.Token()
		check("token", tok, gj.ReceivToken)
		n, _ := j.Nonce()
		check("nonce", n, gj.SendRandNum)
		if mac, ok := j.TruncatedHMAC(); ok {
			check("truncated hmac", mac, u64(gj.SendHMAC))
		}
		if mac, ok := j.HMAC(); ok {
			check("hmac", string(mac), string(gj.SendHMAC))
		}
	case DSSSubtype:
		d, _ := m.DSS()
		gd := g.OptionMPTCPDss
		check("fin", d.DataFIN(), gd.F)
		a, ok := d.Ack()
		check("ack present", ok, gd.DataAck != nil)
		check("ack", a, u64(gd.DataAck))
		s, ok := d.DataSeq()
		check("dsn present", ok, gd.DSN != nil)
		check("dsn", s, u64(gd.DSN))
		ssn, _ := d.SubflowSeq()
		check("ssn", ssn, gd.SSN)
		l, _ := d.DataLen()
		check("data length", l, gd.DataLength)
		c, _ := d.Checksum()
		check("checksum", c, gd.Checksum)
	case AddAddrSubtype:
		a, _ := m.AddAddr()
		ga := g.OptionMPTCPAddAddr
		check("addr id", a.AddrID(), ga.AddrID)
		check("address", string(a.Addr()), string(ga.Address))
		p, _ := a.Port()
		check("port", p, ga.Port)
		mac, ok := a.HMAC()
		check("hmac present", ok, ga.SendHMAC != nil)
		if ok {
			// gopacket's SendHMAC runs on to the end of the option area;
			// the HMAC is its first 8 bytes.
			check("hmac", mac, u64(ga.SendHMAC[:8]))
		}
		switch a.Bits() {
		case 0, 1:
			check("echo", a.Echo(), ga.E)
		case 4, 6:
			check("ip version", a.Bits(), ga.IPVer)
		}
	case RemoveAddrSubtype:
		r, _ := m.RemoveAddr()
		check("ids", string(r.IDs()), string(g.OptionMTCPRemAddr.AddrIDs))
	case MPPrioSubtype:
		p, _ := m.Prio()
		check("backup", p.Backup(), g.OptionMPTCPMpPrio.Backup)
		id, _ := p.AddrID()
		check("addr id", id, g.OptionMPTCPMpPrio.AddrID)
	case MPFailSubtype:
		f, _ := m.Fail()
		s, _ := f.DataSeq()
		check("dsn", s, g.OptionMTCPMPFail.DSN)
	case FastCloseSubtype:
		f, _ := m.FastClose()
		k, _ := f.Key()
		check("key", k, u64(g.OptionMTCPMPFastClose.ReceivKey))
	case TCPRSTSubtype:
		r, _ := m.TCPRST()
		gr := g.OptionMPTCPMPTcpRst
		check("transient", r.Transient(), gr.T)
		check("flags", r.Flags(), b2u(gr.U)<<3|b2u(gr.V)<<2|b2u(gr.W)<<1|b2u(gr.T))
		reason, _ := r.Reason()
		check("reason", reason, gr.Reason)
	}
}

func b2u(b bool) uint8 {
	if b {
		return 1
	}
	return 0
}

// exercise calls every accessor of h and of its options, checks the
// invariants that hold for any input, and returns how many options it saw.
func exercise(t *testing.T, h Header) int {
	t.Helper()
	_ = h.Flags().String()
	if HeaderLen+len(h.Options())+len(h.Payload()) != len(h) {
		t.Fatal("header, options and payload do not add up")
	}
	if len(h.Options()) > h.OptionsLen() {
		t.Fatal("more options than the data offset declares")
	}
	it := h.OptionIter()
	n, last := 0, -1
	for o, ok := it.Next(); ok; o, ok = it.Next() {
		n++
		if n > MaxOptionsLen+1 {
			t.Fatal("iterator does not end")
		}
		if o.Offset <= last {
			t.Fatalf("option at %d after one at %d", o.Offset, last)
		}
		last = o.Offset
		if o.Status == OptionOK || o.Status == OptionWrongLength {
			if len(o.Raw) != o.Length {
				t.Fatalf("well-formed option of length %d has %d bytes", o.Length, len(o.Raw))
			}
		}
		if len(o.Raw) > 0 && &o.Raw[0] != &h.Options()[o.Offset] {
			t.Fatal("Raw does not alias the option area")
		}
		if len(o.Data()) > len(o.Raw) {
			t.Fatal("Data longer than Raw")
		}
		_ = o.Err()
		_ = o.Kind.String()
		o.MSS()
		o.WindowScale()
		if s, ok := o.SACK(); ok {
			for i := range s.Len() {
				s.At(i)
			}
		}
		o.Timestamps()
		o.MD5()
		o.SCPS()
		o.UserTimeout()
		o.TCPAO()
		o.ExperimentID()
		o.FastOpen()
		o.AccECN()
		if m, ok := o.MPTCP(); ok {
			exerciseMPTCP(m)
		}
	}
	_ = it.Err()
	return n
}

// exerciseMPTCP calls every accessor of every subtype view that m gives.
func exerciseMPTCP(m MPTCP) {
	_ = m.Validate()
	_ = m.Subtype().String()
	if c, ok := m.Capable(); ok {
		c.Version()
		c.Flags()
		c.ChecksumRequired()
		c.SenderKey()
		c.ReceiverKey()
		c.DataLen()
		c.Checksum()
	}
	if j, ok := m.Join(); ok {
		j.Backup()
		j.AddrID()
		j.Token()
		j.Nonce()
		j.TruncatedHMAC()
		j.HMAC()
	}
	if d, ok := m.DSS(); ok {
		d.Flags()
		d.DataFIN()
		d.Ack()
		d.DataSeq()
		d.SubflowSeq()
		d.DataLen()
		d.Checksum()
	}
	if a, ok := m.AddAddr(); ok {
		a.Bits()
		a.Version()
		a.Echo()
		a.AddrID()
		a.Addr()
		a.Port()
		a.HMAC()
	}
	if r, ok := m.RemoveAddr(); ok {
		r.IDs()
	}
	if p, ok := m.Prio(); ok {
		p.Backup()
		p.AddrID()
	}
	if f, ok := m.Fail(); ok {
		f.DataSeq()
	}
	if f, ok := m.FastClose(); ok {
		f.Key()
	}
	if r, ok := m.TCPRST(); ok {
		r.Flags()
		r.Transient()
		r.Reason()
	}
}

func TestGopacketCorpus(t *testing.T) {
	n := 0
	for _, p := range ipv4Packets(t, ProtocolNumber, "tcpdump", "gopacket", "tls") {
		t.Run("", func(t *testing.T) {
			compareGopacket(t, p.data)
			if h, err := NewHeader(p.data); err == nil {
				exercise(t, h)
			}
		})
		n++
	}
	t.Logf("%d segments", n)
}

// fuzzSeeds adds the TCP segments of the corpus, when it is there, and a
// few hand-made malformed ones.
func fuzzSeeds(f *testing.F, add func([]byte)) {
	if _, err := os.Stat(corpusDir); err == nil {
		for _, p := range ipv4Packets(f, ProtocolNumber, "tcpdump") {
			add(p.data)
		}
	}
	syn := unhex(f, synHex)
	add(syn)
	for _, opts := range []string{
		"0203 05b4 0101 0101", // MSS of length 3
		"1e03 2000",           // MPTCP DSS of 3 bytes
		"1e14 2005 d52c c94a d1b9 3e90 0000 0001 0004 1234", // DSS with ack, mapping and checksum
		"1e10 3001 0a00 0201 f829 5862 f645 df19",           // ADD_ADDR v1 with HMAC
		"1e0c 0081 9b59 be3d 695e 66a7 0000 0000",           // MP_CAPABLE v0 with checksum
		"1e04 8001 0101 0101",                               // MP_TCPRST
		"fe04 acc0 0303 07 00",                              // AccECN experimental
		"3008 3030 3030 3030",                               // unknown kind 48
		"1d04 3030",                                         // TCP-AO without MAC
		"0100 0204 05b4 0000",                               // EOL then MSS
	} {
		o := unhex(f, opts)
		seg := append(bytes.Clone(syn[:HeaderLen]), o...)
		seg[offsetOff] = byte((HeaderLen+len(o)+3)/4)<<4 | seg[offsetOff]&0x0f
		add(seg)
	}
}

func FuzzHeader(f *testing.F) {
	fuzzSeeds(f, func(b []byte) { f.Add(b) })
	f.Fuzz(func(t *testing.T, b []byte) {
		compareGopacket(t, b)
		h, err := NewHeader(b)
		if err != nil {
			return
		}
		exercise(t, h)
		_ = tcpdumpOptions(h)
		if len(h) > 0xffff {
			return
		}
		// A checksum filled in verifies; the buffer is the fuzzer's, so
		// work on a copy.
		c := Header(bytes.Clone(b))
		src, dst := [4]byte{10, 0, 0, 1}, [4]byte{192, 168, 7, 9}
		c.SetChecksum(c.ComputeChecksum(src, dst))
		if !c.ChecksumValid(src, dst) {
			t.Fatal("computed checksum does not verify")
		}
		// Over IPv6's pseudo-header too, which a naive sum of the
		// pseudo-header written out (RFC 8200 8.1) must agree with.
		src6, dst6 := [16]byte{0x20, 0x01, 0x0d, 0xb8, 15: 1}, [16]byte{0xfe, 0x80, 8: 0xab, 15: 9}
		c6 := Header(bytes.Clone(b))
		c6.SetChecksum(c6.ComputeChecksum6(src6, dst6))
		if !c6.ChecksumValid6(src6, dst6) {
			t.Fatal("computed IPv6 checksum does not verify")
		}
		if want := naiveChecksum6(src6, dst6, b); c6.Checksum() != want {
			t.Fatalf("ComputeChecksum6 = %#04x, naive %#04x", c6.Checksum(), want)
		}
		if h.Validate() != nil {
			return
		}
		// The fields re-encode to the same header.
		fl := Fields{
			SrcPort: h.SrcPort(), DstPort: h.DstPort(), Seq: h.Seq(), Ack: h.Ack(),
			Flags: h.Flags(), Window: h.Window(), Urgent: h.Urgent(), Options: h.Options(),
		}
		e, err := fl.EncodeChecksum(bytes.Clone(b), src, dst)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(e[:checksumOff], b[:checksumOff]) || !bytes.Equal(e[checksumOff+2:], b[checksumOff+2:]) ||
			e.Checksum() != c.Checksum() {
			t.Fatalf("re-encoded\n% x\nwant\n% x", []byte(e), b)
		}
		if e6, err := fl.EncodeChecksum6(bytes.Clone(b), src6, dst6); err != nil || e6.Checksum() != c6.Checksum() {
			t.Fatalf("EncodeChecksum6: %v, checksum %#04x, want %#04x", err, e6.Checksum(), c6.Checksum())
		}
	})
}

// naiveChecksum6 is the checksum of segment b (its checksum field taken
// as zero) over IPv6's pseudo-header, written out in full and summed a
// 16-bit word at a time, as RFC 1071 describes.
func naiveChecksum6(src, dst [16]byte, b []byte) uint16 {
	p := append(append(src[:], dst[:]...), byte(len(b)>>24), byte(len(b)>>16), byte(len(b)>>8), byte(len(b)), 0, 0, 0, ProtocolNumber)
	p = append(p, b...)
	p[40+checksumOff], p[40+checksumOff+1] = 0, 0
	if len(p)%2 == 1 {
		p = append(p, 0)
	}
	var sum uint32
	for i := 0; i < len(p); i += 2 {
		sum += uint32(p[i])<<8 | uint32(p[i+1])
		sum = sum&0xffff + sum>>16
	}
	return ^uint16(sum)
}

func FuzzOptions(f *testing.F) {
	fuzzSeeds(f, func(b []byte) {
		if h, err := NewHeader(b); err == nil {
			f.Add([]byte(h.Options()), uint8(0))
		}
	})
	f.Fuzz(func(t *testing.T, opts []byte, cut uint8) {
		if len(opts) > MaxOptionsLen {
			opts = opts[:MaxOptionsLen]
		}
		// The options of a whole segment, compared with gopacket: the
		// option area is a multiple of 4 bytes.
		whole := opts[:len(opts)&^3]
		seg := make([]byte, HeaderLen, HeaderLen+len(whole)+4)
		binary.BigEndian.PutUint16(seg[windowOff:], 1024)
		seg = append(seg, whole...)
		seg = append(seg, "data"...)
		seg[offsetOff] = byte((HeaderLen + len(whole)) / 4 << 4)
		seg[flagsOff] = byte(FlagACK)
		compareGopacket(t, seg)
		exercise(t, Header(seg))

		// A capture that ends inside the option area: the options up to
		// the cut are the same, then the iterator stops.
		n := HeaderLen + int(cut)%(len(whole)+1)
		h := Header(seg[:n])
		exercise(t, h)
		_ = tcpdumpOptions(h)
		full, part := Header(seg).OptionIter(), h.OptionIter()
		for {
			p, ok := part.Next()
			if !ok {
				break
			}
			w, ok := full.Next()
			if !ok {
				t.Fatalf("cut at %d: option at %d that the whole segment does not have", n, p.Offset)
			}
			if p.Status == OptionTruncated {
				// The cut hides the rest, whatever the whole option is.
				if p.Offset != w.Offset || len(p.Raw) > 0 && p.Kind != w.Kind {
					t.Fatalf("cut at %d: %+v, whole %+v", n, p, w)
				}
				break
			}
			// An option that runs past the area is clipped to the capture
			// as well.
			if p.Offset != w.Offset || p.Kind != w.Kind || p.Status != w.Status || !bytes.HasPrefix(w.Raw, p.Raw) ||
				p.Status != OptionPastEnd && len(p.Raw) != len(w.Raw) {
				t.Fatalf("cut at %d: %+v, whole %+v", n, p, w)
			}
		}

		// The iterator on the raw bytes, of any length.
		it := NewOptionIter(opts)
		for o, ok := it.Next(); ok; o, ok = it.Next() {
			if o.Status == OptionTruncated {
				t.Fatal("a whole option area has a truncated option")
			}
		}
	})
}
