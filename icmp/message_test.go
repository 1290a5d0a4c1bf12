package icmp

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"testing"

	"github.com/medina-net/medina/ipv4"
)

// lo returns the ICMP messages of linuxLoPcap (Linux talking to
// itself, made by testdata/linux-lo.py) by packet number, and the IPv4
// datagrams.
func lo(t testing.TB) (msgs map[int]Message, dgrams map[int][]byte) {
	msgs, dgrams = map[int]Message{}, map[int][]byte{}
	for _, p := range readIPv4(t, linuxLoPcap) {
		dgrams[p.n] = p.b
		if b, _, ok := icmpIn(p.b); ok {
			m, err := NewMessage(b)
			if err != nil {
				t.Fatal(err)
			}
			msgs[p.n] = m
		}
	}
	return msgs, dgrams
}

func TestLinuxLo(t *testing.T) {
	msgs, dgrams := lo(t)
	for n, m := range msgs {
		if err := m.Validate(); err != nil {
			t.Errorf("#%d: %v", n, err)
		}
	}
	if m := msgs[1]; m.Type() != TypeEcho || m.Code() != 0 || m.ID() != 0x1234 || m.Seq() != 1 || len(m.Payload()) != 56 || m.Quoted() != nil {
		t.Errorf("echo request: type %v id %#x seq %d, %d bytes of data", m.Type(), m.ID(), m.Seq(), len(m.Payload()))
	}
	if m := msgs[2]; m.Type() != TypeEchoReply || m.ID() != 0x1234 || m.Seq() != 1 || !bytes.Equal(m.Payload(), msgs[1].Payload()) {
		t.Errorf("echo reply: type %v id %#x seq %d", m.Type(), m.ID(), m.Seq())
	}
	// tcpdump: "time stamp query id 17185 seq 7" and "time stamp reply id
	// 17185 seq 7: org 03:25:45.678, recv 23:38:13.953, xmit 23:38:13.953".
	if m := msgs[3]; m.Type() != TypeTimestamp || m.ID() != 17185 || m.Seq() != 7 {
		t.Errorf("timestamp request: type %v id %d seq %d", m.Type(), m.ID(), m.Seq())
	}
	if o, r, x, ok := msgs[4].Timestamps(); !ok || msgs[4].Type() != TypeTimestampReply ||
		clock(o) != "03:25:45.678" || clock(r) != "23:38:13.953" || clock(x) != "23:38:13.953" {
		t.Errorf("timestamp reply: %d %d %d %v", o, r, x, ok)
	}
	if mask, ok := msgs[5].AddressMask(); !ok || msgs[5].Type() != TypeAddressMaskRequest || mask != (ipv4.Addr{}) || msgs[5].Seq() != 2 {
		t.Errorf("address mask request: %v %v", mask, ok)
	}
	// Port unreachables quoting the whole 47-byte datagram, and 548 bytes
	// of the 1028-byte one (RFC 1812's 576-byte bound).
	for _, c := range []struct{ err, orig, quoted int }{{7, 6, 47}, {9, 8, 548}} {
		m := msgs[c.err]
		q := m.Quoted()
		if m.Type() != TypeDestUnreachable || m.Code() != UnreachPort || len(q) != c.quoted || !bytes.Equal(q, dgrams[c.orig][:len(q)]) {
			t.Errorf("#%d: type %v code %d, quoting %d bytes", c.err, m.Type(), m.Code(), len(q))
		}
		h, err := ipv4.NewHeader(q)
		if err != nil || h.Protocol() != ipv4.ProtoUDP || binary.BigEndian.Uint16(h.Payload()[2:]) != 9 {
			t.Errorf("#%d: quoted header %v", c.err, err)
		}
		if _, ok := m.Extension(); ok {
			t.Errorf("#%d: an extension where there is none", c.err)
		}
	}
}

// clock formats milliseconds since midnight as tcpdump prints timestamps.
func clock(ms uint32) string {
	return fmt.Sprintf("%02d:%02d:%02d.%03d", ms/3600000, ms/60000%60, ms/1000%60, ms%1000)
}

// TestEncodeLikeLinux builds messages with the package's builders from the
// datagrams Linux answered, and compares them with Linux's answers byte
// for byte.
func TestEncodeLikeLinux(t *testing.T) {
	msgs, dgrams := lo(t)
	b := make([]byte, 1500)
	for _, c := range []struct{ err, orig int }{{7, 6}, {9, 8}, {19, 18}} {
		m, err := EncodeDestUnreachable(b, UnreachPort, 0, dgrams[c.orig], MaxQuoteLen)
		if err != nil || !bytes.Equal(m, msgs[c.err]) {
			t.Errorf("port unreachable for #%d (%v):\n% x\nLinux sent\n% x", c.orig, err, m, msgs[c.err])
		}
	}
	req := msgs[1]
	m, err := EncodeEcho(b, TypeEcho, req.ID(), req.Seq(), req.Payload())
	if err != nil || !bytes.Equal(m, req) {
		t.Errorf("echo request (%v):\n% x\nwant\n% x", err, m, req)
	}
	// A host answers a ping by turning the request around in place.
	reply := Message(bytes.Clone(req))
	reply.ToEchoReply()
	if !bytes.Equal(reply, msgs[2]) {
		t.Errorf("echo reply:\n% x\nLinux sent\n% x", reply, msgs[2])
	}
	small := Message(bytes.Clone(msgs[21]))
	small.ToEchoReply()
	if !bytes.Equal(small, msgs[22]) {
		t.Errorf("echo reply:\n% x\nLinux sent\n% x", small, msgs[22])
	}
}

// TestToEchoReplyAllZero turns around echo requests whose identifier,
// sequence number and data are all zero. Every word of the reply but the
// checksum is then zero, so the checksum must be 0xffff: the 0x0000 that
// the incremental update gives is the other zero of one's complement, and
// does not verify.
func TestToEchoReplyAllZero(t *testing.T) {
	for _, n := range []int{0, 1, 56} {
		b := make([]byte, HeaderLen+n)
		m, err := EncodeEcho(b, TypeEcho, 0, 0, b[HeaderLen:])
		if err != nil {
			t.Fatal(err)
		}
		m.ToEchoReply()
		want, _ := EncodeEcho(make([]byte, HeaderLen+n), TypeEchoReply, 0, 0, make([]byte, n))
		if !bytes.Equal(m, want) || m.Validate() != nil {
			t.Errorf("reply with %d zero bytes of data: % x (%v), want % x", n, m[:HeaderLen], m.Validate(), want[:HeaderLen])
		}
	}
}

func TestEncodeErrors(t *testing.T) {
	dgram := make([]byte, 100)
	dgram[0] = 0x46 // a 24-byte header
	if n := MinQuoteLen(dgram); n != 32 {
		t.Fatalf("MinQuoteLen = %d, want 32", n)
	}
	if n := MinQuoteLen(dgram[:30]); n != 30 {
		t.Fatalf("MinQuoteLen of 30 bytes = %d", n)
	}
	if n := MinQuoteLen([]byte{0x41}); n != 1 {
		t.Fatalf("MinQuoteLen of a bad header = %d", n)
	}
	b := make([]byte, 200)
	m, err := EncodeTimeExceeded(b, TimeExceededTTL, dgram, MinQuoteLen(dgram))
	if err != nil || len(m) != 40 || m.Type() != TypeTimeExceeded || len(m.Quoted()) != 32 || m.Validate() != nil {
		t.Fatalf("time exceeded: %v, %d bytes", err, len(m))
	}
	m, err = EncodeParamProblem(b, 22, dgram, 1000)
	if err != nil || len(m) != 108 || m.Pointer() != 22 || m.Code() != ParamProblemPointer || m.Validate() != nil {
		t.Fatalf("parameter problem: %v, %d bytes, pointer %d", err, len(m), m.Pointer())
	}
	m, err = EncodeDestUnreachable(b, UnreachNeedFrag, 1400, dgram, 28)
	if err != nil || m.NextHopMTU() != 1400 || m.Code() != UnreachNeedFrag || m.QuotedLen() != 0 || m.Validate() != nil {
		t.Fatalf("need frag: %v, MTU %d", err, m.NextHopMTU())
	}
	if _, err := EncodeDestUnreachable(b[:35], UnreachPort, 0, dgram, 28); !errors.Is(err, ErrTruncated) {
		t.Fatalf("short buffer: %v", err)
	}
	if _, err := EncodeDestUnreachable(b, UnreachPort, 0, dgram, -1); err == nil {
		t.Fatal("negative quote length accepted")
	}
	// The quoted datagram may already sit where the quote goes.
	copy(b[8:], dgram[:28])
	m, err = Encode(b, TypeSourceQuench, 0, 0, b[8:36])
	if err != nil || !bytes.Equal(m.Quoted(), dgram[:28]) || m.Validate() != nil {
		t.Fatalf("in place: %v", err)
	}
}

func TestShortMessages(t *testing.T) {
	full := []byte{byte(TypeRedirect), byte(RedirectHost), 0xaa, 0xbb, 10, 0, 0, 1, 0x45}
	for n := 0; n < MinLen; n++ {
		if _, err := NewMessage(full[:n]); !errors.Is(err, ErrTruncated) {
			t.Fatalf("%d bytes: %v", n, err)
		}
	}
	for n := MinLen; n < HeaderLen; n++ {
		m, err := NewMessage(full[:n])
		if err != nil {
			t.Fatal(err)
		}
		if m.HasRest() || m.Gateway() != (ipv4.Addr{}) || m.RestOfHeader() != 0 ||
			m.Payload() != nil || m.Quoted() != nil || m.Type() != TypeRedirect || m.Checksum() != 0xaabb {
			t.Fatalf("%d bytes: rest %v gateway %v", n, m.HasRest(), m.Gateway())
		}
		// A field of the rest is there when the message holds all of it.
		wantPtr, wantID, wantSeq := uint8(0), uint16(0), uint16(0)
		if n > 4 {
			wantPtr = 10
		}
		if n >= 6 {
			wantID = 0x0a00
		}
		if m.Pointer() != wantPtr || m.ID() != wantID || m.Seq() != wantSeq || m.NumAddrs() != wantPtr {
			t.Fatalf("%d bytes: pointer %d ID %#x seq %d", n, m.Pointer(), m.ID(), m.Seq())
		}
		if m.Check() != ErrTruncated {
			t.Fatalf("%d bytes: Check %v", n, m.Check())
		}
	}
	m, _ := NewMessage(full)
	if !m.HasRest() || m.Gateway() != (ipv4.Addr{10, 0, 0, 1}) || len(m.Quoted()) != 1 {
		t.Fatalf("gateway %v", m.Gateway())
	}
}

func TestValidate(t *testing.T) {
	msgs, _ := lo(t)
	for _, c := range []struct {
		name string
		m    Message
		want error
		msg  string
	}{
		{"echo", msgs[1], nil, ""},
		{"echo header only", mustEncode(EncodeEcho(make([]byte, 8), TypeEcho, 1, 2, nil)), nil, ""},
		{"timestamp cut", msgs[4][:19], ErrTruncated, "icmp: truncated: time stamp reply message of 19 bytes, needs 20"},
		{"address mask cut", msgs[5][:11], ErrTruncated, ""},
		{"error without a quoted header", msgs[7][:27], ErrTruncated, "icmp: truncated: destination unreachable message of 27 bytes, needs 28"},
		{"unknown type, 8 bytes", Message{99, 0, 0x9c, 0xff, 0, 0, 0, 0}, nil, ""},
		{"bad checksum", corrupt(msgs[1]), ErrBadChecksum, "icmp: bad checksum: checksum 0x2cf7, want 0x2cf6"},
	} {
		err := c.m.Validate()
		if !errors.Is(err, c.want) || (err == nil) != (c.want == nil) {
			t.Errorf("%s: Validate = %v, want %v", c.name, err, c.want)
		}
		if c.msg != "" && (err == nil || err.Error() != c.msg) {
			t.Errorf("%s: %q, want %q", c.name, err, c.msg)
		}
		if c.m.Check() != c.want {
			t.Errorf("%s: Check = %v", c.name, c.m.Check())
		}
	}
	bad := corrupt(msgs[1])
	if n := testing.AllocsPerRun(100, func() { _ = bad.Check() }); n != 0 {
		t.Errorf("Check allocates %v times", n)
	}
}

func mustEncode(m Message, err error) Message {
	if err != nil {
		panic(err)
	}
	return m
}

func corrupt(m Message) Message {
	c := Message(bytes.Clone(m))
	c.SetChecksum(c.Checksum() + 1)
	return c
}

func TestHeaderFields(t *testing.T) {
	// A router advertisement of two routers, lifetime 1800 s (RFC 1256).
	ra := mustEncode(Encode(make([]byte, 24), TypeRouterAdvert, 0, 2<<24|2<<16|1800,
		[]byte{10, 0, 0, 1, 0, 0, 0, 5, 10, 0, 0, 2, 0xff, 0xff, 0xff, 0xff}))
	if ra.NumAddrs() != 2 || ra.AddrEntrySize() != 2 || ra.Lifetime() != 1800 {
		t.Fatalf("router advertisement: %d addresses of %d words, lifetime %d", ra.NumAddrs(), ra.AddrEntrySize(), ra.Lifetime())
	}
	for i, w := range []struct {
		a    ipv4.Addr
		pref int32
	}{{ipv4.Addr{10, 0, 0, 1}, 5}, {ipv4.Addr{10, 0, 0, 2}, -1}} {
		a, pref, ok := ra.RouterEntry(i)
		if !ok || a != w.a || pref != w.pref {
			t.Errorf("entry %d: %v %d %v", i, a, pref, ok)
		}
	}
	if _, _, ok := ra.RouterEntry(2); ok {
		t.Error("entry 2 of 2")
	}
	ra[5] = 1 // entries of one word cannot hold an address and a preference
	if _, _, ok := ra.RouterEntry(0); ok {
		t.Error("entry of size 1")
	}

	mask := mustEncode(Encode(make([]byte, 12), TypeAddressMaskReply, 0, 7<<16|8, []byte{255, 255, 240, 0}))
	if a, ok := mask.AddressMask(); !ok || a.Uint32() != 0xfffff000 || mask.ID() != 7 || mask.Seq() != 8 {
		t.Errorf("address mask reply: %v %v", a, ok)
	}
	if _, ok := mask[:11].AddressMask(); ok {
		t.Error("mask of a short message")
	}

	redirect := mustEncode(Encode(make([]byte, 36), TypeRedirect, RedirectHost, 0xc0000201, make([]byte, 28)))
	if redirect.Gateway() != (ipv4.Addr{192, 0, 2, 1}) || len(redirect.Quoted()) != 28 {
		t.Errorf("redirect: gateway %v", redirect.Gateway())
	}
	redirect.SetGateway(ipv4.Addr{192, 0, 2, 9})
	redirect.FillChecksum()
	if redirect.Gateway() != (ipv4.Addr{192, 0, 2, 9}) || !redirect.ChecksumValid() {
		t.Errorf("SetGateway: %v", redirect.Gateway())
	}

	m := Message(make([]byte, 8))
	m.SetType(TypeEcho)
	m.SetCode(0)
	m.SetID(0x0102)
	m.SetSeq(0x0304)
	if m.RestOfHeader() != 0x01020304 {
		t.Errorf("SetID, SetSeq: %#x", m.RestOfHeader())
	}
	m.SetPointer(9)
	m.SetQuotedLen(128)
	m.SetNextHopMTU(576)
	if m.Pointer() != 9 || m.QuotedLen() != 128 || m.NextHopMTU() != 576 {
		t.Errorf("pointer %d quoted length %d MTU %d", m.Pointer(), m.QuotedLen(), m.NextHopMTU())
	}
}

func TestTypes(t *testing.T) {
	for ty, s := range map[Type]string{TypeEcho: "echo request", TypeEchoReply: "echo reply",
		TypeSourceQuench: "source quench", TypeRouterSolicit: "router solicitation",
		TypeInfoRequest: "information request", TypeInfoReply: "information reply",
		TypeAddressMaskRequest: "address mask request", TypeExtEchoRequest: "extended echo request",
		49: "type-#49", 255: "type-#255"} {
		if ty.String() != s {
			t.Errorf("Type(%d) = %q, want %q", ty, ty, s)
		}
	}
	for ty := range 256 {
		t := Type(ty)
		if t.IsMultipart() && !t.IsError() {
			panic("a multipart type that is not an error")
		}
	}
	if !TypeRedirect.IsError() || TypeEcho.IsError() || TypeRedirect.IsMultipart() || !TypeParamProblem.IsMultipart() {
		t.Error("IsError or IsMultipart is wrong")
	}
}

// TestQuotedLen checks Quoted against the RFC 4884 length.
func TestQuotedLen(t *testing.T) {
	dgram := make([]byte, 200)
	dgram[0] = 0x45
	m := mustEncode(EncodeTimeExceeded(make([]byte, 300), TimeExceededTTL, dgram, 200))
	if len(m.Quoted()) != 200 {
		t.Fatalf("no length: %d quoted", len(m.Quoted()))
	}
	m.SetQuotedLen(128)
	if len(m.Quoted()) != 128 {
		t.Fatalf("length 128: %d quoted", len(m.Quoted()))
	}
	m.SetQuotedLen(1020) // past the end: clipped
	if len(m.Quoted()) != 200 {
		t.Fatalf("length 1020: %d quoted", len(m.Quoted()))
	}
	// A redirect has no length field: byte 5 is part of the gateway.
	m.SetType(TypeRedirect)
	m.SetQuotedLen(128)
	if len(m.Quoted()) != 200 {
		t.Fatalf("redirect: %d quoted", len(m.Quoted()))
	}
}

// TestExtEcho reads RFC 8335 extended echo requests and replies captured
// from a real prober (icmp-rfc8335.pcap).
func TestExtEcho(t *testing.T) {
	ps := capture(t, "icmp-rfc8335.pcap")
	var req, reply Message
	replies := map[int]Message{}
	for _, p := range ps {
		b, _, ok := icmpIn(p.b)
		if !ok {
			continue
		}
		m, _ := NewMessage(b)
		if err := m.Validate(); err != nil {
			t.Errorf("#%d: %v", p.n, err)
		}
		switch {
		case p.n == 1:
			req = m
		case p.n == 6:
			reply = m
		}
		if m.Type() == TypeExtEchoReply {
			replies[p.n] = m
		}
	}
	if req.Type() != TypeExtEchoRequest || req.ID() != 0xf6ea || req.ExtEchoSeq() != 0 || !req.ExtEchoLocal() {
		t.Fatalf("request: type %v id %#x seq %d L %v", req.Type(), req.ID(), req.ExtEchoSeq(), req.ExtEchoLocal())
	}
	e, ok := req.Extension()
	if !ok || e.Version() != ExtensionVersion || len(e) != 20 {
		t.Fatalf("extension %v: version %d, %d bytes", ok, e.Version(), len(e))
	}
	// The prober appended 8 bytes (a timestamp) after the structure, which
	// RFC 8335 has run to the end of the message, and left them out of the
	// structure's checksum.
	if e.ChecksumValid() || !e[:12].ChecksumValid() || e[:12].ComputeChecksum() != 0xdcf4 || e.Checksum() != 0xdcf4 {
		t.Fatalf("checksum %#x, computed %#x", e.Checksum(), e[:12].ComputeChecksum())
	}
	it := e.Objects()
	o, err := it.Next()
	// An interface identification object naming ifIndex 1.
	if err != nil || o.Class != ClassInterfaceID || o.CType != 2 || o.Len != 8 || o.Offset != 4 ||
		!bytes.Equal(o.Data(), []byte{0, 0, 0, 1}) {
		t.Fatalf("object %+v, %v", o, err)
	}
	// Its 8 extra bytes read as an object too long for the structure.
	if o, err = it.Next(); !errors.Is(err, ErrTruncated) || o.Len != 0x6593 || len(o.Bytes) != 8 {
		t.Fatalf("trailing bytes: %+v, %v", o, err)
	}
	if _, err = it.Next(); err != io.EOF {
		t.Fatalf("after an error: %v", err)
	}
	if reply.Type() != TypeExtEchoReply || reply.Code() != ExtEchoNoError {
		t.Fatalf("reply: type %v code %d", reply.Type(), reply.Code())
	}
	if _, ok := reply.Extension(); ok {
		t.Error("an extended echo reply has no extension structure")
	}
	// The replies' last header byte, as tcpdump -x shows it: 0x07 for the
	// interface that was found (#6: state 0, A, 4 and 6 set), 0x00 for
	// "No Such Interface" (#8, code 1) and "No Such Table Entry" (#10,
	// code 2).
	for _, want := range []struct {
		n           int
		code        Code
		state       uint8
		a, ip4, ip6 bool
	}{
		{6, ExtEchoNoError, 0, true, true, true},
		{8, 1, 0, false, false, false},
		{10, 2, 0, false, false, false},
	} {
		m := replies[want.n]
		if m == nil {
			t.Errorf("#%d is not an extended echo reply", want.n)
			continue
		}
		if m.Code() != want.code || m.ExtEchoState() != want.state || m.ExtEchoActive() != want.a ||
			m.ExtEchoIPv4() != want.ip4 || m.ExtEchoIPv6() != want.ip6 || m.ExtEchoSeq() != 42 || m.ID() != 0x2a {
			t.Errorf("#%d: code %d id %#x seq %d state %d A %v 4 %v 6 %v; want code %d id 0x2a seq 42 state %d A %v 4 %v 6 %v",
				want.n, m.Code(), m.ID(), m.ExtEchoSeq(), m.ExtEchoState(), m.ExtEchoActive(), m.ExtEchoIPv4(), m.ExtEchoIPv6(),
				want.code, want.state, want.a, want.ip4, want.ip6)
		}
	}
}

// TestExtEchoReplyFlags reads each field of an extended echo reply's last
// header byte (RFC 8335 section 3: State in the top 3 bits, then 2
// reserved bits, A, 4 and 6) from bytes built by hand, so that every
// state and each bit alone is seen: the capture's replies all have state
// 0. The request's L bit shares the byte's lowest bit with the reply's 6
// bit.
func TestExtEchoReplyFlags(t *testing.T) {
	for _, tc := range []struct {
		b           byte
		state       uint8
		a, ip4, ip6 bool
	}{
		{0x00, 0, false, false, false},
		{0x04, 0, true, false, false},
		{0x02, 0, false, true, false},
		{0x01, 0, false, false, true},
		{0x18, 0, false, false, false}, // the reserved bits alone
		{0x20, 1, false, false, false}, // Incomplete
		{0x46, 2, true, true, false},   // Reachable
		{0xa1, 5, false, false, true},  // Probe
		{0xff, 7, true, true, true},
	} {
		m, err := NewMessage([]byte{byte(TypeExtEchoReply), 0, 0, 0, 0x12, 0x34, 9, tc.b})
		if err != nil {
			t.Fatal(err)
		}
		if m.ExtEchoState() != tc.state || m.ExtEchoActive() != tc.a || m.ExtEchoIPv4() != tc.ip4 ||
			m.ExtEchoIPv6() != tc.ip6 || m.ExtEchoLocal() != tc.ip6 || m.ID() != 0x1234 || m.ExtEchoSeq() != 9 {
			t.Errorf("%#02x: id %#x seq %d state %d A %v 4 %v 6 %v L %v; want id 0x1234 seq 9 state %d A %v 4 %v 6 %v",
				tc.b, m.ID(), m.ExtEchoSeq(), m.ExtEchoState(), m.ExtEchoActive(), m.ExtEchoIPv4(), m.ExtEchoIPv6(), m.ExtEchoLocal(),
				tc.state, tc.a, tc.ip4, tc.ip6)
		}
	}
	// Without the rest of the header every field reads 0.
	m, _ := NewMessage([]byte{byte(TypeExtEchoReply), 0, 0, 0})
	if m.ExtEchoState() != 0 || m.ExtEchoActive() || m.ExtEchoIPv4() || m.ExtEchoIPv6() || m.ExtEchoSeq() != 0 {
		t.Error("a 4-byte message has extended echo fields")
	}
}

// TestTypeCode reads the type and code of a message cut before its
// checksum.
func TestTypeCode(t *testing.T) {
	b := []byte{byte(TypeDestUnreachable), byte(UnreachPort), 0xaa}
	for n := range len(b) + 1 {
		typ, code, ok := TypeCode(b[:n])
		if ok != (n >= 2) || ok && (typ != TypeDestUnreachable || code != UnreachPort) {
			t.Errorf("%d bytes: %v %v %v", n, typ, code, ok)
		}
	}
}
